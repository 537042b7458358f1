#include "algos/ppo/checkpoint.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"
#include "core/files.h"
#include "core/rng.h"
#include "core/strings.h"
#include "core/zip_check.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

PpoRunConfig TinyConfig() {
  PpoRunConfig cfg;
  cfg.env = "InvertedPendulum";
  cfg.num_envs = 2;
  cfg.threads = 1;
  cfg.total_steps = 512;
  cfg.checkpoint_every = 128;
  cfg.eval_episodes = 0;
  cfg.ppo.rollout_steps = 64;
  cfg.ppo.minibatches = 4;
  cfg.ppo.epochs = 2;
  return cfg;
}

fs::path FreshDir(const std::string& name) {
  // the pid keeps concurrent runs of the suite (other checkouts, the sanitizer build) apart
  const fs::path dir =
      fs::temp_directory_path() / ("irlab_ppo_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

torch::Tensor FinalParams(const fs::path& run) {
  auto p = LoadPolicy(run / "checkpoint.pt");
  EXPECT_TRUE(p.ok()) << p.status();
  return p->net->flat_params().clone();
}

TEST(CheckpointTest, InterruptedThenResumedEqualsUninterrupted) {
  const fs::path a = FreshDir("whole"), b = FreshDir("paused");
  PpoRunConfig cfg = TinyConfig();
  ASSERT_TRUE(TrainExpert(cfg, a, false).ok());
  PpoRunConfig paused = cfg;
  paused.pause_at_steps = 200;  // stops after the checkpoint at step 256
  ASSERT_TRUE(TrainExpert(paused, b, false).ok());
  auto mid = LoadPpoCheckpoint(b / "checkpoint.pt");
  ASSERT_TRUE(mid.ok()) << mid.status();
  EXPECT_EQ(mid->global_step, 256);
  ASSERT_TRUE(TrainExpert(cfg, b, true).ok());
  EXPECT_TRUE(torch::equal(FinalParams(a), FinalParams(b)));
  EXPECT_TRUE(fs::exists(a / "checkpoints" / "step_512.pt"));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(CheckpointTest, CheckpointAtStepPicksTheLastKeptOneAtOrBefore) {
  const fs::path run = FreshDir("kept");
  fs::create_directories(run / "checkpoints");
  for (const char* name :
       {"step_2048.pt", "step_10240.pt", "step_4096.pt", "notes.txt", "step_x.pt"}) {
    std::ofstream(run / "checkpoints" / name) << "x";
  }
  EXPECT_EQ(CheckpointAtStep(run, 5000).value(), run / "checkpoints" / "step_4096.pt");
  EXPECT_EQ(CheckpointAtStep(run, 4096).value(), run / "checkpoints" / "step_4096.pt");
  EXPECT_EQ(CheckpointAtStep(run, 1 << 30).value(), run / "checkpoints" / "step_10240.pt");
  const auto none = CheckpointAtStep(run, 1000);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("2048, 4096, 10240"), std::string::npos) << none.status();
  EXPECT_FALSE(CheckpointAtStep(run / "missing", 1000).ok());
  fs::remove_all(run);
}

// With overlap the next rollout is collected during the update, except before a
// checkpoint: runs repeat exactly, an interrupted run resumes exactly, and the
// result differs from the synchronous loop's (the overlapped path really ran).
TEST(CheckpointTest, OverlappedRunsRepeatAndResumeExactly) {
  const fs::path a = FreshDir("overlap_a"), b = FreshDir("overlap_b"),
                 c = FreshDir("overlap_paused"), sync = FreshDir("overlap_sync");
  PpoRunConfig cfg = TinyConfig();
  cfg.total_steps = 768;
  cfg.checkpoint_every = 256;  // rollouts of 128: prefetches after steps 128, 384 and 640
  ASSERT_TRUE(TrainExpert(cfg, sync, false).ok());
  cfg.overlap = true;
  ASSERT_TRUE(TrainExpert(cfg, a, false).ok());
  ASSERT_TRUE(TrainExpert(cfg, b, false).ok());
  EXPECT_TRUE(torch::equal(FinalParams(a), FinalParams(b)));
  EXPECT_FALSE(torch::equal(FinalParams(a), FinalParams(sync)));
  PpoRunConfig paused = cfg;
  paused.pause_at_steps = 200;  // stops after the checkpoint at step 256
  ASSERT_TRUE(TrainExpert(paused, c, false).ok());
  ASSERT_TRUE(TrainExpert(cfg, c, true).ok());
  EXPECT_TRUE(torch::equal(FinalParams(a), FinalParams(c)));
  for (const auto& d : {a, b, c, sync}) fs::remove_all(d);
}

// Two VecEnv threads step the envs and share each minibatch step (actor and
// critic side by side): the same bits as one thread, synchronous and overlapped.
TEST(CheckpointTest, TwoThreadsGiveTheSameRunAsOne) {
  for (bool overlap : {false, true}) {
    const fs::path one = FreshDir("threads_one"), two = FreshDir("threads_two");
    PpoRunConfig cfg = TinyConfig();
    cfg.overlap = overlap;
    ASSERT_TRUE(TrainExpert(cfg, one, false).ok());
    cfg.threads = 2;
    ASSERT_TRUE(TrainExpert(cfg, two, false).ok());
    EXPECT_TRUE(torch::equal(FinalParams(one), FinalParams(two))) << "overlap " << overlap;
    fs::remove_all(one);
    fs::remove_all(two);
  }
}

// The kept copy (checkpoints/step_N.pt) goes through a temporary file: a full
// disk (RLIMIT_FSIZE below its size, SIGXFSZ ignored) leaves no half copy
// under its name, where `irlab eval --step` would find it. (fs::copy_file left
// the first 40000 bytes of a 100000-byte file under the final name.)
TEST(CheckpointTest, AKeptCopyIsWholeOrAbsent) {
  const fs::path run = FreshDir("kept_copy");
  fs::create_directories(run / "checkpoints");
  const std::string bytes(100000, 'c');
  ASSERT_TRUE(WriteFileAtomically(run / "checkpoint.pt", bytes).ok());
  const fs::path copy = run / "checkpoints" / "step_128.pt";
  {
    rlimit saved{};
    ::getrlimit(RLIMIT_FSIZE, &saved);
    const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved;
    limit.rlim_cur = bytes.size() / 2;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
    const absl::Status s = KeepCheckpointCopy(run / "checkpoint.pt", 128);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    ::signal(SIGXFSZ, old_handler);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(copy.string() + ": cannot keep a copy of the checkpoint: "),
              std::string::npos)
        << s;
  }
  EXPECT_FALSE(fs::exists(copy)) << "a half copy under the final name";
  EXPECT_TRUE(fs::is_empty(run / "checkpoints")) << "a temporary file left behind";
  ASSERT_TRUE(KeepCheckpointCopy(run / "checkpoint.pt", 128).ok());
  EXPECT_TRUE(*ReadFile(copy) == bytes);
}

// A run stopped while copying step 384 (its directory made read-only between the
// temporary file and the rename) resumes from an earlier checkpoint and never
// copies step 384 again: its next copy removes that temporary file too, and
// keeps one whose process still runs.
TEST(CheckpointTest, ACopyRemovesStaleTemporaryCopiesOfOtherSteps) {
  const fs::path run = FreshDir("stale_copies");
  fs::create_directories(run / "checkpoints");
  ASSERT_TRUE(WriteFileAtomically(run / "checkpoint.pt", "checkpoint").ok());
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const fs::path stale = run / "checkpoints" / StrCat(".step_384.pt.tmp.", dead);
  const fs::path live = run / "checkpoints" / StrCat(".step_256.pt.tmp.", ::getppid());
  ASSERT_TRUE(WriteFileAtomically(stale, "half").ok());
  ASSERT_TRUE(WriteFileAtomically(live, "being written").ok());
  ASSERT_TRUE(KeepCheckpointCopy(run / "checkpoint.pt", 512).ok());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_EQ(*ReadFile(run / "checkpoints" / "step_512.pt"), "checkpoint");
  fs::remove_all(run);
}

TEST(CheckpointTest, SaveLoadGivesIdenticalActions) {
  const fs::path dir = FreshDir("actions");
  PpoRunConfig cfg = TinyConfig();
  cfg.total_steps = 128;
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  auto state = LoadPpoCheckpoint(dir / "checkpoint.pt");
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(SavePpoCheckpoint(dir / "copy.pt", *state).ok());
  auto p1 = Policy::Load(dir);
  auto p2 = Policy::Load(dir / "copy.pt");
  ASSERT_TRUE(p1.ok() && p2.ok());
  std::vector<float> obs = {0.01f, -0.02f, 0.3f, 0.1f, 0.0f, 0.05f, -0.2f, 0.4f};
  std::vector<float> a1(2), a2(2);
  Rng r1(5), r2(5);
  (*p1)->Act(obs, 2, false, r1, a1);
  (*p2)->Act(obs, 2, false, r2, a2);
  EXPECT_EQ(a1, a2);
  fs::remove_all(dir);
}

TEST(CheckpointTest, BadCheckpointsAndResumesAreClearErrors) {
  const fs::path dir = FreshDir("bad");
  auto missing = LoadPolicy(dir / "nope.pt");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.pt"), std::string::npos);

  PpoRunConfig cfg = TinyConfig();
  cfg.total_steps = 128;
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  // truncated
  const std::string bytes = *ReadFile(dir / "checkpoint.pt");
  ASSERT_TRUE(WriteFileAtomically(dir / "cut.pt", bytes.substr(0, bytes.size() / 2)).ok());
  auto cut = LoadPolicy(dir / "cut.pt");
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("cut.pt"), std::string::npos) << cut.status();
  // garbage
  ASSERT_TRUE(WriteFileAtomically(dir / "junk.pt", "not a checkpoint").ok());
  EXPECT_FALSE(LoadPpoCheckpoint(dir / "junk.pt").ok());
  // a resume that changes the network or the task
  PpoRunConfig wider = cfg;
  wider.total_steps = 256;
  wider.ppo.actor_hidden = {32, 32};
  absl::Status s = TrainExpert(wider, dir, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("network shape"), std::string::npos) << s;
  PpoRunConfig other = cfg;
  other.env = "Pendulum";
  s = TrainExpert(other, dir, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("InvertedPendulum"), std::string::npos) << s;
  fs::remove_all(dir);
}

// Every tensor and counter two training states hold.
void ExpectSameState(const PpoTrainState& a, const PpoTrainState& b) {
  EXPECT_TRUE(torch::equal(a.policy.net->flat_params(), b.policy.net->flat_params()));
  EXPECT_TRUE(torch::equal(a.adam->m, b.adam->m));
  EXPECT_TRUE(torch::equal(a.adam->v, b.adam->v));
  EXPECT_EQ(a.adam->steps, b.adam->steps);
  EXPECT_EQ(a.policy.obs_rms.mean(), b.policy.obs_rms.mean());
  EXPECT_EQ(a.policy.obs_rms.var(), b.policy.obs_rms.var());
  EXPECT_EQ(a.policy.obs_rms.count(), b.policy.obs_rms.count());
  EXPECT_EQ(a.reward_scaler.returns(), b.reward_scaler.returns());
  EXPECT_EQ(a.config_toml, b.config_toml);
  EXPECT_EQ(a.global_step, b.global_step);
  EXPECT_EQ(a.iteration, b.iteration);
  EXPECT_EQ(a.rng.state().s, b.rng.state().s);
  ASSERT_EQ(a.envs.envs.size(), b.envs.envs.size());
  for (size_t i = 0; i < a.envs.envs.size(); ++i) {
    EXPECT_EQ(a.envs.envs[i].qpos, b.envs.envs[i].qpos);
    EXPECT_EQ(a.envs.envs[i].qvel, b.envs.envs[i].qvel);
  }
  EXPECT_EQ(a.envs.running_return, b.envs.running_return);
}

// A bit flipped anywhere in a checkpoint is caught on load (the archive's
// CRC-32s are checked) with the file named, or changes nothing that is read;
// a resume from a damaged checkpoint is refused as damaged.
TEST(CheckpointTest, FlippedBitsAreDetectedOnEveryLoad) {
  const fs::path dir = FreshDir("flipped");
  PpoRunConfig cfg = TinyConfig();
  cfg.total_steps = 128;
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  auto original = LoadPpoCheckpoint(dir / "checkpoint.pt");
  ASSERT_TRUE(original.ok()) << original.status();
  const std::string bytes = *ReadFile(dir / "checkpoint.pt");
  const fs::path flipped = dir / "flipped.pt";
  int detected = 0, harmless = 0;
  int64_t damaging_offset = -1;
  for (size_t at = 7; at < bytes.size(); at += 97) {
    std::string copy = bytes;
    copy[at] = static_cast<char>(copy[at] ^ (1 << (at % 8)));
    std::ofstream(flipped, std::ios::binary | std::ios::trunc) << copy;
    auto loaded = LoadPpoCheckpoint(flipped);
    if (loaded.ok()) {
      SCOPED_TRACE(StrCat("bit ", at % 8, " of byte ", at, " flipped, and the file loaded"));
      ExpectSameState(*original, *loaded);
      ++harmless;
    } else {
      EXPECT_NE(loaded.status().message().find(flipped.string()), std::string::npos)
          << loaded.status();
      EXPECT_EQ(LoadPolicy(flipped).status().message(), loaded.status().message());
      if (damaging_offset < 0 && loaded.status().message().find("CRC-32") != std::string::npos &&
          at > bytes.size() / 2) {
        damaging_offset = static_cast<int64_t>(at);
      }
      ++detected;
    }
  }
  std::printf("%d flips detected, %d harmless (in bytes nothing reads)\n", detected, harmless);
  EXPECT_GT(detected, harmless);
  ASSERT_GE(damaging_offset, 0);

  // the run's own checkpoint damaged: the resume refuses it as damaged
  std::string copy = bytes;
  copy[damaging_offset] = static_cast<char>(copy[damaging_offset] ^ (1 << (damaging_offset % 8)));
  ASSERT_TRUE(WriteFileAtomically(dir / "checkpoint.pt", copy).ok());
  PpoRunConfig longer = cfg;
  longer.total_steps = 256;
  const absl::Status s = TrainExpert(longer, dir, true);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find((dir / "checkpoint.pt").string() + ": damaged checkpoint"),
            std::string::npos)
      << s;
  EXPECT_EQ(s.message().find("last good"), std::string::npos) << s;
  // what a run that stops names as its last good checkpoint
  EXPECT_NE(LastGoodCheckpoint(dir / "checkpoint.pt").find("no good checkpoint is left: "),
            std::string::npos);
  EXPECT_NE(LastGoodCheckpoint(dir / "never.pt").find("no checkpoint was saved yet"),
            std::string::npos);
  EXPECT_EQ(LastGoodCheckpoint(flipped.parent_path() / "checkpoints" / "step_128.pt"),
            "the last good checkpoint is " + (dir / "checkpoints" / "step_128.pt").string());
  fs::remove_all(dir);
}

// Recomputes the CRC-32 of every stored entry (central directory and local
// header), so damage reaches the loaders behind the archive check.
void RefreshCrcs(std::string& zip) {
  auto get = [&](size_t at, int bytes) -> uint64_t {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
      v = (v << 8) | (at + i < zip.size() ? static_cast<uint8_t>(zip[at + i]) : 0);
    return v;
  };
  auto put32 = [&](size_t at, uint32_t v) {
    for (int i = 0; i < 4 && at + i < zip.size(); ++i)
      zip[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  size_t eocd = zip.size() >= 22 ? zip.size() - 22 : 0;
  while (eocd > 0 && get(eocd, 4) != 0x06054b50) --eocd;
  if (get(eocd, 4) != 0x06054b50) return;
  size_t at = get(eocd + 16, 4);
  for (uint64_t i = 0, n = get(eocd + 10, 2); i < n && get(at, 4) == 0x02014b50; ++i) {
    const uint64_t size = get(at + 20, 4), local = get(at + 42, 4);
    const uint64_t begin = local + 30 + get(local + 26, 2) + get(local + 28, 2);
    if (get(at + 10, 2) == 0 && begin <= zip.size() && size <= zip.size() - begin) {
      const uint32_t crc = Crc32(std::string_view(zip).substr(begin, size));
      put32(at + 16, crc);
      put32(local + 14, crc);
    }
    at += 46 + get(at + 28, 2) + get(at + 30, 2) + get(at + 32, 2);
  }
}

// The bug the sanitizer run found (a heap-buffer-overflow in the loader),
// made on purpose: in data.pkl the size of policy/params raised past its data
// record (the pickle's BININT1 after the storage offset), CRC-32s recomputed so
// the archive check passes. Both loaders refuse it by name instead of reading
// past the buffer.
TEST(CheckpointTest, ATensorLargerThanItsDataIsRefusedByName) {
  const fs::path dir = FreshDir("oversized");
  PpoRunConfig cfg = TinyConfig();
  cfg.total_steps = 128;
  cfg.ppo.actor_hidden = cfg.ppo.critic_hidden = {4};
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  std::string bytes = *ReadFile(dir / "checkpoint.pt");
  const size_t name = bytes.find("policy/params");
  ASSERT_NE(name, std::string::npos);
  // _rebuild_tensor_v2((storage...), offset 0, (size,), (stride,)): "K\0(K<size>t"
  const size_t sizes = bytes.find(std::string("K\0(K", 4), name);
  ASSERT_NE(sizes, std::string::npos);
  ASSERT_LT(static_cast<uint8_t>(bytes[sizes + 4]), 255)
      << "the parameter count needs a wider integer";
  bytes[sizes + 4] = static_cast<char>(255);
  RefreshCrcs(bytes);
  const fs::path path = dir / "oversized.pt";
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  ASSERT_TRUE(VerifyZipFile(path).ok())
      << "the archive check refused it: the loaders are not reached";
  for (const absl::Status& s : {LoadPpoCheckpoint(path).status(), LoadPolicy(path).status()}) {
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.message().find(path.string() + ": entry 'policy/params' is larger than its data"),
              std::string::npos)
        << s;
  }
  fs::remove_all(dir);
}

// The loaders behind the CRC-32 check: archives damaged and then given
// matching CRC-32s (a consistent but wrong file) load as a whole state or
// fail with an error naming the file; never a crash (ASan + UBSan in the
// sanitizer build). Seeded.
TEST(CheckpointTest, ConsistentlyDamagedArchivesLoadOrFailByName) {
  const fs::path dir = FreshDir("consistent");
  PpoRunConfig cfg = TinyConfig();
  cfg.total_steps = 128;
  cfg.ppo.actor_hidden = cfg.ppo.critic_hidden = {4};
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  const std::string bytes = *ReadFile(dir / "checkpoint.pt");
  Rng rng(31);
  int loaded = 0, refused = 0;
  for (int it = 0; it < 100; ++it) {
    std::string copy = bytes;
    const int flips = 1 + static_cast<int>(rng.UniformInt(4));
    for (int i = 0; i < flips; ++i)
      copy[rng.UniformInt(copy.size())] ^= static_cast<char>(1 + rng.UniformInt(255));
    RefreshCrcs(copy);
    const fs::path path = dir / "mutant.pt";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << copy;  // no fsync: many small files
    SCOPED_TRACE(StrCat("mutant ", it));
    for (const absl::Status& s : {LoadPpoCheckpoint(path).status(), LoadPolicy(path).status()}) {
      if (s.ok()) {
        ++loaded;
      } else {
        ++refused;
        EXPECT_NE(s.message().find(path.string()), std::string::npos) << s;
      }
    }
  }
  std::printf("%d loads of consistently damaged archives succeeded, %d refused by name\n", loaded,
              refused);
  EXPECT_GT(refused, 0);
  fs::remove_all(dir);
}

// A second reward scores each step of an evaluation: with 1 per step the scored
// return is the episode's length; each step's next observation is the following
// step's observation, or where an episode ended the one it ended in; the true
// returns do not change.
TEST(CheckpointTest, EvaluationScoresEachStepWithASecondReward) {
  const fs::path dir = FreshDir("scored");
  ASSERT_TRUE(TrainExpert(TinyConfig(), dir, false).ok());
  auto policy = Policy::Load(dir);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<float> last_next;
  int steps = 0, chained = 0, ended = 0;
  const TransitionScorer ones = [&](std::span<const float> obs, std::span<const float> act,
                                    std::span<const float> next_obs,
                                    std::span<const uint8_t> terminated, std::span<float> rewards) {
    ASSERT_EQ(obs.size(), next_obs.size());
    ASSERT_EQ(act.size() * 4, obs.size());  // InvertedPendulum: obs 4, act 1
    const int n = static_cast<int>(rewards.size());
    for (int i = 0; i < n; ++i) {
      rewards[i] = 1.f;
      ended += terminated[i];
      // an ended episode's next observation is its last (the pole past 0.2 rad), not the reset one
      if (terminated[i]) {
        EXPECT_GT(std::abs(next_obs[4 * i + 1]), 0.2f);
      }
      // where the previous step did not end an episode, it reached this step's observation
      if (!last_next.empty() &&
          std::equal(obs.begin() + 4 * i, obs.begin() + 4 * i + 4, last_next.begin() + 4 * i)) {
        ++chained;
      }
    }
    if (!last_next.empty()) steps += n;
    last_next.assign(next_obs.begin(), next_obs.end());
  };
  auto plain = EvaluatePolicy((*policy)->state(), "InvertedPendulum", {}, 5, true, 3, 1);
  auto scored = EvaluatePolicy((*policy)->state(), "InvertedPendulum", {}, 5, true, 3, 1, ones);
  ASSERT_TRUE(plain.ok() && scored.ok());
  EXPECT_EQ(plain->returns, scored->returns);
  EXPECT_TRUE(plain->scored_returns.empty());
  ASSERT_EQ(scored->scored_returns.size(), 5u);
  double lengths = 0;
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(scored->scored_returns[k], scored->lengths[k]);
    lengths += scored->lengths[k];
  }
  EXPECT_DOUBLE_EQ(scored->mean_scored_return, lengths / 5);
  EXPECT_GT(ended, 0);  // a tiny policy drops the pole: episodes end by termination
  // every step but those after an episode's end (auto-reset) continues the previous one
  EXPECT_GE(chained, steps - 5 * ended);
  EXPECT_GT(chained, 0);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace irlab
