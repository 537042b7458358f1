#include "tools/sweep/runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/files.h"
#include "core/process.h"
#include "tests/util/test_util.h"
#include "tools/sweep/cell_state.h"
#include "tools/sweep/slurm_backend.h"
#include "tools/sweep/sweep_progress.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

int CountLines(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  return n;
}

SweepSpec Parse(const std::string& text) {
  auto spec = ParseSweep(text, "test.toml");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return *spec;
}

RunOptions Options(const fs::path& out, int jobs) {
  RunOptions options;
  options.out_dir = out;
  options.jobs = jobs;
  return options;
}

TEST(SweepRunnerTest, RunsEveryCellAndSkipsFinishedOnesOnRerun) {
  const fs::path out = testing::TestDir();
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "echo {x} >> {sweep_out}/calls; echo {x}-{seed} > {out}/result"]
mkdir_out = true
seeds = 2
[grid]
x = ["a", "b"]
)");
  auto summary = RunSweep(spec, Options(out, 2));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->total, 4);
  EXPECT_EQ(summary->done, 4);
  EXPECT_TRUE(summary->failed.empty());
  EXPECT_EQ(*ReadFile(out / "x-b/seed-1/result"), "b-1\n");
  EXPECT_TRUE(fs::exists(out / ".sweep/cells/x-b/seed-1/sweep.done"));
  EXPECT_TRUE(fs::exists(out / ".sweep/cells/x-b/seed-1/sweep.log"));
  auto vars = ReadMarkerVars(out / ".sweep/cells/x-b/seed-1/sweep.done");
  ASSERT_TRUE(vars.ok() && vars->has_value());
  EXPECT_EQ(**vars, (Vars{{"seed", "1"}, {"x", "b"}}));
  EXPECT_EQ(CountLines(out / "calls"), 4);

  auto again = RunSweep(spec, Options(out, 2));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->skipped, 4);
  EXPECT_EQ(again->done, 0);
  EXPECT_EQ(CountLines(out / "calls"), 4);  // nothing ran twice
}

TEST(SweepRunnerTest, OneFailingCellDoesNotStopTheOthers) {
  const fs::path out = testing::TestDir();
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "if [ {x} = bad ] && [ ! -e {sweep_out}/fixed ]; then echo broken >&2; exit 3; fi; echo ok > {out}/result"]
mkdir_out = true
[grid]
x = ["a", "bad", "c"]
)");
  auto summary = RunSweep(spec, Options(out, 1));  // one at a time: "c" runs after the failure
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->done, 2);
  EXPECT_EQ(summary->failed, (std::vector<std::string>{"x-bad/seed-0"}));
  EXPECT_TRUE(fs::exists(out / ".sweep/cells/x-c/seed-0/sweep.done"));
  EXPECT_FALSE(fs::exists(out / ".sweep/cells/x-bad/seed-0/sweep.done"));
  const std::string log = *ReadFile(out / ".sweep/cells/x-bad/seed-0/sweep.log");
  EXPECT_NE(log.find("broken"), std::string::npos) << log;
  EXPECT_NE(log.find("exit 3"), std::string::npos) << log;

  std::ofstream(out / "fixed") << "\n";
  auto again = RunSweep(spec, Options(out, 1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped, 2);
  EXPECT_EQ(again->done, 1);
  EXPECT_TRUE(again->failed.empty());
}

TEST(SweepRunnerTest, KilledCellStartsAfreshWithItsPartialFilesMovedAside) {
  const fs::path out = testing::TestDir();
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "echo run >> {out}/attempts; if [ {x} = victim ] && [ ! -e {sweep_out}/killed_once ]; then touch {sweep_out}/killed_once; kill -9 $$; fi; echo ok > {out}/result"]
mkdir_out = true
[grid]
x = ["victim", "other"]
)");
  auto summary = RunSweep(spec, Options(out, 2));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->failed, (std::vector<std::string>{"x-victim/seed-0"}));
  EXPECT_NE(ReadFile(out / ".sweep/cells/x-victim/seed-0/sweep.log")->find("killed by SIGKILL"),
            std::string::npos);
  const std::string marker = *ReadFile(out / ".sweep/cells/x-other/seed-0/sweep.done");

  auto again = RunSweep(spec, Options(out, 2));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped, 1);
  EXPECT_EQ(again->done, 1);
  // the killed attempt's files are kept aside; the cell ran afresh
  EXPECT_EQ(CountLines(out / ".sweep/attempts/x-victim/seed-0.1/attempts"), 1);
  EXPECT_FALSE(fs::exists(out / ".sweep/attempts/x-victim/seed-0.1/result"));
  EXPECT_EQ(CountLines(out / "x-victim/seed-0/attempts"), 1);
  EXPECT_EQ(*ReadFile(out / "x-victim/seed-0/result"), "ok\n");
  EXPECT_EQ(CountLines(out / "x-other/seed-0/attempts"), 1);
  EXPECT_EQ(*ReadFile(out / ".sweep/cells/x-other/seed-0/sweep.done"), marker);  // untouched
  EXPECT_NE(
      ReadFile(out / ".sweep/cells/x-victim/seed-0/sweep.log")->find("moved the earlier attempt"),
      std::string::npos);
}

TEST(SweepRunnerTest, ResumeCommandContinuesAPartialRunDirectory) {
  const fs::path out = testing::TestDir();
  // like `irlab expert --out D` (refuses an existing D) and `--resume D`
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "[ ! -e {out} ] || exit 9; mkdir {out}; echo 1 > {out}/checkpoint; exit 4"]
resume_command = ["sh", "-c", "echo 2 >> {out}/checkpoint"]
)");
  auto first = RunSweep(spec, Options(out, 1));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed.size(), 1u);
  auto second = RunSweep(spec, Options(out, 1));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->failed.empty());
  EXPECT_EQ(*ReadFile(out / "seed-0/checkpoint"), "1\n2\n");
  EXPECT_TRUE(fs::exists(out / ".sweep/cells/seed-0/sweep.done"));
}

TEST(SweepRunnerTest, WithoutItsResumeWhenFileAPartialRunStartsAfresh) {
  const fs::path out = testing::TestDir();
  // the first attempt dies before its first checkpoint: nothing to resume
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "[ ! -e {out} ] || exit 9; mkdir {out}; echo log > {out}/metrics; [ -e {sweep_out}/second ]"]
resume_command = ["sh", "-c", "exit 8"]
resume_when = "checkpoint.pt"
)");
  auto first = RunSweep(spec, Options(out, 1));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->failed.size(), 1u);
  std::ofstream(out / "second") << "\n";
  auto second = RunSweep(spec, Options(out, 1));
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->failed.empty());
  EXPECT_TRUE(fs::exists(out / ".sweep/attempts/seed-0.1/metrics"));
  auto bad = ParseSweep("command = \"x\"\nresume_when = \"checkpoint.pt\"\n", "w.toml");
  EXPECT_NE(bad.status().message().find("w.toml:2: key 'resume_when': needs resume_command"),
            std::string::npos)
      << bad.status();
}

TEST(SweepRunnerTest, ResumesAfterTheSweepProcessIsKilled) {
  const fs::path out = testing::TestDir();
  const fs::path file = out / "sweep_file.toml";
  ASSERT_TRUE(WriteFileAtomically(file, R"(
command = ["sh", "-c", "echo run >> {out}/attempts; [ {t} = long ] && [ ! -e {sweep_out}/../resume ] && exec sleep 60; echo ok > {out}/result"]
mkdir_out = true
[grid]
t = ["short1", "short2", "long"]
)")
                  .ok());
  const fs::path runs = out / "runs";
  const std::vector<std::string> argv = {
      IRLAB_BINARY, "sweep", file.string(), "--out", runs.string(), "--jobs", "3"};
  auto sweep = Subprocess::Start(argv, {.log = out / "first.log", .own_group = true});
  ASSERT_TRUE(sweep.ok()) << sweep.status();
  // wait for the two short cells, then kill the sweep while "long" runs
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!(fs::exists(runs / ".sweep/cells/t-short1/seed-0/sweep.done") &&
           fs::exists(runs / ".sweep/cells/t-short2/seed-0/sweep.done") &&
           fs::exists(runs / "t-long/seed-0/attempts")) &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_FALSE(sweep->Poll()) << "the sweep ended early:\n" << *ReadFile(out / "first.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // the sweep alone: its cells are in groups of their own
  ASSERT_EQ(::kill(sweep->pid(), SIGKILL), 0);
  sweep->Wait();
  ASSERT_TRUE(fs::exists(runs / ".sweep/cells/t-short2/seed-0/sweep.done"))
      << *ReadFile(out / "first.log");
  EXPECT_FALSE(fs::exists(runs / ".sweep/cells/t-long/seed-0/sweep.done"));

  std::ofstream(out / "resume") << "\n";
  auto result = RunCapture({IRLAB_BINARY, "sweep", file.string(), "--out", runs.string()}, "", 60);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->out << result->err;
  EXPECT_NE(result->out.find("3 cells: 2 finished before, 1 finished now, 0 failed"),
            std::string::npos)
      << result->out;
  EXPECT_EQ(CountLines(runs / "t-short1/seed-0/attempts"), 1);
  EXPECT_EQ(CountLines(runs / "t-long/seed-0/attempts"), 1);  // afresh; the killed try moved aside
  EXPECT_EQ(CountLines(runs / ".sweep/attempts/t-long/seed-0.1/attempts"), 1);
  EXPECT_TRUE(fs::exists(runs / "sweep.toml"));
  EXPECT_TRUE(fs::exists(runs / "run.json"));
}

TEST(SweepRunnerTest, RetriesFailedCells) {
  const fs::path out = testing::TestDir();
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "echo x >> {sweep_out}/tries; [ $(wc -l < {sweep_out}/tries) -ge 3 ]"]
)");
  RunOptions options = Options(out, 1);
  options.retries = 1;
  auto summary = RunSweep(spec, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->failed.size(), 1u);  // two tries, needs three
  options.retries = 2;
  summary = RunSweep(spec, options);
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary->failed.empty());
  EXPECT_EQ(CountLines(out / "tries"), 3);
}

TEST(SweepRunnerTest, AChangedCommandIsAnErrorNotAnOverwrite) {
  const fs::path out = testing::TestDir();
  ASSERT_TRUE(
      RunSweep(Parse("command = [\"true\", \"--a\", \"{v}\"]\n[vars]\nv = 1\n"), Options(out, 1))
          .ok());
  const std::string marker = *ReadFile(out / ".sweep/cells/seed-0/sweep.done");
  auto changed =
      RunSweep(Parse("command = [\"true\", \"--a\", \"{v}\"]\n[vars]\nv = 2\n"), Options(out, 1));
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("finished with a different command"), std::string::npos)
      << changed.status();
  EXPECT_EQ(*ReadFile(out / ".sweep/cells/seed-0/sweep.done"), marker);
}

TEST(SweepRunnerTest, RefusesADirectoryAnotherSweepHolds) {
  const fs::path out = testing::TestDir();
  fs::create_directories(out / ".sweep");
  const int fd = ::open((out / ".sweep/lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  // flock locks belong to the open file description: a second open conflicts
  auto summary = RunSweep(Parse("command = \"true\"\n"), Options(out, 1));
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("another irlab sweep is running"), std::string::npos);
  ::close(fd);
  EXPECT_TRUE(RunSweep(Parse("command = \"true\"\n"), Options(out, 1)).ok());
}

TEST(SweepRunnerTest, SlurmBatchScriptRunsItsCellAndWritesTheMarker) {
  const fs::path out = testing::TestDir();
  const SweepSpec spec = Parse(R"(
command = ["sh", "-c", "echo \"it's {x}\" > {out}/result; exit {code}"]
mkdir_out = true
[[cells]]
x = "fine"
code = 0
[[cells]]
x = "broken"
code = 3
)");
  auto cells = ExpandSweep(spec, out);
  ASSERT_TRUE(cells.ok());
  const std::vector<const Cell*> pointers = {&(*cells)[0], &(*cells)[1]};
  ASSERT_TRUE(
      WriteFileAtomically(out / "job.sh", SlurmBackend::BatchScript(pointers, "", out)).ok());
  for (int task = 0; task < 2; ++task) {
    auto r = RunCapture({"env", "SLURM_ARRAY_TASK_ID=" + std::to_string(task),
                         "SLURM_ARRAY_JOB_ID=42", "bash", (out / "job.sh").string()});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->exit_code, task == 0 ? 0 : 3) << r->err;
  }
  EXPECT_EQ(*ReadFile((*cells)[0].run_dir / "result"), "it's fine\n");
  EXPECT_TRUE(*IsFinished((*cells)[0]));
  EXPECT_FALSE(*IsFinished((*cells)[1]));
  const std::string marker = *ReadFile((*cells)[0].state_dir / "sweep.done");
  EXPECT_NE(marker.find("job = \"42_0\""), std::string::npos) << marker;
  EXPECT_EQ(**ReadMarkerVars((*cells)[0].state_dir / "sweep.done"),
            (Vars{{"code", "0"}, {"seed", "0"}, {"x", "fine"}}));
  EXPECT_NE(ReadFile((*cells)[1].state_dir / "sweep.log")->find("exit 3"), std::string::npos);
  // a second attempt of the failed cell moves its files aside, as the local backend does
  auto again = RunCapture({"env", "SLURM_ARRAY_TASK_ID=1", "bash", (out / "job.sh").string()});
  EXPECT_EQ(again->exit_code, 3);
  EXPECT_TRUE(fs::exists(out / ".sweep/attempts/x-broken_code-3/seed-0.1/result"));
  auto none = RunCapture({"env", "SLURM_ARRAY_TASK_ID=9", "bash", (out / "job.sh").string()});
  EXPECT_EQ(none->exit_code, 2);
}

TEST(SweepProgressTest, PrintsOneLinePerEndedCellWhenNotATerminal) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* mem = ::open_memstream(&buf, &size);
  {
    SweepProgress progress("demo", 3, 1, 2, mem);
    Cell a, b;
    a.id = "x-a/seed-0";
    b.id = "x-b/seed-0";
    b.state_dir = "/r/.sweep/cells/x-b/seed-0";
    progress.Started(a);
    progress.Started(b);
    EXPECT_EQ(progress.running(), 2);
    EXPECT_LT(progress.EtaSeconds(), 0);  // nothing measured yet
    progress.Ended(a, true, "exit 0");
    progress.Ended(b, false, "exit 1");
    EXPECT_EQ(progress.done(), 2);
    EXPECT_EQ(progress.failed(), 1);
    EXPECT_GE(progress.EtaSeconds(), 0);
  }
  std::fclose(mem);
  EXPECT_EQ(std::string(buf, size),
            "done   x-a/seed-0 (0s)\nFAILED x-b/seed-0: exit 1 (log: "
            "/r/.sweep/cells/x-b/seed-0/sweep.log)\n");
  std::free(buf);
  EXPECT_EQ(FormatDuration(3725), "1h02m");
  EXPECT_EQ(FormatDuration(200), "3m20s");
}

}  // namespace
}  // namespace irlab::sweep
