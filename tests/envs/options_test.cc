// Gymnasium-v5 style task options: the researcher's own MJCF (xml_file) runs
// the task and is pinned by its digest; reward weights, healthy ranges,
// termination and observed positions change exactly what they name; options
// a task does not read are errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/files.h"
#include "envs/model_library.h"
#include "envs/registry.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

std::string Builtin(std::string_view name) {
  for (const auto& f : EmbeddedModels()) {
    if (name == f.name) return f.contents;
  }
  ADD_FAILURE() << name;
  return "";
}

double Term(const StepResult& r, std::string_view name) {
  for (int i = 0; i < r.info.terms.count; ++i) {
    if (name == r.info.terms.names[i]) return r.info.terms.values[i];
  }
  ADD_FAILURE() << "no term " << name;
  return NAN;
}

// Steps `task` from reset seed 3 with a fixed action; the rewards and last obs.
struct Rollout {
  std::vector<double> rewards;
  std::vector<float> obs;
  bool terminated = false;
};

Rollout Simulate(const std::string& task, const EnvOptions& options, int steps = 20) {
  auto env = MakeEnv(task, options);
  EXPECT_TRUE(env.ok()) << env.status();
  Rollout out;
  if (!env.ok()) return out;
  out.obs.resize((*env)->spec().obs_dim);
  (*env)->Reset(3, out.obs);
  std::vector<float> action((*env)->spec().act_dim, 0.3f);
  for (int t = 0; t < steps && !out.terminated; ++t) {
    auto r = (*env)->Step(action, out.obs);
    EXPECT_TRUE(r.ok());
    out.rewards.push_back(r->reward);
    out.terminated = r->terminated;
  }
  return out;
}

TEST(EnvOptionsTest, OwnModelFileRunsTheTaskAndIsPinnedByItsDigest) {
  const fs::path dir = testing::TestDir();
  const fs::path same = dir / "hopper_copy.xml", heavy = dir / "hopper_low_gravity.xml";
  const std::string text = Builtin("hopper.xml");
  ASSERT_TRUE(WriteFileAtomically(same, text).ok());
  // the same model with weaker gravity: another trajectory
  std::string changed = text;
  const size_t at = changed.find("gravity=\"0 0 -9.81\"");
  ASSERT_NE(at, std::string::npos);
  changed.replace(at, 19, "gravity=\"0 0 -4.00\"");
  ASSERT_TRUE(WriteFileAtomically(heavy, changed).ok());

  EnvOptions builtin, copy, light;
  copy.xml_file = same.string();
  light.xml_file = heavy.string();
  EXPECT_EQ(Simulate("Hopper", copy).obs, Simulate("Hopper", builtin).obs);
  EXPECT_NE(Simulate("Hopper", light).obs, Simulate("Hopper", builtin).obs);

  // pinned: the digest is recorded; a changed file is then an error naming it
  ASSERT_TRUE(PinTaskModel("Hopper", light).ok());
  EXPECT_EQ(light.model_digest, ModelDigest(changed));
  EXPECT_TRUE(fs::path(light.xml_file).is_absolute());
  EXPECT_TRUE(MakeEnv("Hopper", light).ok());
  ASSERT_TRUE(WriteFileAtomically(heavy, text).ok());
  auto stale = MakeEnv("Hopper", light);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(stale.status().message().find("not the one recorded"), std::string::npos)
      << stale.status();
  EXPECT_FALSE(PinTaskModel("Hopper", light).ok());

  // a model whose sizes do not fit the task's layout, and a missing file
  EnvOptions cheetah;
  cheetah.xml_file = same.string();
  auto misfit = MakeEnv("HalfCheetah", cheetah);
  ASSERT_FALSE(misfit.ok());
  EXPECT_NE(misfit.status().message().find("needs nq 9, nv 9, nu 6"), std::string::npos)
      << misfit.status();
  cheetah.xml_file = (dir / "missing.xml").string();
  EXPECT_FALSE(MakeEnv("HalfCheetah", cheetah).ok());
  EnvOptions pendulum;
  pendulum.xml_file = same.string();
  EXPECT_FALSE(MakeEnv("Pendulum", pendulum).ok());
  fs::remove_all(dir);
}

TEST(EnvOptionsTest, RewardWeightsScaleTheirTerms) {
  auto step = [](const std::string& task, const EnvOptions& o) {
    auto env = std::move(*MakeEnv(task, o));
    std::vector<float> obs(env->spec().obs_dim), action(env->spec().act_dim, 0.5f);
    env->Reset(1, obs);
    return *env->Step(action, obs);
  };
  const StepResult base = step("HalfCheetah", {});
  EnvOptions o;
  o.forward_reward_weight = 2.0;
  o.ctrl_cost_weight = 0.0;
  const StepResult weighted = step("HalfCheetah", o);
  EXPECT_DOUBLE_EQ(Term(weighted, "forward"), 2 * Term(base, "forward"));
  EXPECT_EQ(Term(weighted, "ctrl_cost"), 0.0);
  EXPECT_DOUBLE_EQ(Term(base, "ctrl_cost"), -0.1 * 6 * 0.25);

  EnvOptions hopper;
  hopper.healthy_reward = 3.0;
  EXPECT_EQ(Term(step("Hopper", hopper), "healthy"), 3.0);
  // a healthy range nothing satisfies: unhealthy at once, ending the episode unless told not to
  hopper.healthy_z_range = {5.0, 6.0};
  EXPECT_EQ(Term(step("Hopper", hopper), "healthy"), 0.0);
  EXPECT_TRUE(step("Hopper", hopper).terminated);
  hopper.terminate_when_unhealthy = false;
  EXPECT_FALSE(step("Hopper", hopper).terminated);
  EnvOptions walker;
  walker.healthy_angle_range = {2.0, 3.0};
  EXPECT_TRUE(step("Walker2d", walker).terminated);
}

TEST(EnvOptionsTest, PositionsCanBeObserved) {
  EnvOptions o;
  o.exclude_current_positions_from_observation = false;
  for (const auto& [task, extra] :
       {std::pair{"Hopper", 1}, std::pair{"Ant", 2}, std::pair{"Swimmer", 2}}) {
    auto with = MakeEnv(task, o);
    auto without = MakeEnv(task);
    ASSERT_TRUE(with.ok() && without.ok());
    EXPECT_EQ((*with)->spec().obs_dim, (*without)->spec().obs_dim + extra) << task;
    std::vector<float> obs((*with)->spec().obs_dim);
    (*with)->Reset(2, obs);
    EXPECT_EQ(obs[0], static_cast<float>((*with)->GetState().qpos[0])) << task;
  }
}

TEST(EnvOptionsTest, OptionsATaskDoesNotReadAreErrors) {
  EnvOptions o;
  o.healthy_reward = 1.0;
  auto cheetah = MakeEnv("HalfCheetah", o);
  ASSERT_FALSE(cheetah.ok());
  EXPECT_NE(cheetah.status().message().find(
                "env_options.healthy_reward: task HalfCheetah has no such parameter"),
            std::string::npos)
      << cheetah.status();
  EXPECT_FALSE(MakeEnv("Pendulum", o).ok());
  EnvOptions range;
  range.healthy_z_range = {1.0};
  EXPECT_FALSE(MakeEnv("Hopper", range).ok());
}

TEST(EnvOptionsTest, UnsetWeightsSurviveTheConfigRoundTrip) {
  EnvOptions o;
  o.ctrl_cost_weight = 0.25;
  o.healthy_z_range = {0.5, 2.5};
  const std::string toml = ConfigSchema::For(o).ToToml();
  EXPECT_NE(toml.find("ctrl_cost_weight = 0.25"), std::string::npos) << toml;
  EXPECT_NE(toml.find("# forward_reward_weight = (unset)"), std::string::npos) << toml;
  EnvOptions back;
  ASSERT_TRUE(ConfigSchema::For(back).ApplyText(toml, "test").ok());
  EXPECT_EQ(back.ctrl_cost_weight, 0.25);
  EXPECT_FALSE(back.forward_reward_weight.has_value());
  EXPECT_EQ(back.healthy_z_range, (std::vector<double>{0.5, 2.5}));
  EXPECT_EQ(ConfigSchema::For(back).ToToml(), toml);
  EnvOptions bad;
  EXPECT_FALSE(ConfigSchema::For(bad).ApplyOverride("ctrl_cost_weight=-1").ok());
  EXPECT_TRUE(ConfigSchema::For(bad).ApplyOverride("healthy_z_range=[0.1, 3]").ok());
}

}  // namespace
}  // namespace irlab
