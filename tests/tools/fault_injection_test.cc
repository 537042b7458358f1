// Faults injected into real irlab processes: kill -9 at seeded random points
// (after a random checkpoint, plus a random few milliseconds)
// of expert, train and collect, then the same command resumed (or rerun) and
// the result compared with an uninterrupted run's by its tensors (LibTorch
// writes optimiser state keyed by memory address, so file bytes differ); and
// a full disk (RLIMIT_FSIZE, SIGXFSZ ignored) during a checkpoint, a collect
// and a metrics write, and a run directory made read-only mid-run, which must
// end in a clear error naming the file with the last good checkpoint intact
// and loadable, no half file under a final name, and a resume that finishes.
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/checkpoint.h"
#include "core/files.h"
#include "core/json.h"
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
  const std::string inner =
      StrCat(prefix, prefix.empty() ? "" : "; ", "exec ", IRLAB_BINARY, " ", args, " 2>&1");
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
    ::execl("/bin/sh", "sh", "-c",
            StrCat("exec ", IRLAB_BINARY, " ", args, " > /dev/null 2>&1").c_str(),
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
           StrCat("irlab_faults_", ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                  "_", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void ExpectReadOnlyRunDirStopsCleanly(const std::string& flags, int64_t ready_step,
                                        int64_t total_steps, std::string& output);
  fs::path dir_;
};

// checkpoint after every rollout of 2 envs x 64 steps; one VecEnv thread (exact)
constexpr char kTiny[] =
    " --set num_envs=2 --set threads=1 --set ppo.rollout_steps=64 --set ppo.minibatches=4 --set "
    "ppo.epochs=2"
    " --set checkpoint_every=128 --set eval_episodes=1";

TEST_F(FaultInjectionTest, ExpertKilledAtRandomPointsResumesExactly) {
  const std::string expert =
      StrCat("expert --env Pendulum --seed 3", kTiny, " --set total_steps=4096 --out ");
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
    if (!StartAndKill(expert + out.string(), out / "checkpoints" / StrCat("step_", 128 * k, ".pt"),
                      delay))
      continue;
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
  run = Irlab(
      StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 4 --out ", demos.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const std::string train =
      StrCat("train --algo airl --env Pendulum --seed 5 --demos ", demos.string(), kTiny,
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
    if (!StartAndKill(train + out.string(), out / "checkpoints" / StrCat("step_", 128 * k, ".pt"),
                      delay))
      continue;
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
  const std::string collect = StrCat("collect --run ", (dir_ / "expert").string(),
                                     " --episodes 400 --out ", demos.string());
  // the temporary file appears with the first episode; kill soon after
  std::vector<fs::path> temps;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c",
            StrCat("exec ", IRLAB_BINARY, " ", collect, " > /dev/null 2>&1").c_str(),
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
  run = Irlab(
      StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 3 --out ", demos.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_FALSE(fs::exists(temps[0])) << "the killed collect's temporary file is still there";
  EXPECT_TRUE(DemoFile::Open(demos).ok());
}

// A full disk: files may grow only to 32 KiB (RLIMIT_FSIZE; dash's ulimit
// counts 512-byte blocks), and SIGXFSZ is ignored, so writes fail with EFBIG
// as they would with ENOSPC.
constexpr char kFullDisk[] = "trap \"\" XFSZ; ulimit -f 64";

// How a child irlab runs: as another user (uid and gid; -1: as we are), with
// files limited to `max_file_bytes` (SIGXFSZ ignored; 0: no limit).
struct ChildOptions {
  int uid = -1;
  uint64_t max_file_bytes = 0;
};

// Starts `irlab args` with its output appended to `log`; the pid, or -1.
// Exit code 126 from the child: it could not become the user asked for.
pid_t Spawn(const std::string& args, const fs::path& log, const ChildOptions& options) {
  const std::string command = StrCat("exec ", IRLAB_BINARY, " ", args);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls from here
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (options.max_file_bytes > 0) {
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{options.max_file_bytes, options.max_file_bytes};
      if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(126);
    }
    if (options.uid >= 0) {
      const gid_t gid = static_cast<gid_t>(options.uid);
      if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 ||
          ::setuid(static_cast<uid_t>(options.uid)) != 0) {
        ::_exit(126);
      }
    }
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

// Waits for `pid` (up to 10 minutes; then kills it): its exit code, or -1.
int Wait(pid_t pid) {
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Runs `irlab args` to its end; its output comes back in `output`.
int RunChild(const std::string& args, const fs::path& log, const ChildOptions& options,
             std::string& output) {
  std::error_code ec;
  fs::remove(log, ec);
  const pid_t pid = Spawn(args, log, options);
  const int code = pid < 0 ? -1 : Wait(pid);
  output = ReadFile(log).value_or("");
  return code;
}

// The steps of a run's metrics.jsonl, checking that every line parses, and of
// its metrics.csv, checking that every row has the header's cells.
std::vector<int64_t> JsonlSteps(const fs::path& path) {
  std::vector<int64_t> steps;
  std::istringstream lines(ReadFile(path).value_or(""));
  for (std::string line; std::getline(lines, line);) {
    auto row = ParseJson(line, path.string());
    EXPECT_TRUE(row.ok()) << row.status();
    if (!row.ok()) continue;
    steps.push_back(static_cast<int64_t>(JsonNumber(*row, "step").value_or(-1)));
  }
  return steps;
}

std::vector<int64_t> CsvSteps(const fs::path& path) {
  std::vector<int64_t> steps;
  std::istringstream lines(ReadFile(path).value_or(""));
  std::string header;
  std::getline(lines, header);
  const auto cells = [](const std::string& line) {
    return std::count(line.begin(), line.end(), ',') + 1;
  };
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(cells(line), cells(header)) << line;
    steps.push_back(std::stoll(line));
  }
  return steps;
}

// Each step once, in order, the last one `last`.
void ExpectEachStepOnce(const std::vector<int64_t>& steps, int64_t last, const std::string& what) {
  ASSERT_FALSE(steps.empty()) << what;
  EXPECT_TRUE(std::adjacent_find(steps.begin(), steps.end(), std::greater_equal<int64_t>()) ==
              steps.end())
      << what << ": a step repeated or out of order";
  EXPECT_EQ(steps.back(), last) << what;
}

void ExpectNoTemporaryFiles(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos)
        << e.path() << " left behind";
  }
}

TEST_F(FaultInjectionTest, FullDiskDuringACheckpointKeepsTheLastGoodOne) {
  const fs::path out = dir_ / "expert";
  CommandResult run =
      Irlab(StrCat("expert --env Pendulum", kTiny,
                   " --set total_steps=512 --set pause_at_steps=128", " --out ", out.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  ASSERT_GT(fs::file_size(out / "checkpoint.pt"), 64u * 1024) << "the limit would not bite";
  const std::string before = *ReadFile(out / "checkpoint.pt");
  run = Irlab(StrCat("expert --resume ", out.string(), " --set pause_at_steps=0"), kFullDisk);
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find((out / "checkpoint.pt").string() + ": cannot write checkpoint"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("the last good checkpoint is " + (out / "checkpoint.pt").string()),
            std::string::npos)
      << run.output;
  EXPECT_EQ(*ReadFile(out / "checkpoint.pt"), before) << "the last good checkpoint changed";
  auto state = LoadPpoCheckpoint(out / "checkpoint.pt");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->global_step, 128);
  for (const auto& e : fs::directory_iterator(out)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos)
        << e.path() << " left behind";
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
  run = Irlab(
      StrCat("collect --run ", (dir_ / "expert").string(), " --episodes 40 --out ", demos.string()),
      kFullDisk);
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find(demos.string() + ": cannot write it: "), std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(demos));
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos)
        << e.path() << " left behind";
  }
}

// A full disk during a metrics write (the checkpoints still fit): the run
// stops with metrics.jsonl named and its last good checkpoint untouched; with
// room again the resume finishes, and the metrics hold each step once (the
// row torn by the failed write is dropped). Many small rollouts of tiny
// networks, so metrics.jsonl outgrows the checkpoint.
TEST_F(FaultInjectionTest, FullDiskDuringAMetricsWriteKeepsTheLastGoodCheckpoint) {
  const fs::path out = dir_ / "expert", log = dir_ / "irlab.log";
  constexpr char kSmall[] =
      " --set num_envs=2 --set threads=1 --set ppo.rollout_steps=8 --set ppo.minibatches=1 --set "
      "ppo.epochs=1"
      " --set ppo.actor_hidden=[4] --set ppo.critic_hidden=[4] --set eval_episodes=1 --set "
      "eval_every=20"
      " --set checkpoint_every=2048";
  CommandResult run =
      Irlab(StrCat("expert --env Pendulum --seed 4", kSmall,
                   " --set total_steps=4096 --set pause_at_steps=2048 --out ", out.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const fs::path checkpoint = out / "checkpoint.pt", jsonl = out / "metrics.jsonl";
  // room for about 3 more rows of metrics.jsonl, and for the checkpoint
  const uint64_t limit = fs::file_size(jsonl) + 1000;
  ASSERT_LT(fs::file_size(checkpoint), limit) << "the checkpoint would meet the full disk first";
  ASSERT_LT(fs::file_size(out / "metrics.csv"), limit);
  const std::string before = *ReadFile(checkpoint);

  const std::string resume = StrCat("expert --resume ", out.string(), " --set pause_at_steps=0");
  std::string output;
  EXPECT_EQ(RunChild(resume, log, {.max_file_bytes = limit}, output), 1) << output;
  EXPECT_NE(output.find(jsonl.string() + ": cannot write: File too large at env step "),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("training stopped, the last good checkpoint is " + checkpoint.string()),
            std::string::npos)
      << output;
  EXPECT_TRUE(*ReadFile(checkpoint) == before) << "the last good checkpoint changed";
  auto state = LoadPpoCheckpoint(checkpoint);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->global_step, 2048);
  ExpectNoTemporaryFiles(out);

  // with room again, the run resumes from it and finishes
  run = Irlab(resume);
  ASSERT_EQ(run.code, 0) << run.output;
  ExpectEachStepOnce(JsonlSteps(jsonl), 4096, "metrics.jsonl");
  ExpectEachStepOnce(CsvSteps(out / "metrics.csv"), 4096, "metrics.csv");
}

// A run directory made read-only while `expert` writes to it (chmod a-w of
// the directory and its checkpoints/ once checkpoints/step_<ready_step>.pt is
// kept). Permission bits bind only a process without CAP_DAC_OVERRIDE: as
// root, irlab runs as nobody (uid and gid 65534) in a directory it owns;
// otherwise as ourselves. The run stops with an error naming a file of the
// run directory (its output comes back in `output`), the last good checkpoint
// and every kept one load, no half file is left under a final name, and once
// the directory is writable again the resume finishes. Skips (with the
// reason) if the bits cannot bind.
void FaultInjectionTest::ExpectReadOnlyRunDirStopsCleanly(const std::string& flags,
                                                          int64_t ready_step, int64_t total_steps,
                                                          std::string& output) {
  constexpr int kNobody = 65534;
  const bool root = ::geteuid() == 0;
  const ChildOptions as{.uid = root ? kNobody : -1};
  const fs::path out = dir_ / "expert", log = dir_ / "irlab.log";
  fs::create_directories(out);
  if (root) {
    ASSERT_EQ(::chown(dir_.c_str(), kNobody, kNobody), 0);
    ASSERT_EQ(::chown(out.c_str(), kNobody, kNobody), 0);
  }
  // can the permission bits bind the child? (root without CAP_SETUID cannot drop to nobody;
  // a user with CAP_DAC_OVERRIDE ignores them)
  const fs::path probe = dir_ / "probe";
  fs::create_directories(probe);
  if (root) {
    ASSERT_EQ(::chown(probe.c_str(), kNobody, kNobody), 0);
  }
  const auto no_write = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  fs::permissions(probe, no_write, fs::perm_options::remove);
  const int probed = RunChild(StrCat("--help > ", (probe / "written").string()), log, as, output);
  if (probed == 126) GTEST_SKIP() << "running as root, and cannot become uid/gid " << kNobody;
  if (fs::exists(probe / "written")) {
    GTEST_SKIP() << "a read-only directory is writable to this user: " << output;
  }
  ASSERT_NE(probed, 0) << output;

  const pid_t pid = Spawn(StrCat("expert --env Pendulum --seed 6", kTiny, flags,
                                 " --set total_steps=", total_steps, " --out ", out.string()),
                          log, as);
  ASSERT_GT(pid, 0);
  const fs::path ready = out / "checkpoints" / StrCat("step_", ready_step, ".pt");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  int status = 0;
  bool ended = false;
  while (!fs::exists(ready) && std::chrono::steady_clock::now() < deadline) {
    if ((ended = ::waitpid(pid, &status, WNOHANG) == pid)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  fs::permissions(out, no_write, fs::perm_options::remove);
  fs::permissions(out / "checkpoints", no_write, fs::perm_options::remove);
  ASSERT_FALSE(ended) << "irlab ended before the directory went read-only: " << *ReadFile(log);
  const int code = Wait(pid);
  output = ReadFile(log).value_or("");
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find(": Permission denied"), std::string::npos) << output;
  EXPECT_NE(output.find(out.string() + "/"), std::string::npos) << "no file named: " << output;
  EXPECT_EQ(output.find("terminate called"), std::string::npos) << output;

  // the last good checkpoint: whole, loadable, and kept under checkpoints/ as well
  auto state = LoadPpoCheckpoint(out / "checkpoint.pt");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_GE(state->global_step, ready_step);
  EXPECT_LT(state->global_step, total_steps);
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) {
    if (e.path().extension() != ".pt") continue;
    EXPECT_TRUE(LoadPpoCheckpoint(e.path()).ok()) << e.path() << " is not a whole checkpoint";
  }

  // writable again: the run resumes and finishes (and removes any temporary
  // file the directory kept: one renamed or unlinked after it went read-only
  // cannot go)
  fs::permissions(out, fs::perms::owner_write, fs::perm_options::add);
  fs::permissions(out / "checkpoints", fs::perms::owner_write, fs::perm_options::add);
  std::string resumed;
  EXPECT_EQ(RunChild(StrCat("expert --resume ", out.string()), log, as, resumed), 0) << resumed;
  state = LoadPpoCheckpoint(out / "checkpoint.pt");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->global_step, total_steps);
  ExpectEachStepOnce(JsonlSteps(out / "metrics.jsonl"), total_steps, "metrics.jsonl");
  ExpectEachStepOnce(CsvSteps(out / "metrics.csv"), total_steps, "metrics.csv");
  ExpectNoTemporaryFiles(out);
}

// Read-only after the second checkpoint (one every rollout): the next
// checkpoint cannot be written (or, by timing, kept under checkpoints/).
TEST_F(FaultInjectionTest, RunDirectoryMadeReadOnlyMidRun) {
  std::string output;
  ExpectReadOnlyRunDirStopsCleanly("", 256, 8192, output);
}

// Read-only before the first evaluation, which widens metrics.csv (a
// rewrite through a temporary file) 16 rollouts before the next checkpoint:
// the run stops there, naming metrics.csv (it used to print that and go on
// without metrics.csv until the checkpoint failed).
TEST_F(FaultInjectionTest, RunDirectoryMadeReadOnlyBeforeMetricsCsvWidens) {
  std::string output;
  ExpectReadOnlyRunDirStopsCleanly(" --set checkpoint_every=4096 --set eval_every=48", 4096, 16384,
                                   output);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_NE(output.find((dir_ / "expert" / "metrics.csv").string() + ": cannot create "),
            std::string::npos)
      << output;
  EXPECT_NE(output.find(" at env step 6144; training stopped, the last good checkpoint is "),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace irlab
