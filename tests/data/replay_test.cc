// A real rollout (VecEnv, random policy) stored and read back replays
// exactly: the seed reproduces each first observation, and setting the stored
// qpos/qvel then stepping with the stored action reproduces the stored next
// observation, reward, flags and the next stored state bit for bit.
#include <algorithm>

#include "core/rng.h"
#include "data/demo_file.h"
#include "data/demo_writer.h"
#include "data/task_metadata.h"
#include "envs/registry.h"
#include "envs/vec_env.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

constexpr char kTask[] = "Hopper";

EnvOptions Options() {
  EnvOptions o;
  o.horizon = 20;  // short episodes: both time limits and falls occur
  return o;
}

// Runs a uniform random policy until `episodes` episodes finish and writes them.
void Collect(const fs::path& path, int episodes) {
  auto made = VecEnv::Make(kTask, 3, Options(), 1);
  ASSERT_TRUE(made.ok());
  VecEnv& envs = **made;
  const EnvSpec& spec = envs.spec();
  DemoMetadata m = TaskDemoMetadata(spec);
  m.env_options = "horizon = 20\n";
  m.source = "replay_test";
  auto writer = DemoWriter::Create(path, m);
  ASSERT_TRUE(writer.ok()) << writer.status();

  const int n = envs.num_envs(), od = spec.obs_dim, ad = spec.act_dim;
  std::vector<Episode> running(n);
  std::vector<float> actions(n * ad);
  envs.Reset(17);
  for (int i = 0; i < n; ++i) running[i].seed = envs.episode_seeds()[i];
  Rng rng(3);
  int written = 0;
  while (written < episodes) {
    std::vector<EnvState> before(n);
    std::vector<float> obs(envs.obs().begin(), envs.obs().end());
    for (int i = 0; i < n; ++i) before[i] = envs.env(i).GetState();
    for (float& a : actions) a = static_cast<float>(rng.Uniform(-1, 1));
    ASSERT_TRUE(envs.Step(actions).ok());
    for (int i = 0; i < n; ++i) {
      const bool done = envs.terminated()[i] || envs.truncated()[i];
      const std::span<const float> next =
          (done ? envs.final_obs() : envs.obs()).subspan(i * od, od);
      running[i].AddStep(std::span<const float>(obs).subspan(i * od, od),
                         std::span<const float>(actions).subspan(i * ad, ad), envs.rewards()[i],
                         next, envs.terminated()[i], envs.truncated()[i], before[i].qpos,
                         before[i].qvel);
      if (!done) continue;
      if (written < episodes) {
        ASSERT_TRUE((*writer)->Append(running[i]).ok());
        ++written;
      }
      running[i].Clear();
      running[i].seed = envs.episode_seeds()[i];  // the episode it was reset into
    }
  }
  ASSERT_TRUE((*writer)->Close().ok());
}

TEST(ReplayTest, StoredStatesReplayExactly) {
  const fs::path path = testing::TestDir() / "hopper.h5";
  Collect(path, 8);
  auto opened = DemoFile::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const DemoFile& f = **opened;
  ASSERT_TRUE(f.Validate().ok());
  const DemoMetadata& m = f.metadata();
  const int64_t n = f.num_transitions(), od = m.obs_dim, ad = m.act_dim;
  std::vector<float> obs(n * od), act(n * ad), rew(n), next(n * od);
  std::vector<uint8_t> term(n), timeout(n);
  std::vector<double> qpos(n * m.nq), qvel(n * m.nv);
  ASSERT_TRUE(f.Read(DemoField::kObservations, 0, n, std::span<float>(obs)).ok());
  ASSERT_TRUE(f.Read(DemoField::kActions, 0, n, std::span<float>(act)).ok());
  ASSERT_TRUE(f.Read(DemoField::kRewards, 0, n, std::span<float>(rew)).ok());
  ASSERT_TRUE(f.Read(DemoField::kNextObservations, 0, n, std::span<float>(next)).ok());
  ASSERT_TRUE(f.Read(DemoField::kTerminals, 0, n, std::span<uint8_t>(term)).ok());
  ASSERT_TRUE(f.Read(DemoField::kTimeouts, 0, n, std::span<uint8_t>(timeout)).ok());
  ASSERT_TRUE(f.Read(DemoField::kQpos, 0, n, std::span<double>(qpos)).ok());
  ASSERT_TRUE(f.Read(DemoField::kQvel, 0, n, std::span<double>(qvel)).ok());

  auto made = MakeEnv(m.task, Options());
  ASSERT_TRUE(made.ok());
  Env& env = **made;
  std::vector<float> o(od), o2(od);
  int terminated = 0, truncated = 0;
  for (int64_t e = 0; e < f.num_episodes(); ++e) {
    const int64_t start = f.episodes().start[e], length = f.episodes().length[e];
    // the seed reproduces the first observation
    env.Reset(f.episodes().seed[e], o);
    ASSERT_TRUE(std::equal(o.begin(), o.end(), &obs[start * od])) << "episode " << e;
    for (int64_t t = 0; t < length; ++t) {
      const int64_t row = start + t;
      EnvState s;
      s.qpos.assign(&qpos[row * m.nq], &qpos[(row + 1) * m.nq]);
      s.qvel.assign(&qvel[row * m.nv], &qvel[(row + 1) * m.nv]);
      if (t > 0) s.ctrl.assign(&act[(row - 1) * ad], &act[row * ad]);
      s.elapsed_steps = static_cast<int>(t);
      ASSERT_TRUE(env.SetState(s, o).ok());
      ASSERT_TRUE(std::equal(o.begin(), o.end(), &obs[row * od])) << "row " << row;
      auto r = env.Step(std::span<const float>(&act[row * ad], ad), o2);
      ASSERT_TRUE(r.ok());
      ASSERT_TRUE(std::equal(o2.begin(), o2.end(), &next[row * od])) << "row " << row;
      ASSERT_EQ(static_cast<float>(r->reward), rew[row]);
      ASSERT_EQ(r->terminated, term[row] == 1);
      ASSERT_EQ(r->truncated, timeout[row] == 1);
      if (t + 1 < length) {
        const EnvState after = env.GetState();
        ASSERT_TRUE(std::equal(after.qpos.begin(), after.qpos.end(), &qpos[(row + 1) * m.nq]));
        ASSERT_TRUE(std::equal(after.qvel.begin(), after.qvel.end(), &qvel[(row + 1) * m.nv]));
      }
    }
    terminated += term[start + length - 1];
    truncated += timeout[start + length - 1];
  }
  EXPECT_GE(terminated + truncated, 8);  // a step can be both
  EXPECT_GT(terminated, 0);
  EXPECT_GT(truncated, 0);
  std::printf("replayed %lld transitions of %d terminated and %d truncated episodes\n",
              static_cast<long long>(n), terminated, truncated);
}

}  // namespace
}  // namespace irlab
