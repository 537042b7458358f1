// Reward terms equal envs.md's formulas on hand-set states; termination and
// truncation stay distinct.
#include <gtest/gtest.h>

#include <cmath>

#include "envs/registry.h"

namespace irlab {
namespace {

struct Stepped {
  StepResult result;
  EnvState before, after;
};

// Puts `env` in `state`, applies `action` once.
Stepped StepFrom(Env& env, const EnvState& state, std::vector<float> action) {
  std::vector<float> obs(env.spec().obs_dim);
  EXPECT_TRUE(env.SetState(state, obs).ok());
  Stepped s;
  s.before = env.GetState();
  auto r = env.Step(action, obs);
  EXPECT_TRUE(r.ok()) << r.status();
  s.result = *r;
  s.after = env.GetState();
  return s;
}

double Term(const StepResult& r, std::string_view name) {
  for (int i = 0; i < r.info.terms.count; ++i) {
    if (name == r.info.terms.names[i]) return r.info.terms.values[i];
  }
  ADD_FAILURE() << "no term " << name;
  return NAN;
}

EnvState Initial(Env& env, uint64_t seed = 0) {
  std::vector<float> obs(env.spec().obs_dim);
  env.Reset(seed, obs);
  return env.GetState();
}

TEST(RewardsTest, HalfCheetahForwardMinusControl) {
  auto env = std::move(*MakeEnv("HalfCheetah"));
  EnvState s = Initial(*env);
  s.qvel[0] = 2.0;  // moving forward
  auto st = StepFrom(*env, s, {0.5f, -0.5f, 1.f, 0.f, 0.2f, -1.f});
  const double dx = (st.after.qpos[0] - st.before.qpos[0]) / 0.05;
  const double ctrl = 0.1 * (0.25 + 0.25 + 1 + 0 + 0.04 + 1);
  EXPECT_NEAR(Term(st.result, "forward"), dx, 1e-12);
  EXPECT_NEAR(st.result.reward, dx - ctrl, 1e-6);
  EXPECT_NEAR(st.result.info.x_velocity, dx, 1e-12);
  EXPECT_GT(dx, 0.5);
}

TEST(RewardsTest, HopperHealthyAndTermination) {
  auto env = std::move(*MakeEnv("Hopper"));
  EnvState s = Initial(*env);
  auto healthy = StepFrom(*env, s, {0.f, 0.f, 0.f});
  EXPECT_EQ(Term(healthy.result, "healthy"), 1.0);
  EXPECT_FALSE(healthy.result.terminated);
  const double dx = (healthy.after.qpos[0] - healthy.before.qpos[0]) / 0.008;
  EXPECT_NEAR(healthy.result.reward, 1.0 + dx, 1e-9);

  s.qpos[2] = 0.5;  // torso tilted past 0.2 rad
  auto fallen = StepFrom(*env, s, {1.f, 1.f, 1.f});
  EXPECT_EQ(Term(fallen.result, "healthy"), 0.0);
  EXPECT_TRUE(fallen.result.terminated);
  EXPECT_FALSE(fallen.result.truncated);
  EXPECT_NEAR(Term(fallen.result, "ctrl_cost"), -3e-3, 1e-12);

  // the fixed-horizon variant never terminates, and stops paying the alive bonus
  auto fixed = std::move(*MakeEnv("HopperFixed"));
  EnvState fs = Initial(*fixed);
  fs.qpos[2] = 0.5;
  auto fixed_fallen = StepFrom(*fixed, fs, {0.f, 0.f, 0.f});
  EXPECT_FALSE(fixed_fallen.result.terminated);
  EXPECT_EQ(Term(fixed_fallen.result, "healthy"), 0.0);
}

TEST(RewardsTest, Walker2dHeightBounds) {
  auto env = std::move(*MakeEnv("Walker2d"));
  EnvState s = Initial(*env);
  s.qpos[1] = 0.5;  // rootz is relative to the initial height 1.25: z = qpos[1]
  auto low = StepFrom(*env, s, std::vector<float>(6, 0.f));
  EXPECT_TRUE(low.result.terminated);
  EnvState ok = Initial(*env);
  auto fine = StepFrom(*env, ok, std::vector<float>(6, 0.f));
  EXPECT_FALSE(fine.result.terminated);
  EXPECT_EQ(Term(fine.result, "healthy"), 1.0);
}

TEST(RewardsTest, AntHealthyRangeAndControlCost) {
  auto env = std::move(*MakeEnv("Ant"));
  EnvState s = Initial(*env);
  auto st = StepFrom(*env, s, std::vector<float>(8, 0.5f));
  EXPECT_NEAR(Term(st.result, "ctrl_cost"), -0.5 * 8 * 0.25, 1e-12);
  EXPECT_FALSE(st.result.terminated);
  s.qpos[2] = 1.5;  // too high to be healthy
  auto flying = StepFrom(*env, s, std::vector<float>(8, 0.f));
  EXPECT_TRUE(flying.result.terminated);
}

TEST(RewardsTest, SwimmerAndInvertedPendulum) {
  auto swimmer = std::move(*MakeEnv("Swimmer"));
  auto st = StepFrom(*swimmer, Initial(*swimmer), {1.f, -1.f});
  EXPECT_NEAR(Term(st.result, "ctrl_cost"), -2e-4, 1e-15);
  EXPECT_FALSE(st.result.terminated);

  auto ip = std::move(*MakeEnv("InvertedPendulum"));
  EnvState s = Initial(*ip);
  auto up = StepFrom(*ip, s, {0.f});
  EXPECT_EQ(up.result.reward, 1.0);
  EXPECT_FALSE(up.result.terminated);
  s.qpos[1] = 0.3;
  auto down = StepFrom(*ip, s, {0.f});
  EXPECT_TRUE(down.result.terminated);
}

TEST(RewardsTest, CustomAntFlippedPenaltyAndNoTermination) {
  auto env = std::move(*MakeEnv("CustomAnt"));
  EnvState s = Initial(*env);
  // upside down (quaternion w=0, x=1) and pressed into the floor
  s.qpos[2] = 0.0;
  s.qpos[3] = 0;
  s.qpos[4] = 1;
  s.qpos[5] = s.qpos[6] = 0;
  auto st = StepFrom(*env, s, std::vector<float>(8, 0.f));
  ASSERT_LT(st.after.qpos[2], 0.2);
  EXPECT_EQ(Term(st.result, "flipped"), -1.0);
  EXPECT_FALSE(st.result.terminated);
  EXPECT_LE(Term(st.result, "contact_cost"), 0.0);
}

TEST(RewardsTest, PointMazeDistanceToTarget) {
  auto env = std::move(*MakeEnv("PointMazeLeft"));
  EnvState s = Initial(*env);
  auto st = StepFrom(*env, s, {0.f, 0.f});
  std::vector<float> obs(3);
  ASSERT_TRUE(env->SetState(st.after, obs).ok());
  // obs is the particle position; the target is near the top centre
  const double dist = -Term(st.result, "distance");
  EXPECT_GT(dist, 0.3);
  EXPECT_LT(dist, 0.7);
  EXPECT_NEAR(st.result.reward, -dist, 1e-12);
}

TEST(RewardsTest, ReacherDistanceAndControl) {
  auto env = std::move(*MakeEnv("Reacher"));
  EnvState s = Initial(*env);
  auto st = StepFrom(*env, s, {0.5f, 0.5f});
  EXPECT_NEAR(Term(st.result, "ctrl_cost"), -0.5, 1e-12);
  std::vector<float> obs(11);
  ASSERT_TRUE(env->SetState(st.after, obs).ok());
  const double tip_dist = std::sqrt(obs[8] * obs[8] + obs[9] * obs[9] + obs[10] * obs[10]);
  EXPECT_NEAR(-Term(st.result, "distance"), tip_dist, 1e-6);
}

}  // namespace
}  // namespace irlab
