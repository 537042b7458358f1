#include "algos/tabular/projection.h"

#include <gtest/gtest.h>

#include <numeric>

#include "algos/tabular/evaluation.h"
#include "algos/tabular/gridworld.h"
#include "core/rng.h"

namespace irlab::tabular {
namespace {

TEST(ProjectionIrlTest, FeatureDistanceDecreasesMonotonically) {
  GridWorldConfig config;
  config.size = 6;
  config.horizon = 12;
  config.features = "blocks";
  config.block = 2;
  config.reward = "random";
  config.reward_density = 0.5;
  auto task = MakeGridWorld(config, 4);
  ASSERT_TRUE(task.ok()) << task.status();
  Rng rng(2);
  const std::vector<Trajectory> demos =
      SampleDemos(task->mdp, OptimalPolicy(task->mdp, task->true_reward), 200, rng);
  ProjectionConfig projection;
  projection.iterations = 40;
  projection.tolerance = 0;
  auto result = ProjectionIrl(task->mdp, demos, projection);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_GE(result->trace.size(), 5u);
  std::vector<double> distance;
  for (const IterationScalars& row : result->trace) distance.push_back(row[0].second);
  for (size_t i = 1; i < distance.size(); ++i) {
    EXPECT_LE(distance[i], distance[i - 1] + 1e-12) << "step " << i;
  }
  EXPECT_LT(distance[1], distance[0]);  // the first optimal policy helps strictly
  EXPECT_LT(distance.back(), 0.2 * distance.front());
  // the mixture is a distribution over the policies found
  EXPECT_EQ(result->mixture.size(), result->policies.size());
  EXPECT_NEAR(std::accumulate(result->mixture.begin(), result->mixture.end(), 0.0), 1.0, 1e-12);
  for (double w : result->mixture) EXPECT_GE(w, 0.0);
  // and it plays about as well as the expert
  const Evaluation eval = Evaluate(task->mdp, task->true_reward, *result);
  EXPECT_LT(eval.evd, 0.1 * (eval.optimal_value - eval.random_value));
}

}  // namespace
}  // namespace irlab::tabular
