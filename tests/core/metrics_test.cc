#include "core/metrics.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/files.h"
#include "core/json.h"
#include "core/strings.h"

namespace irlab {
namespace {

TEST(MetricsTest, WritesCsvAndJsonlAndAppendsOnReopen) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(10, {{"return", 1.5}, {"loss", 0.25}}).ok());
  }
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(20, {{"loss", 0.125}, {"return", NAN}, {"extra", 3}}).ok());
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"),
            "step,return,loss,extra\n10,1.5,0.25,\n20,nan,0.125,3\n");
  EXPECT_EQ(*ReadFile(dir / "metrics.jsonl"),
            "{\"step\":10,\"return\":1.5,\"loss\":0.25}\n"
            "{\"step\":20,\"loss\":0.125,\"return\":null,\"extra\":3.0}\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsTest, ResumeDropsTheRowsPastTheCheckpoint) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_resume_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    for (int64_t step : {10, 20, 30}) ASSERT_TRUE(logger->Log(step, {{"loss", step / 10.0}}).ok());
  }
  {
    // the checkpoint was at step 20: step 30 is redone
    auto logger = MetricsLogger::Open(dir, false, 20);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(30, {{"loss", 9}}).ok());
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"), "step,loss\n10,1\n20,2\n30,9\n");
  EXPECT_EQ(*ReadFile(dir / "metrics.jsonl"),
            "{\"step\":10,\"loss\":1.0}\n{\"step\":20,\"loss\":2.0}\n{\"step\":30,\"loss\":9.0}\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsTest, AKeyFirstLoggedLaterGetsAColumnAndOlderRowsAreEmptyThere) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_widen_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(1, {{"loss", 0.5}}).ok());
    ASSERT_TRUE(logger->Log(2, {{"loss", 0.25}, {"eval_return", -120.5}}).ok());
    ASSERT_TRUE(logger->Log(3, {{"loss", 0.125}}).ok());
  }
  {
    // a resumed run keeps widening the same file
    auto logger = MetricsLogger::Open(dir, false, 3);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(4, {{"loss", 1}, {"eval_normalized_score", 0.75}}).ok());
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"),
            "step,loss,eval_return,eval_normalized_score\n"
            "1,0.5,,\n2,0.25,-120.5,\n3,0.125,,\n4,1,,0.75\n");
  std::filesystem::remove_all(dir);
}

TEST(MetricsTest, NumbersKeepFullPrecision) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_metrics_precision_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const double third = 1.0 / 3.0, big = 123456789.123456789;
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(7, {{"a", third}, {"b", big}, {"c", INFINITY}}).ok());
  }
  const std::string csv = *ReadFile(dir / "metrics.csv");
  const std::string row = csv.substr(csv.find('\n') + 1);
  double a = 0, b = 0;
  ASSERT_EQ(std::sscanf(row.c_str(), "7,%lf,%lf,nan", &a, &b), 2) << row;
  EXPECT_EQ(a, third);
  EXPECT_EQ(b, big);
  const auto jsonl = ParseJson(*ReadFile(dir / "metrics.jsonl"), "metrics.jsonl");
  ASSERT_TRUE(jsonl.ok());
  EXPECT_EQ((*jsonl)["a"].get<double>(), third);
  EXPECT_EQ((*jsonl)["b"].get<double>(), big);
  EXPECT_TRUE((*jsonl)["c"].is_null());
  std::filesystem::remove_all(dir);
}

// A full disk for the files this process writes from here on: no file may
// grow past `bytes` (RLIMIT_FSIZE) and SIGXFSZ is ignored, so writes fail
// with EFBIG as they would with ENOSPC. Restored when it goes out of scope.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ok_ = ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  sighandler_t old_handler_ = SIG_DFL;
  bool ok_ = false;
};

// Each of the three files in turn is the one that meets the full disk (the
// other two point at /dev/null, which has no size limit): Log returns an
// error naming that file, and so does every later call.
TEST(MetricsTest, AFullDiskIsAnErrorNamingTheFile) {
  namespace fs = std::filesystem;
  for (const std::string full : {"metrics.jsonl", "metrics.csv", "events"}) {
    SCOPED_TRACE(full);
    const auto dir = fs::temp_directory_path() / StrCat("irlab_metrics_full_test_", ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const std::string name : {"metrics.jsonl", "metrics.csv"}) {
      if (name != full) fs::create_symlink("/dev/null", dir / name);
    }
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok()) << logger.status();
    fs::path events;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0) events = e.path();
    }
    ASSERT_FALSE(events.empty());
    const fs::path failing = full == "events" ? events : dir / full;
    {
      // the events file already holds its version record; the others are empty
      FileSizeLimit limit(full == "events" ? fs::file_size(events) : 4);
      ASSERT_TRUE(limit.ok());
      const absl::Status s = logger->Log(1, {{"loss", 0.5}});
      ASSERT_FALSE(s.ok()) << "a write past the limit succeeded";
      EXPECT_NE(s.message().find(failing.string() + ": cannot write: "), std::string::npos) << s;
    }
    // room again, but the logger does not go on as if no row were missing
    const absl::Status again = logger->Log(2, {{"loss", 0.25}});
    EXPECT_FALSE(again.ok());
    EXPECT_NE(again.message().find(failing.string()), std::string::npos) << again;
    fs::remove_all(dir);
  }
}

// A row torn by a failed (or killed) write is dropped by the resume, even
// when it was torn inside its step ("3" of "30,...", which reads as step 3).
TEST(MetricsTest, ResumeDropsATornLastRow) {
  const auto dir =
      std::filesystem::temp_directory_path() / StrCat("irlab_metrics_torn_test_", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(WriteFileAtomically(dir / "metrics.csv", "step,loss\n10,1\n20,2\n3").ok());
  ASSERT_TRUE(WriteFileAtomically(dir / "metrics.jsonl", "{\"step\":10,\"loss\":1.0}\n{\"st").ok());
  {
    auto logger = MetricsLogger::Open(dir, false, 20);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(30, {{"loss", 9}}).ok());
  }
  EXPECT_EQ(*ReadFile(dir / "metrics.csv"), "step,loss\n10,1\n20,2\n30,9\n");
  EXPECT_EQ(*ReadFile(dir / "metrics.jsonl"),
            "{\"step\":10,\"loss\":1.0}\n{\"step\":30,\"loss\":9.0}\n");
  std::filesystem::remove_all(dir);
}

// A rewrite of metrics.csv or metrics.jsonl that could not finish (killed, or
// its directory made read-only before it could unlink) leaves its temporary
// file; the next logger of the run removes it (a live process's is kept).
TEST(MetricsTest, OpenRemovesTemporaryFilesOfDeadWriters) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / StrCat("irlab_metrics_stale_test_", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);  // its pid now names no process
  const fs::path stale_csv = dir / StrCat(".metrics.csv.tmp.", child);
  const fs::path stale_jsonl = dir / StrCat(".metrics.jsonl.tmp.", child);
  const fs::path live = dir / StrCat(".metrics.csv.tmp.", ::getppid());
  for (const fs::path& p : {stale_csv, stale_jsonl, live})
    ASSERT_TRUE(WriteFileAtomically(p, "step,").ok());
  ASSERT_TRUE(MetricsLogger::Open(dir, false, 0).ok());
  EXPECT_FALSE(fs::exists(stale_csv));
  EXPECT_FALSE(fs::exists(stale_jsonl));
  EXPECT_TRUE(fs::exists(live)) << "a running process's temporary file was removed";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace irlab
