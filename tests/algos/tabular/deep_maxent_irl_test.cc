#include "algos/tabular/deep_maxent_irl.h"

#include <gtest/gtest.h>

#include "algos/tabular/evaluation.h"
#include "algos/tabular/gridworld.h"
#include "core/rng.h"

namespace irlab::tabular {
namespace {

TEST(DeepMaxEntIrlTest, RaisesTheObjectiveAndImitatesTheExpert) {
  GridWorldConfig config;
  config.size = 5;
  config.horizon = 10;
  config.slip = 0.1;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok()) << task.status();
  Rng rng(4);
  const std::vector<Trajectory> demos =
      SampleDemos(task->mdp, OptimalPolicy(task->mdp, task->true_reward), 100, rng);
  DeepMaxEntConfig deep;
  deep.iterations = 150;
  auto result = DeepMaxEntIrl(task->mdp, demos, deep, /*seed=*/1);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->iterations, 150);
  EXPECT_GT(result->trace.back()[0].second, result->trace.front()[0].second + 1.0);
  const Evaluation eval = Evaluate(task->mdp, task->true_reward, *result);
  EXPECT_LT(eval.evd, 0.05 * eval.optimal_value);
  EXPECT_GT(eval.correlation, 0.5);

  // the same seed gives the same reward
  auto again = DeepMaxEntIrl(task->mdp, demos, deep, /*seed=*/1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reward, result->reward);
}

}  // namespace
}  // namespace irlab::tabular
