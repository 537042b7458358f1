#include "algos/tabular/max_margin.h"

#include <gtest/gtest.h>

#include "algos/tabular/evaluation.h"
#include "algos/tabular/gridworld.h"
#include "core/rng.h"

namespace irlab::tabular {
namespace {

TEST(MaxMarginIrlTest, LowersTheHingeObjectiveAndImitatesTheExpert) {
  GridWorldConfig config;
  config.size = 5;
  config.horizon = 10;
  config.slip = 0.1;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok()) << task.status();
  Rng rng(8);
  const std::vector<Trajectory> demos =
      SampleDemos(task->mdp, OptimalPolicy(task->mdp, task->true_reward), 100, rng);
  MaxMarginConfig max_margin;
  max_margin.iterations = 200;
  auto result = MaxMarginIrl(task->mdp, demos, max_margin);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->iterations, 200);
  double best = result->trace.front()[0].second;
  for (const IterationScalars& row : result->trace) best = std::min(best, row[0].second);
  EXPECT_LT(best, 0.6 * result->trace.front()[0].second);
  const Evaluation eval = Evaluate(task->mdp, task->true_reward, *result);
  EXPECT_LT(eval.evd, 0.05 * eval.optimal_value);
  EXPECT_GT(eval.correlation, 0.3);
}

}  // namespace
}  // namespace irlab::tabular
