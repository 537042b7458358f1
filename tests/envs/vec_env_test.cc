#include "envs/vec_env.h"

#include <gtest/gtest.h>

#include "core/rng.h"
#include "envs/registry.h"

namespace irlab {
namespace {

// Runs `steps` random steps and returns everything observed.
std::vector<float> RunTrace(const char* task, int num_envs, int threads, int steps,
                            EnvOptions opts = {}) {
  auto vec = std::move(*VecEnv::Make(task, num_envs, opts, threads));
  const int act_dim = vec->spec().act_dim;
  std::vector<float> actions(num_envs * act_dim), trace;
  Rng rng(3);
  vec->Reset(11);
  for (int t = 0; t < steps; ++t) {
    for (auto& a : actions) a = static_cast<float>(rng.Uniform(-1, 1));
    EXPECT_TRUE(vec->Step(actions).ok());
    trace.insert(trace.end(), vec->obs().begin(), vec->obs().end());
    trace.insert(trace.end(), vec->rewards().begin(), vec->rewards().end());
    for (int i = 0; i < num_envs; ++i) {
      if (vec->terminated()[i] || vec->truncated()[i]) {
        auto f = vec->final_obs().subspan(i * vec->spec().obs_dim, vec->spec().obs_dim);
        trace.insert(trace.end(), f.begin(), f.end());
        trace.push_back(static_cast<float>(vec->episode_returns()[i]));
      }
    }
  }
  return trace;
}

TEST(VecEnvTest, OneAndTwoThreadsGiveIdenticalResults) {
  EnvOptions opts;
  opts.horizon = 30;  // several auto-resets
  EXPECT_EQ(RunTrace("HalfCheetah", 4, 1, 100, opts), RunTrace("HalfCheetah", 4, 2, 100, opts));
  EXPECT_EQ(RunTrace("Hopper", 3, 1, 200), RunTrace("Hopper", 3, 2, 200));
}

TEST(VecEnvTest, AutoResetKeepsFinalObservationAndReturn) {
  EnvOptions opts;
  opts.horizon = 5;
  auto vec = std::move(*VecEnv::Make("Pendulum", 2, opts, 2));
  vec->Reset(0);
  std::vector<float> actions(2, 0.f);
  double manual_return[2] = {0, 0};
  std::vector<float> last_obs;
  for (int t = 1; t <= 5; ++t) {
    last_obs.assign(vec->obs().begin(), vec->obs().end());
    ASSERT_TRUE(vec->Step(actions).ok());
    for (int i = 0; i < 2; ++i) manual_return[i] += vec->rewards()[i];
  }
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(vec->truncated()[i]);
    EXPECT_EQ(vec->episode_lengths()[i], 5);
    EXPECT_NEAR(vec->episode_returns()[i], manual_return[i], 1e-4);
    // the final obs is the end of the old episode, obs() the start of the next
    // (episode k of env i is seeded with DeriveSeed(DeriveSeed(seed, i), k)):
    // a lone env replays both
    auto lone = std::move(*MakeEnv("Pendulum", opts));
    std::vector<float> obs(3), zero(1, 0.f);
    lone->Reset(Rng::DeriveSeed(Rng::DeriveSeed(0, i), 0), obs);
    for (int t = 1; t <= 5; ++t) ASSERT_TRUE(lone->Step(zero, obs).ok());
    EXPECT_EQ(
        std::vector<float>(vec->final_obs().begin() + i * 3, vec->final_obs().begin() + i * 3 + 3),
        obs);
    lone->Reset(Rng::DeriveSeed(Rng::DeriveSeed(0, i), 1), obs);
    EXPECT_EQ(std::vector<float>(vec->obs().begin() + i * 3, vec->obs().begin() + i * 3 + 3), obs);
  }
}

TEST(VecEnvTest, BadActionsAndNamesAreErrors) {
  auto vec = std::move(*VecEnv::Make("Swimmer", 2, {}, 2));
  vec->Reset(0);
  std::vector<float> wrong(3, 0.f);
  EXPECT_FALSE(vec->Step(wrong).ok());
  std::vector<float> nan(4, 0.f);
  nan[3] = NAN;
  auto s = vec->Step(nan);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not finite"), std::string::npos);
  EXPECT_TRUE(vec->Step(std::vector<float>(4, 0.f)).ok()) << "an error leaves the VecEnv usable";
  EXPECT_FALSE(VecEnv::Make("Nope", 2, {}, 1).ok());
  EXPECT_FALSE(VecEnv::Make("Swimmer", 0, {}, 1).ok());
}

}  // namespace
}  // namespace irlab
