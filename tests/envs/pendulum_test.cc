#include "envs/pendulum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace irlab {
namespace {

TEST(PendulumTest, OneStepByHand) {
  PendulumEnv env({});
  std::vector<float> obs(3);
  EnvState s;
  s.qpos = {0.5};
  s.qvel = {1.0};
  ASSERT_TRUE(env.SetState(s, obs).ok());
  auto r = env.Step(std::vector<float>{1.0f}, obs);
  ASSERT_TRUE(r.ok());
  // cost on the state the action was taken in
  EXPECT_NEAR(r->reward, -(0.25 + 0.1 * 1.0 + 0.001 * 1.0), 1e-12);
  const double thdot = 1.0 + (15.0 * std::sin(0.5) + 3.0) * 0.05;
  const double th = 0.5 + thdot * 0.05;
  EXPECT_NEAR(obs[0], std::cos(th), 1e-6);
  EXPECT_NEAR(obs[1], std::sin(th), 1e-6);
  EXPECT_NEAR(obs[2], thdot, 1e-6);
}

TEST(PendulumTest, AngleWrapsAndSpeedAndTorqueClip) {
  PendulumEnv env({});
  std::vector<float> obs(3);
  EnvState s;
  s.qpos = {3 * std::numbers::pi};  // same as pi: cost pi^2
  s.qvel = {7.9};
  ASSERT_TRUE(env.SetState(s, obs).ok());
  auto r = env.Step(std::vector<float>{100.0f}, obs);  // clipped to 2
  EXPECT_NEAR(r->info.terms.values[0], -std::numbers::pi * std::numbers::pi, 1e-9);
  EXPECT_NEAR(r->info.terms.values[2], -0.004, 1e-12);
  EXPECT_NEAR(obs[2], 8.0, 1e-6);  // speed clipped
}

TEST(PendulumTest, TruncatesAtHorizon) {
  PendulumEnv env({});
  std::vector<float> obs(3);
  env.Reset(0, obs);
  for (int t = 1; t <= 200; ++t) {
    auto r = env.Step(std::vector<float>{0.f}, obs);
    ASSERT_EQ(r->truncated, t == 200);
    ASSERT_FALSE(r->terminated);
  }
}

}  // namespace
}  // namespace irlab
