#include "algos/tabular/visitation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "algos/tabular/demos.h"
#include "algos/tabular/gridworld.h"
#include "algos/tabular/objectworld.h"
#include "algos/tabular/planning.h"
#include "core/rng.h"

namespace irlab::tabular {
namespace {

TEST(VisitationTest, EachStepIsADistributionAndPairsSumToTheHorizon) {
  ObjectWorldConfig config;
  config.size = 12;
  config.horizon = 15;
  config.placement_prob = 0.15;
  auto task = MakeObjectWorld(config, 3);
  ASSERT_TRUE(task.ok()) << task.status();
  const Mdp& mdp = task->mdp;
  // a soft policy for a random reward, from a peaked start distribution
  Rng rng(11);
  std::vector<double> reward(mdp.num_pairs());
  for (double& r : reward) r = rng.Normal(0, 2);
  TabularPolicy policy;
  std::vector<double> values, state_visits, sa_visits;
  SoftValueIteration(mdp, reward, &policy, &values);
  std::vector<double> start(mdp.num_states, 0.0);
  start[0] = 0.75;
  start[77] = 0.25;
  Visitation(mdp, policy, start, &state_visits, &sa_visits);
  ASSERT_EQ(state_visits.size(), static_cast<size_t>(mdp.horizon) * mdp.num_states);
  for (int t = 0; t < mdp.horizon; ++t) {
    const double* mu = &state_visits[static_cast<size_t>(t) * mdp.num_states];
    EXPECT_NEAR(std::accumulate(mu, mu + mdp.num_states, 0.0), 1.0, 1e-12) << "step " << t;
    for (int s = 0; s < mdp.num_states; ++s) EXPECT_GE(mu[s], 0.0);
  }
  EXPECT_NEAR(std::accumulate(sa_visits.begin(), sa_visits.end(), 0.0), mdp.horizon, 1e-10);
  EXPECT_EQ(state_visits[0], 0.75);
  EXPECT_EQ(state_visits[77], 0.25);
}

TEST(VisitationTest, MatchesTheEmpiricalCountsOfSampledEpisodes) {
  GridWorldConfig config;
  config.size = 4;
  config.horizon = 6;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok()) << task.status();
  const Mdp& mdp = task->mdp;
  TabularPolicy policy;
  std::vector<double> values, state_visits, sa_visits;
  SoftValueIteration(mdp, task->true_reward, &policy, &values);
  Visitation(mdp, policy, mdp.initial, &state_visits, &sa_visits);
  Rng rng(5);
  const std::vector<Trajectory> demos = SampleDemos(mdp, policy, 40000, rng);
  const std::vector<double> counts = DemoVisitation(mdp, demos);
  // standard error of a count <= sqrt(T / n) ~ 0.012
  for (int sa = 0; sa < mdp.num_pairs(); ++sa) EXPECT_NEAR(counts[sa], sa_visits[sa], 0.05);
}

}  // namespace
}  // namespace irlab::tabular
