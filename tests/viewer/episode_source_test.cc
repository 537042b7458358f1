// Episode sources: stored demonstrations replay exactly (every drawn state
// is the stored one and re-simulating each stored action lands on the next
// stored state bit for bit); a tampered file shows its drift; policy and
// random episodes are reproducible; learned rewards reach the readout.
#include "viewer/episode_source.h"

#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "algos/ppo/ppo.h"
#include "core/rng.h"
#include "data/demo_writer.h"
#include "data/task_metadata.h"
#include "envs/registry.h"
#include "gtest/gtest.h"
#include "tests/viewer/test_util.h"
#include "viewer/overlay.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

// Random-action Hopper episodes of at most 20 steps (some fall, some time
// out), with the state before every step and after the last.
std::vector<Episode> CollectHopper(int episodes) {
  EnvOptions options;
  options.horizon = 20;
  auto env = MakeEnv("Hopper", options);
  EXPECT_TRUE(env.ok());
  const EnvSpec& spec = (*env)->spec();
  std::vector<Episode> out(episodes);
  std::vector<float> obs(spec.obs_dim), next(spec.obs_dim), action(spec.act_dim);
  Rng rng(9);
  for (int e = 0; e < episodes; ++e) {
    Episode& ep = out[e];
    ep.seed = 100 + e;
    (*env)->Reset(ep.seed, obs);
    for (bool done = false; !done;) {
      const EnvState before = (*env)->GetState();
      for (float& a : action) a = static_cast<float>(rng.Uniform(-1, 1));
      auto r = (*env)->Step(action, next);
      EXPECT_TRUE(r.ok());
      ep.AddStep(obs, action, static_cast<float>(r->reward), next, r->terminated,
                 r->truncated && !r->terminated, before.qpos, before.qvel);
      done = r->terminated || r->truncated;
      obs = next;
    }
    const EnvState last = (*env)->GetState();
    ep.final_qpos = last.qpos;
    ep.final_qvel = last.qvel;
  }
  return out;
}

void Write(const fs::path& path, const std::vector<Episode>& episodes) {
  auto env = MakeEnv("Hopper");
  const EnvSpec& spec = (*env)->spec();
  DemoMetadata m = TaskDemoMetadata(spec);
  m.horizon = 20;
  m.env_options = "horizon = 20\n";
  m.source = "viewer test";
  auto writer = DemoWriter::Create(path, m);
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (const Episode& ep : episodes) ASSERT_TRUE((*writer)->Append(ep).ok());
  ASSERT_TRUE((*writer)->Close().ok());
}

bool StateIs(const Env& env, const double* qpos, const double* qvel) {
  const EnvState s = env.GetState();
  return std::equal(s.qpos.begin(), s.qpos.end(), qpos) &&
         std::equal(s.qvel.begin(), s.qvel.end(), qvel);
}

TEST(DemoSourceTest, ReplaysStoredStatesExactly) {
  const fs::path path = testing::TestDir() / "hopper.h5";
  const std::vector<Episode> episodes = CollectHopper(6);
  Write(path, episodes);
  auto source = DemoSource::Open(path);
  ASSERT_TRUE(source.ok()) << source.status();
  DemoSource& demos = **source;
  ASSERT_EQ(demos.num_episodes(), 6);
  EXPECT_EQ(demos.env().spec().horizon, 20);  // the file's env options
  const int nq = demos.env().spec().nq, nv = demos.env().spec().nv;
  int terminated = 0, truncated = 0, steps = 0;
  for (int e = 0; e < 6; ++e) {
    const Episode& ep = episodes[e];
    ASSERT_TRUE(demos.Start(e).ok());
    ASSERT_TRUE(StateIs(demos.env(), &ep.qpos[0], &ep.qvel[0])) << "episode " << e;
    double ret = 0;
    for (int t = 0; t < ep.length(); ++t) {
      ASSERT_FALSE(demos.readout().done());
      ASSERT_TRUE(demos.Step().ok());
      const bool last = t + 1 == ep.length();
      const double* qpos = last ? ep.final_qpos.data() : &ep.qpos[(t + 1) * nq];
      const double* qvel = last ? ep.final_qvel.data() : &ep.qvel[(t + 1) * nv];
      ASSERT_TRUE(StateIs(demos.env(), qpos, qvel)) << "episode " << e << " step " << t + 1;
      ret += ep.rewards[t];
      EXPECT_EQ(demos.readout().step, t + 1);
      EXPECT_EQ(demos.readout().reward, ep.rewards[t]);
      EXPECT_EQ(demos.readout().episode_return, ret);
      ++steps;
    }
    EXPECT_EQ(demos.readout().terminated, ep.terminals.back() == 1);
    EXPECT_EQ(demos.readout().truncated, ep.timeouts.back() == 1);
    EXPECT_EQ(demos.replay_deviation(), 0.0) << "episode " << e;
    terminated += demos.readout().terminated;
    truncated += demos.readout().truncated;
    // stepping past the end changes nothing
    ASSERT_TRUE(demos.Step().ok());
    EXPECT_EQ(demos.readout().step, ep.length());
  }
  EXPECT_GT(terminated, 0);
  EXPECT_GT(truncated, 0);
  std::printf("replayed %d steps of %d terminated and %d truncated episodes exactly\n", steps,
              terminated, truncated);
  // out of range
  const absl::Status s = demos.Start(6);
  EXPECT_EQ(s.code(), absl::StatusCode::kOutOfRange);
  EXPECT_NE(std::string(s.message()).find("the file has 6 episode(s), 0 to 5"), std::string::npos)
      << s;
}

TEST(DemoSourceTest, TamperedStateShowsDrift) {
  // a stored state off by 1e-3 is still what is drawn, and the re-simulation
  // check reports the difference
  const fs::path path = testing::TestDir() / "tampered.h5";
  std::vector<Episode> episodes = CollectHopper(1);
  ASSERT_GE(episodes[0].length(), 3);
  const int nq = 6;
  episodes[0].qpos[2 * nq + 1] += 1e-3;  // z of the torso before step 2
  Write(path, episodes);
  auto source = DemoSource::Open(path);
  ASSERT_TRUE(source.ok()) << source.status();
  ASSERT_TRUE((*source)->Step().ok());
  EXPECT_EQ((*source)->replay_deviation(), 0.0);
  ASSERT_TRUE((*source)->Step().ok());
  EXPECT_TRUE(StateIs((*source)->env(), &episodes[0].qpos[2 * nq], &episodes[0].qvel[2 * nq]));
  EXPECT_NEAR((*source)->replay_deviation(), 1e-3, 1e-9);
}

TEST(DemoSourceTest, FileErrorsNameTheFile) {
  const fs::path dir = testing::TestDir();
  auto missing = DemoSource::Open(dir / "missing.h5");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(std::string(missing.status().message()).find("missing.h5"), std::string::npos);
  // a file without stored states cannot be drawn
  std::vector<Episode> episodes = CollectHopper(1);
  episodes[0].qpos.clear();
  episodes[0].qvel.clear();
  episodes[0].final_qpos.clear();
  episodes[0].final_qvel.clear();
  auto env = MakeEnv("Hopper");
  DemoMetadata m;
  m.task = "Hopper";
  m.obs_dim = 11;
  m.act_dim = 3;
  m.act_low = (*env)->spec().act_low;  // the writer needs them (empty ones fail in HDF5)
  m.act_high = (*env)->spec().act_high;
  auto writer = DemoWriter::Create(dir / "stateless.h5", m);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE((*writer)->Append(episodes[0]).ok());
  const absl::Status closed = (*writer)->Close();
  ASSERT_TRUE(closed.ok()) << closed;
  auto stateless = DemoSource::Open(dir / "stateless.h5");
  ASSERT_FALSE(stateless.ok());
  EXPECT_NE(std::string(stateless.status().message()).find("no stored states"), std::string::npos)
      << stateless.status();
}

// replay --demos validates the file as inspect does, before drawing anything:
// a NaN reward is refused by file, dataset and row.
TEST(DemoSourceTest, InvalidValuesAreRefusedAtOpen) {
  const fs::path path = testing::TestDir() / "nan_reward.h5";
  Write(path, CollectHopper(2));
  {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const hid_t d = H5Dopen2(file, "rewards", H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    const hsize_t start[1] = {1}, count[1] = {1};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t mem = H5Screate_simple(1, count, nullptr);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    ASSERT_GE(H5Dwrite(d, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, &nan), 0);
    H5Sclose(mem);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(file);
  }
  auto source = DemoSource::Open(path);
  ASSERT_FALSE(source.ok()) << "a file with a NaN reward was opened for drawing";
  const std::string message(source.status().message());
  for (const std::string& words :
       {path.string(), std::string("'rewards' row 1"), std::string("non-finite")}) {
    EXPECT_NE(message.find(words), std::string::npos) << message;
  }
}

TEST(PolicySourceTest, EpisodesAreReproducible) {
  PolicySourceOptions options;
  options.task = "Walker2d";
  options.episodes = 3;
  options.seed = 4;
  auto a = PolicySource::Create(nullptr, "", options);
  auto b = PolicySource::Create(nullptr, "", options);
  ASSERT_TRUE(a.ok() && b.ok());
  // b plays episode 2 after episode 1; a goes straight to 2: same states
  ASSERT_TRUE((*b)->Start(1).ok());
  for (int t = 0; t < 5; ++t) ASSERT_TRUE((*b)->Step().ok());
  ASSERT_TRUE((*a)->Start(2).ok());
  ASSERT_TRUE((*b)->Start(2).ok());
  for (int t = 0; t < 10; ++t) {
    ASSERT_TRUE((*a)->Step().ok());
    ASSERT_TRUE((*b)->Step().ok());
    EXPECT_EQ((*a)->env().GetState().qpos, (*b)->env().GetState().qpos);
    EXPECT_EQ((*a)->readout().reward, (*b)->readout().reward);
  }
  EXPECT_EQ((*a)->Start(3).code(), absl::StatusCode::kOutOfRange);
  // random actions need a task
  options.task = "";
  EXPECT_FALSE(PolicySource::Create(nullptr, "", options).ok());
}

TEST(PolicySourceTest, LearnedRewardReachesReadoutAndOverlay) {
  PolicySourceOptions options;
  options.task = "PointMazeLeft";
  options.learned.label = "test g";
  // r(s, a, s') = x of the next position: a number the test can check
  options.learned.reward = [](std::span<const float> obs, std::span<const float> act,
                              std::span<const float> next) { return double(next[0]); };
  auto source = PolicySource::Create(nullptr, "", options);
  ASSERT_TRUE(source.ok()) << source.status();
  double sum = 0;
  for (int t = 0; t < 5; ++t) {
    ASSERT_TRUE((*source)->Step().ok());
    const double x = (*source)->env().GetState().qpos[0] + 0.3;  // the particle starts at x 0.3
    EXPECT_NEAR((*source)->readout().learned_reward, x, 1e-6);
    sum += (*source)->readout().learned_reward;
  }
  EXPECT_DOUBLE_EQ((*source)->readout().learned_return, sum);
  const OverlayText overlay = StepOverlay(**source);
  EXPECT_NE(overlay.titles.find("Learned"), std::string::npos);
  EXPECT_NE(overlay.values.find("(test g)"), std::string::npos);
  EXPECT_NE(overlay.values.find("PointMazeLeft"), std::string::npos);
  EXPECT_NE(overlay.values.find("5 / 100"), std::string::npos) << overlay.values;
}

TEST(PolicySourceTest, TrainedPolicyActsAndMustFitTheTask) {
  const fs::path run = testing::TestDir() / "run";
  fs::create_directories(run);  // TrainExpert writes into an existing folder
  PpoRunConfig cfg;
  cfg.env = "InvertedPendulum";
  cfg.total_steps = 128;
  cfg.num_envs = 2;
  cfg.threads = 1;
  cfg.ppo.rollout_steps = 64;
  cfg.ppo.minibatches = 4;
  cfg.eval_episodes = 0;
  const absl::Status trained = TrainExpert(cfg, run, false);
  ASSERT_TRUE(trained.ok()) << trained;
  PolicySourceOptions options;
  options.deterministic = true;
  options.episodes = 2;
  auto policy = Policy::Load(run);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto source = PolicySource::Create(std::move(*policy), run.string(), options);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ((*source)->env().spec().name, "InvertedPendulum");
  EXPECT_NE((*source)->description().find("(mean)"), std::string::npos);
  while (!(*source)->readout().done()) ASSERT_TRUE((*source)->Step().ok());
  EXPECT_GT((*source)->readout().step, 0);
  EXPECT_EQ((*source)->readout().episode_return, (*source)->readout().step);  // 1 per step
  // the policy's sizes must fit the task
  options.task = "HalfCheetah";
  auto misfit = PolicySource::Create(*Policy::Load(run), run.string(), options);
  ASSERT_FALSE(misfit.ok());
  EXPECT_NE(std::string(misfit.status().message()).find("does not fit task HalfCheetah"),
            std::string::npos)
      << misfit.status();
}

}  // namespace
}  // namespace irlab::viewer
