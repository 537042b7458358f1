// Faults injected into real irlab processes: kill -9 at seeded random points
// (after a random checkpoint, plus a random few milliseconds)
// of expert, train and collect, then the same command resumed (or rerun) and
// the result compared with an uninterrupted run's by its tensors (LibTorch
// writes optimiser state keyed by memory address, so file bytes differ); and
// a full disk (RLIMIT_FSIZE, SIGXFSZ ignored) during a checkpoint and a
// collect, which must end in a clear error with the last good checkpoint
// intact and loadable and no half file under a final name.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/checkpoint.h"
#include "core/files.h"
#include "core/rng.h"
#include "core/strings.h"
#include "data/demo_file.h"
#include "gtest/gtest.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int code = -1;
  std::string output;
};

// Runs `irlab args` through sh, with `prefix` shell commands first (ulimit, trap).
CommandResult Irlab(const std::string& args, const std::string& prefix = "") {
  CommandResult run;
  const std::string inner = StrCat(prefix, prefix.empty() ? "" : "; ", "exec ", IRLAB_BINARY, " ", args, " 2>&1");
  FILE* pipe = ::popen(StrCat("sh -c '", inner, "'").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Starts `irlab args` (output discarded), waits until `ready` exists, then
// sleeps `delay_ms` and kills it with SIGKILL. False if it ended by itself.
bool StartAndKill(const std::string& args, const fs::path& ready, int delay_ms) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", StrCat("exec ", IRLAB_BINARY, " ", args, " > /dev/null 2>&1").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  std::error_code ec;
  while (!fs::exists(ready, ec) && std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

void ExpectSameTensors(const fs::path& a, const fs::path& b) {
  auto x = LoadPpoCheckpoint(a);
  auto y = LoadPpoCheckpoint(b);
  ASSERT_TRUE(x.ok()) << x.status();
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(x->global_step, y->global_step);
  EXPECT_TRUE(torch::equal(x->policy.net->flat_params(), y->policy.net->flat_params()));
  EXPECT_TRUE(torch::equal(x->adam->m, y->adam->m));
  EXPECT_TRUE(torch::equal(x->adam->v, y->adam->v));
  EXPECT_EQ(x->policy.obs_rms.mean(), y->policy.obs_rms.mean());
  EXPECT_EQ(x->policy.obs_rms.var(), y->policy.obs_rms.var());
  EXPECT_EQ(x->reward_scaler.returns(), y->reward_scaler.returns());
  EXPECT_EQ(x->rng.state().s, y->rng.state().s);
}

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           StrCat("irlab_faults_", ::testing::UnitTest::GetInstance()->current_test_info()->name(), "_", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// checkpoint after every rollout of 2 envs x 64 steps; one VecEnv thread (exact)
constexpr char kTiny[] =
    " --set num_envs=2 --set threads=1 --set ppo.rollout_steps=64 --set ppo.minibatches=4 --set ppo.epochs=2"
    " --set checkpoint_every=128 --set eval_episodes=1";

TEST_F(FaultInjectionTest, ExpertKilledAtRandomPointsResumesExactly) {
  const std::string expert = StrCat("expert --env Pendulum --seed 3", kTiny, " --set total_steps=4096 --out ");
  CommandResult run = Irlab(expert + (dir_ / "whole").string());
  ASSERT_EQ(run.code, 0) << run.output;
  Rng rng(23);
  int killed = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const fs::path out = dir_ / StrCat("killed_", trial);
    // a random point: after the k-th of the run's 32 checkpoints (k <= 24,
    // whatever the machine's load), plus up to 30 ms
    const int k = 1 + static_cast<int>(rng.UniformInt(24));
    const int delay = static_cast<int>(rng.UniformInt(30));
    if (!StartAndKill(expert + out.string(), out / "checkpoints" / StrCat("step_", 128 * k, ".pt"), delay)) continue;
    ++killed;
    run = Irlab(StrCat("expert --resume ", out.string()));
    ASSERT_EQ(run.code, 0) << "killed after " << delay << " ms: " << run.output;
    ExpectSameTensors(dir_ / "whole" / "checkpoint.pt", out / "checkpoint.pt");
  }
  EXPECT_GE(killed, 2) << "the runs ended before the kill: nothing was tested";
}

TEST_F(FaultInjectionTest, TrainKilledAtRandomPointsResumesExactly) {
  CommandResult run = Irlab(StrCat("expert --env Pendulum", kTiny, " --set total_steps=128 --out ",
                                   (dir_ / "expert").string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const fs::path demos = dir_ / "demos.h5";
  run = Irlab(StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 4 --out ", demos.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const std::string train = StrCat("train --algo airl --env Pendulum --seed 5 --demos ", demos.string(), kTiny,
                                   " --set total_steps=3072 --set disc.batch_size=64 --out ");
  run = Irlab(train + (dir_ / "whole").string());
  ASSERT_EQ(run.code, 0) << run.output;
  Rng rng(29);
  int killed = 0;
  for (int trial = 0; trial < 2; ++trial) {
    const fs::path out = dir_ / StrCat("killed_", trial);
    // after the k-th of the run's 24 checkpoints (k <= 16), plus up to 30 ms
    const int k = 1 + static_cast<int>(rng.UniformInt(16));
    const int delay = static_cast<int>(rng.UniformInt(30));
    if (!StartAndKill(train + out.string(), out / "checkpoints" / StrCat("step_", 128 * k, ".pt"), delay)) continue;
    ++killed;
    run = Irlab(StrCat("train --resume ", out.string()));
    ASSERT_EQ(run.code, 0) << "killed after " << delay << " ms: " << run.output;
    ExpectSameTensors(dir_ / "whole" / "checkpoint.pt", out / "checkpoint.pt");
    auto a = LoadLearnedReward(dir_ / "whole");
    auto b = LoadLearnedReward(out);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->disc->params(), b->disc->params()) << "the discriminator's parameters";
  }
  EXPECT_GE(killed, 1) << "the runs ended before the kill: nothing was tested";
}

TEST_F(FaultInjectionTest, CollectKilledLeavesNoFileAndTheRerunCleansUp) {
  CommandResult run = Irlab(StrCat("expert --env Pendulum", kTiny, " --set total_steps=128 --out ",
                                   (dir_ / "expert").string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const fs::path demos = dir_ / "demos.h5";
  const std::string collect = StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 400 --out ",
                                     demos.string());
  // the temporary file appears with the first episode; kill soon after
  std::vector<fs::path> temps;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", StrCat("exec ", IRLAB_BINARY, " ", collect, " > /dev/null 2>&1").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (temps.empty() && std::chrono::steady_clock::now() < deadline) {
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().filename().string().rfind(".demos.h5.tmp.", 0) == 0) temps.push_back(e.path());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_EQ(temps.size(), 1u);
  ASSERT_TRUE(WIFSIGNALED(status)) << "collect ended before the kill";
  EXPECT_FALSE(fs::exists(demos)) << "a half file under the final name";
  EXPECT_TRUE(fs::exists(temps[0]));
  run = Irlab(StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 3 --out ", demos.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_FALSE(fs::exists(temps[0])) << "the killed collect's temporary file is still there";
  EXPECT_TRUE(DemoFile::Open(demos).ok());
}

// A full disk: files may grow only to 64 KiB (RLIMIT_FSIZE), and SIGXFSZ is
// ignored, so writes fail with EFBIG as they would with ENOSPC.
constexpr char kFullDisk[] = "trap \"\" XFSZ; ulimit -f 64";

TEST_F(FaultInjectionTest, FullDiskDuringACheckpointKeepsTheLastGoodOne) {
  const fs::path out = dir_ / "expert";
  CommandResult run = Irlab(StrCat("expert --env Pendulum", kTiny, " --set total_steps=512 --set pause_at_steps=128",
                                   " --out ", out.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  ASSERT_GT(fs::file_size(out / "checkpoint.pt"), 64u * 1024) << "the limit would not bite";
  const std::string before = *ReadFile(out / "checkpoint.pt");
  run = Irlab(StrCat("expert --resume ", out.string(), " --set pause_at_steps=0"), kFullDisk);
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find((out / "checkpoint.pt").string() + ": cannot write checkpoint"), std::string::npos)
      << run.output;
  EXPECT_EQ(*ReadFile(out / "checkpoint.pt"), before) << "the last good checkpoint changed";
  auto state = LoadPpoCheckpoint(out / "checkpoint.pt");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->global_step, 128);
  for (const auto& e : fs::directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path() << " left behind";
  }
  // with room again, the run resumes from it and finishes
  run = Irlab(StrCat("expert --resume ", out.string(), " --set pause_at_steps=0"));
  EXPECT_EQ(run.code, 0) << run.output;
}

TEST_F(FaultInjectionTest, FullDiskDuringACollectNamesTheOutputAndLeavesNothing) {
  CommandResult run = Irlab(StrCat("expert --env Pendulum", kTiny, " --set total_steps=128 --out ",
                                   (dir_ / "expert").string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const fs::path demos = dir_ / "demos.h5";
  run = Irlab(StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 40 --out ", demos.string()),
              kFullDisk);
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find(demos.string() + ": cannot write it: "), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(demos));
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path() << " left behind";
  }
}

}  // namespace
}  // namespace irlab
