// Every task loads, has the dimensions of envs.md, stays finite under random
// actions, and is deterministic for a seed.
#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"
#include "envs/registry.h"

namespace irlab {
namespace {

struct Dims {
  const char* name;
  int obs, act;
  double dt;
  int horizon;
  double act_high;
};

const Dims kDims[] = {
    {"HalfCheetah", 17, 6, 0.05, 1000, 1},
    {"Hopper", 11, 3, 0.008, 1000, 1},
    {"Walker2d", 17, 6, 0.008, 1000, 1},
    {"Ant", 27, 8, 0.05, 1000, 1},
    {"Swimmer", 8, 2, 0.04, 1000, 1},
    {"InvertedPendulum", 4, 1, 0.04, 1000, 3},
    {"Reacher", 11, 2, 0.02, 50, 1},
    {"Humanoid", 376, 17, 0.015, 1000, 0.4},
    {"Pendulum", 3, 1, 0.05, 200, 2},
    {"CustomAnt", 111, 8, 0.05, 500, 1},
    {"DisabledAnt", 111, 8, 0.05, 500, 1},
    {"PointMazeLeft", 3, 2, 0.05, 100, 1},
    {"PointMazeRight", 3, 2, 0.05, 100, 1},
    {"HalfCheetahFixed", 18, 6, 0.05, 1000, 1},
    {"HopperFixed", 12, 3, 0.008, 1000, 1},
    {"Walker2dFixed", 18, 6, 0.008, 1000, 1},
    {"AntFixed", 29, 8, 0.05, 1000, 1},
    {"SwimmerFixed", 10, 2, 0.04, 1000, 1},
    {"HumanoidFixed", 378, 17, 0.015, 1000, 0.4},
};

class TaskTest : public ::testing::TestWithParam<Dims> {};

TEST_P(TaskTest, DimsMatchSpec) {
  const Dims& d = GetParam();
  auto env = MakeEnv(d.name);
  ASSERT_TRUE(env.ok()) << env.status();
  const EnvSpec& s = (*env)->spec();
  EXPECT_EQ(s.name, d.name);
  EXPECT_EQ(s.obs_dim, d.obs);
  EXPECT_EQ(s.act_dim, d.act);
  EXPECT_NEAR(s.dt, d.dt, 1e-12);
  EXPECT_EQ(s.horizon, d.horizon);
  for (int i = 0; i < s.act_dim; ++i) {
    EXPECT_DOUBLE_EQ(s.act_high[i], d.act_high);
    EXPECT_DOUBLE_EQ(s.act_low[i], -d.act_high);
  }
}

TEST_P(TaskTest, ThousandRandomStepsStayFinite) {
  auto env = std::move(*MakeEnv(GetParam().name));
  const EnvSpec& s = env->spec();
  std::vector<float> obs(s.obs_dim), act(s.act_dim);
  Rng rng(1);
  env->Reset(0, obs);
  int episodes = 0, length = 0;
  for (int t = 0; t < 1000; ++t) {
    for (int j = 0; j < s.act_dim; ++j)
      act[j] = static_cast<float>(rng.Uniform(s.act_low[j], s.act_high[j]));
    auto r = env->Step(act, obs);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(std::isfinite(r->reward)) << t;
    for (float o : obs) ASSERT_TRUE(std::isfinite(o)) << t;
    double sum = 0;
    for (int k = 0; k < r->info.terms.count; ++k) sum += r->info.terms.values[k];
    ASSERT_NEAR(sum, r->reward, 1e-9) << "reward terms must add up to the reward";
    ASSERT_FALSE(r->terminated && r->truncated);
    // the time limit ends an episode that has not terminated at exactly the horizon
    ++length;
    if (!r->terminated) {
      ASSERT_EQ(r->truncated, length == s.horizon) << t;
    }
    if (r->terminated || r->truncated) {
      env->Reset(++episodes, obs);
      length = 0;
    }
  }
}

TEST_P(TaskTest, SameSeedSameTrajectory) {
  auto a = std::move(*MakeEnv(GetParam().name));
  auto b = std::move(*MakeEnv(GetParam().name));
  const EnvSpec& s = a->spec();
  std::vector<float> oa(s.obs_dim), ob(s.obs_dim), act(s.act_dim);
  a->Reset(123, oa);
  b->Reset(123, ob);
  ASSERT_EQ(oa, ob);
  std::vector<float> other(s.obs_dim);
  b->Reset(124, other);
  EXPECT_NE(a->GetState().qvel, b->GetState().qvel)
      << "a different seed must give a different start";
  b->Reset(123, ob);
  Rng rng(5);
  for (int t = 0; t < 100; ++t) {
    for (int j = 0; j < s.act_dim; ++j) act[j] = static_cast<float>(rng.Uniform(-1, 1));
    auto ra = a->Step(act, oa);
    auto rb = b->Step(act, ob);
    ASSERT_EQ(oa, ob) << t;
    ASSERT_EQ(ra->reward, rb->reward);
    if (ra->terminated) break;
  }
}

TEST_P(TaskTest, StateRoundTripReplaysExactly) {
  auto a = std::move(*MakeEnv(GetParam().name));
  auto b = std::move(*MakeEnv(GetParam().name));
  const EnvSpec& s = a->spec();
  std::vector<float> oa(s.obs_dim), ob(s.obs_dim), act(s.act_dim, 0.3f);
  a->Reset(9, oa);
  for (int t = 0; t < 5; ++t) ASSERT_TRUE(a->Step(act, oa).ok());
  const EnvState state = a->GetState();
  ASSERT_TRUE(b->SetState(state, ob).ok());
  EXPECT_EQ(oa, ob) << "obs must be a function of the stored state";
  // CustomAnt replays to the last bit or two only (~1e-16 relative); the
  // cause is not yet understood, every other task replays bit for bit.
  const bool bit_exact = s.name != "CustomAnt";
  for (int t = 0; t < 5; ++t) {
    auto ra = a->Step(act, oa);
    auto rb = b->Step(act, ob);
    if (bit_exact) {
      ASSERT_EQ(oa, ob) << t;
      ASSERT_EQ(ra->reward, rb->reward);
    } else {
      for (int i = 0; i < s.obs_dim; ++i) ASSERT_NEAR(oa[i], ob[i], 1e-5 * (1 + std::abs(oa[i])));
      ASSERT_NEAR(ra->reward, rb->reward, 1e-9);
    }
  }
  if (bit_exact) {
    EXPECT_EQ(a->GetState().qpos, b->GetState().qpos);
  }
}

TEST_P(TaskTest, BadActionsAreErrorsNotCrashes) {
  auto env = std::move(*MakeEnv(GetParam().name));
  const EnvSpec& s = env->spec();
  std::vector<float> obs(s.obs_dim), act(s.act_dim, 0.f);
  env->Reset(0, obs);
  std::vector<float> short_act(s.act_dim + 1, 0.f);
  auto wrong = env->Step(short_act, obs);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find(s.name), std::string::npos);
  act[0] = NAN;
  auto nan = env->Step(act, obs);
  ASSERT_FALSE(nan.ok());
  EXPECT_NE(nan.status().message().find("not finite"), std::string::npos);
  EnvState bad = env->GetState();
  bad.qpos.push_back(0);
  EXPECT_FALSE(env->SetState(bad, obs).ok());
}

INSTANTIATE_TEST_SUITE_P(AllTasks, TaskTest, ::testing::ValuesIn(kDims),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(RegistryTest, EveryNameIsTestedAndUnknownNamesListValidOnes) {
  EXPECT_EQ(EnvNames().size(), std::size(kDims));
  auto env = MakeEnv("HalfCheeta");
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("unknown task 'HalfCheeta'"), std::string::npos);
  EXPECT_NE(env.status().message().find("HalfCheetah, Hopper"), std::string::npos);
}

TEST(EnvOptionsTest, AntContactForcesAddObsAndCost) {
  EnvOptions opts;
  opts.contact_forces = true;
  auto env = std::move(*MakeEnv("Ant", opts));
  EXPECT_EQ(env->spec().obs_dim, 27 + 84);
  std::vector<float> obs(env->spec().obs_dim), act(8, 0.f);
  env->Reset(0, obs);
  double contact = 0;
  for (int t = 0; t < 20; ++t) {
    auto r = env->Step(act, obs);
    contact += r->info.terms.values[3];
  }
  EXPECT_LT(contact, 0.0) << "the ant stands on the floor: contact forces must be non-zero";
  float sum = 0;
  for (size_t i = 27; i < obs.size(); ++i) sum += std::abs(obs[i]);
  EXPECT_GT(sum, 0.f);
}

TEST(EnvOptionsTest, HorizonOverrideAndResetNoise) {
  EnvOptions opts;
  opts.horizon = 7;
  opts.reset_noise_scale = 0.0;
  auto env = std::move(*MakeEnv("HalfCheetah", opts));
  std::vector<float> a(17), b(17), act(6, 0.f);
  env->Reset(1, a);
  env->Reset(2, b);
  EXPECT_EQ(a, b) << "no reset noise: every seed starts in the model's initial state";
  for (int t = 1; t <= 7; ++t) {
    auto r = env->Step(act, a);
    EXPECT_EQ(r->truncated, t == 7);
    EXPECT_FALSE(r->terminated);
  }
}

}  // namespace
}  // namespace irlab
