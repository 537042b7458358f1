#include "algos/tabular/planning.h"

#include <gtest/gtest.h>

#include <cmath>

#include "algos/tabular/mdp.h"

namespace irlab::tabular {
namespace {

// Two states, two actions, horizon 2. Action 0 stays; action 1 moves to the
// other state with probability 0.8 and stays with 0.2. r(s,a) = s, written as
// the single feature f(s,a) = s with weight 1.
Mdp TwoStateMdp() {
  const std::vector<double> transition = {
      1.0, 0.0, 0.2, 0.8,  // s = 0: stay, switch
      0.0, 1.0, 0.8, 0.2,  // s = 1: stay, switch
  };
  auto mdp = MdpFromDense(2, 2, 2, transition, {1.0, 0.0}, 1, {0, 0, 1, 1});
  EXPECT_TRUE(mdp.ok()) << mdp.status();
  return *mdp;
}

TEST(SoftValueIterationTest, MatchesTheHandSolvedTwoStateMdp) {
  const Mdp mdp = TwoStateMdp();
  std::vector<double> reward;
  LinearReward(mdp, {1.0}, &reward);
  TabularPolicy policy;
  std::vector<double> v;  // [T+1, S]
  SoftValueIteration(mdp, reward, &policy, &v);
  const double log2 = std::log(2.0);
  // last step: Q_1(s,a) = s, so V_1(0) = log 2, V_1(1) = 1 + log 2 and pi_1 is uniform
  EXPECT_NEAR(v[2 + 0], log2, 1e-12);
  EXPECT_NEAR(v[2 + 1], 1 + log2, 1e-12);
  EXPECT_NEAR(policy.at(1, 0)[1], 0.5, 1e-12);
  // first step: Q_0(0,stay) = log 2, Q_0(0,switch) = 0.2 V_1(0) + 0.8 V_1(1) = log 2 + 0.8
  EXPECT_NEAR(v[0], log2 + std::log(1 + std::exp(0.8)), 1e-12);
  EXPECT_NEAR(policy.at(0, 0)[1], std::exp(0.8) / (1 + std::exp(0.8)), 1e-12);
  // Q_0(1,stay) = 2 + log 2, Q_0(1,switch) = 1.2 + log 2
  EXPECT_NEAR(v[1], log2 + std::log(std::exp(2.0) + std::exp(1.2)), 1e-12);
  EXPECT_NEAR(policy.at(0, 1)[0], 1 / (1 + std::exp(-0.8)), 1e-12);
  // the terminal row is zero
  EXPECT_EQ(v[4], 0.0);
  EXPECT_EQ(v[5], 0.0);
}

TEST(SoftValueIterationTest, IsStableForHugeRewards) {
  const Mdp mdp = TwoStateMdp();
  std::vector<double> reward;
  LinearReward(mdp, {1e4}, &reward);
  TabularPolicy policy;
  std::vector<double> v;
  SoftValueIteration(mdp, reward, &policy, &v);
  // as above with r(s,a) = 1e4 s: exp(1e4) overflows a double, the log-sum-exp does not
  const double log2 = std::log(2.0);
  EXPECT_NEAR(v[2 + 0], log2, 1e-9);
  EXPECT_NEAR(v[2 + 1], 1e4 + log2, 1e-9);
  EXPECT_NEAR(policy.at(1, 1)[0], 0.5, 1e-12);
  // Q_0(0,switch) = log 2 + 8000 beats Q_0(0,stay) = log 2 by e^8000
  EXPECT_NEAR(v[0], 8000 + log2, 1e-9);
  EXPECT_NEAR(policy.at(0, 0)[1], 1.0, 1e-12);
  // Q_0(1,stay) = 2e4 + log 2 beats Q_0(1,switch) = 1.8e4 + log 2
  EXPECT_NEAR(v[1], 2e4 + log2, 1e-9);
  EXPECT_NEAR(policy.at(0, 1)[0], 1.0, 1e-12);
  EXPECT_EQ(v[4], 0.0);
  EXPECT_EQ(v[5], 0.0);
}

TEST(OptimalValueIterationTest, MatchesTheHandSolvedTwoStateMdp) {
  const Mdp mdp = TwoStateMdp();
  std::vector<double> reward;
  LinearReward(mdp, {1.0}, &reward);
  TabularPolicy policy;
  std::vector<double> v;
  OptimalValueIteration(mdp, reward, &policy, &v);
  EXPECT_DOUBLE_EQ(v[2 + 0], 0.0);
  EXPECT_DOUBLE_EQ(v[2 + 1], 1.0);
  EXPECT_DOUBLE_EQ(v[0], 0.8);  // switch: 0.8 * V_1(1)
  EXPECT_DOUBLE_EQ(v[1], 2.0);  // stay
  EXPECT_EQ(policy.at(0, 0)[1], 1.0);
  EXPECT_EQ(policy.at(0, 1)[0], 1.0);
  EXPECT_EQ(policy.at(1, 0)[0], 1.0);  // a tie goes to the lowest action

  // evaluating the optimal policy gives the optimal values back
  std::vector<double> evaluated;
  EvaluateTabularPolicy(mdp, reward, policy, &evaluated);
  EXPECT_EQ(evaluated, v);
  EXPECT_DOUBLE_EQ(StartValue(v, mdp.initial), 0.8);
}

}  // namespace
}  // namespace irlab::tabular
