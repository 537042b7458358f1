#include "core/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/strings.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

// Whether `pid` runs (a zombie does not).
bool Running(pid_t pid) {
  const std::string stat = testing::FileBytes(StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(") ");
  return paren != std::string::npos && stat[paren + 2] != 'Z';
}

TEST(ProcessTest, RunCaptureKeepsOutputErrorsInputAndExitCode) {
  auto run = RunCapture({"sh", "-c", "read x; echo out $x; echo err >&2; exit 3"}, "in\n");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 3);
  EXPECT_EQ(run->out, "out in\n");
  EXPECT_EQ(run->err, "err\n");
  auto killed = RunCapture({"sh", "-c", "kill -9 $$"});
  ASSERT_TRUE(killed.ok());
  EXPECT_EQ(killed->exit_code, 128 + SIGKILL);
}

TEST(ProcessTest, AProgramThatCannotStartIsAnErrorOfTheStart) {
  auto run = RunCapture({"irlab-no-such-program"});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(),
            "cannot start irlab-no-such-program: No such file or directory");
  auto process = Subprocess::Start({"irlab-no-such-program"});
  ASSERT_FALSE(process.ok());
  EXPECT_EQ(process.status().message(),
            "cannot start irlab-no-such-program: No such file or directory");
  EXPECT_FALSE(RunCapture({}).ok());
}

TEST(ProcessTest, RunCaptureKillsWhatOverrunsItsTime) {
  auto run = RunCapture({"sleep", "30"}, "", 0.2);
  ASSERT_FALSE(run.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(run.status())) << run.status();
  EXPECT_EQ(run.status().message(), "sleep: did not finish within 0.2 s");
}

TEST(ProcessTest, SubprocessWritesItsLogAndSeesItsEnvironment) {
  const fs::path log = testing::TestDir() / "log";
  for (int i = 0; i < 2; ++i) {
    auto process =
        Subprocess::Start({"sh", "-c", "echo $IRLAB_TEST_VALUE; echo err >&2"},
                          {.log = log, .append_log = true, .env = {"IRLAB_TEST_VALUE=a b"}});
    ASSERT_TRUE(process.ok()) << process.status();
    EXPECT_EQ(ExitCodeOf(process->Wait()), 0);
  }
  EXPECT_EQ(testing::FileBytes(log), "a b\nerr\na b\nerr\n");
  auto replaced = Subprocess::Start({"echo", "new"}, {.log = log});
  ASSERT_TRUE(replaced.ok());
  replaced->Wait();
  EXPECT_EQ(testing::FileBytes(log), "new\n");
}

TEST(ProcessTest, SubprocessReadsWhatIsWrittenToItsInput) {
  const fs::path log = testing::TestDir() / "log";
  auto cat = Subprocess::Start({"cat"}, {.log = log, .input_pipe = true});
  ASSERT_TRUE(cat.ok()) << cat.status();
  ASSERT_TRUE(cat->Write("frame 1\n", 8).ok());
  ASSERT_TRUE(cat->Write("frame 2\n", 8).ok());
  EXPECT_EQ(ExitCodeOf(cat->Wait()), 0);
  EXPECT_EQ(testing::FileBytes(log), "frame 1\nframe 2\n");
  EXPECT_FALSE(cat->Write("late", 4).ok());

  // a program that stops reading makes Write an error, not a SIGPIPE
  auto done = Subprocess::Start({"true"}, {.input_pipe = true});
  ASSERT_TRUE(done.ok());
  while (!done->Poll()) {
  }
  const std::string frame(1 << 20, 'x');
  const absl::Status status = done->Write(frame.data(), frame.size());
  EXPECT_EQ(status.message(), "true stopped reading its input (Broken pipe)");
}

TEST(ProcessTest, SignalStopsTheWholeGroupOfAJobOfItsOwn) {
  const fs::path dir = testing::TestDir();
  // the child of the shell writes its pid and sleeps: the group's signal reaches it too
  auto job =
      Subprocess::Start({"sh", "-c", "sleep 30 & echo $! > " + (dir / "pid").string() + "; wait"},
                        {.own_group = true});
  ASSERT_TRUE(job.ok()) << job.status();
  while (testing::FileBytes(dir / "pid").empty()) {
  }
  EXPECT_FALSE(job->Poll());
  job->Signal(SIGTERM);
  EXPECT_EQ(DescribeWaitStatus(job->Wait()), "killed by SIGTERM");
  const pid_t sleeper = std::stoi(testing::FileBytes(dir / "pid"));
  for (int i = 0; i < 1000 && Running(sleeper); ++i) ::usleep(1000);
  EXPECT_FALSE(Running(sleeper)) << "the job's own child survived";
}

TEST(ProcessTest, FindInPathAsExecvpDoes) {
  ASSERT_TRUE(FindInPath("sh"));
  EXPECT_TRUE(FindInPath("sh")->is_absolute());
  EXPECT_FALSE(FindInPath("irlab-no-such-program"));
  EXPECT_FALSE(FindInPath(""));
  EXPECT_EQ(FindInPath("/bin/sh"), fs::path("/bin/sh"));
  EXPECT_FALSE(FindInPath("/"));  // a folder is not a program
}

TEST(ProcessTest, ShellJoinQuotesOnlyWhereNeeded) {
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  const std::vector<std::string> argv = {"printf", "%s|", "a b", "it's", "", "--x=1"};
  EXPECT_EQ(ShellJoin(argv), "printf '%s|' 'a b' 'it'\\''s' '' --x=1");
  auto run = RunCapture({"sh", "-c", ShellJoin(argv)});
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->out, "a b|it's||--x=1|");
}

}  // namespace
}  // namespace irlab
