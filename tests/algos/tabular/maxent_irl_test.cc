#include "algos/tabular/maxent_irl.h"

#include <gtest/gtest.h>

#include <cmath>

#include "algos/tabular/evaluation.h"
#include "algos/tabular/gridworld.h"
#include "algos/tabular/planning.h"
#include "core/rng.h"

namespace irlab::tabular {
namespace {

struct DemoProblem {
  GridTask task;
  std::vector<Trajectory> demos;
};

// A small GridWorld with demos from its soft-optimal (or optimal) expert.
DemoProblem MakeDemoProblem(double slip, bool soft_expert, int num_demos, int size = 4,
                            int horizon = 6) {
  GridWorldConfig config;
  config.size = size;
  config.slip = slip;
  config.horizon = horizon;
  config.reward = "random";
  config.reward_density = 0.5;
  auto task = MakeGridWorld(config, 7);
  EXPECT_TRUE(task.ok()) << task.status();
  TabularPolicy expert;
  std::vector<double> values;
  if (soft_expert) {
    SoftValueIteration(task->mdp, task->true_reward, &expert, &values);
  } else {
    OptimalValueIteration(task->mdp, task->true_reward, &expert, &values);
  }
  Rng rng(3);
  std::vector<Trajectory> demos = SampleDemos(task->mdp, expert, num_demos, rng);
  return {std::move(*task), std::move(demos)};
}

std::vector<double> RandomWeights(int k, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> w(k);
  for (double& x : w) x = rng.Normal(0, 0.5);
  return w;
}

TEST(MaxEntGradientTest, EqualsFiniteDifferencesOfTheObjectiveUnderSlip) {
  const DemoProblem problem = MakeDemoProblem(/*slip=*/0.3, /*soft_expert=*/true, 25);
  const Mdp& mdp = problem.task.mdp;
  const std::vector<double> w = RandomWeights(mdp.feature_dim, 1);
  const MaxEntObjective at = EvaluateMaxEntObjective(mdp, problem.demos, w);
  const double h = 1e-5;
  for (int k = 0; k < mdp.feature_dim; ++k) {
    std::vector<double> plus = w, minus = w;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (EvaluateMaxEntObjective(mdp, problem.demos, plus).value -
                       EvaluateMaxEntObjective(mdp, problem.demos, minus).value) /
                      (2 * h);
    EXPECT_NEAR(at.gradient[k], fd, 1e-7) << "feature " << k;
  }
}

TEST(MaxEntGradientTest, EqualsFiniteDifferencesOfTheDemoLogLikelihood) {
  // deterministic moves: the objective is exactly the demos' log-likelihood
  const DemoProblem problem = MakeDemoProblem(/*slip=*/0.0, /*soft_expert=*/true, 25);
  const Mdp& mdp = problem.task.mdp;
  const std::vector<double> w = RandomWeights(mdp.feature_dim, 2);
  const MaxEntObjective at = EvaluateMaxEntObjective(mdp, problem.demos, w);
  EXPECT_NEAR(at.value, DemoLogLikelihood(mdp, problem.demos, w), 1e-10);
  const double h = 1e-5;
  for (int k = 0; k < mdp.feature_dim; ++k) {
    std::vector<double> plus = w, minus = w;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (DemoLogLikelihood(mdp, problem.demos, plus) -
                       DemoLogLikelihood(mdp, problem.demos, minus)) /
                      (2 * h);
    EXPECT_NEAR(at.gradient[k], fd, 1e-7) << "feature " << k;
  }
}

TEST(MaxEntIrlTest, RecoversARewardWithNearZeroEvd) {
  // demos from the optimal policy of a known linear reward (the far corner)
  GridWorldConfig config;
  config.size = 5;
  config.horizon = 10;
  config.slip = 0.1;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok()) << task.status();
  Rng rng(1);
  const std::vector<Trajectory> demos =
      SampleDemos(task->mdp, OptimalPolicy(task->mdp, task->true_reward), 100, rng);
  MaxEntConfig maxent;
  maxent.l2 = 0.01;
  auto result = MaxEntIrl(task->mdp, demos, maxent);
  ASSERT_TRUE(result.ok()) << result.status();
  const Evaluation eval = Evaluate(task->mdp, task->true_reward, *result);
  EXPECT_GT(eval.optimal_value, 1.0);
  EXPECT_LT(eval.evd, 0.01 * eval.optimal_value);
  EXPECT_GT(eval.correlation, 0.8);
  // the (regularised) gradient has shrunk to near zero
  EXPECT_LT(result->trace.back()[1].second, maxent.grad_tolerance);
  EXPECT_LT(result->iterations, maxent.iterations);
}

}  // namespace
}  // namespace irlab::tabular
