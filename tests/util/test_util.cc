#include "tests/util/test_util.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <vector>

#include "core/files.h"
#include "core/process.h"
#include "core/strings.h"
#include "gtest/gtest.h"

namespace irlab::testing {
namespace {

namespace fs = std::filesystem;

// A test command may train for minutes on a busy machine; ctest's own limit is 900 s.
constexpr double kCommandSeconds = 900;

// Removes the folders TestDir() made when the test binary ends.
class TestDirCleanup : public ::testing::Environment {
 public:
  static std::vector<fs::path>& Dirs() {
    static std::vector<fs::path> dirs;
    return dirs;
  }
  void TearDown() override {
    std::error_code ec;
    for (const auto& dir : Dirs()) fs::remove_all(dir, ec);
  }
};
::testing::Environment* const kTestDirCleanup =
    ::testing::AddGlobalTestEnvironment(new TestDirCleanup);

}  // namespace

fs::path TestDir() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(::testing::TempDir()) /
                       StrCat("irlab_", ::getpid(), "_", info ? info->test_suite_name() : "suite",
                              "_", info ? info->name() : "setup", "_", counter++);
  fs::remove_all(dir);
  fs::create_directories(dir);
  TestDirCleanup::Dirs().push_back(dir);
  return dir;
}

RunResult Run(const std::string& command_line) {
  RunResult run;
  auto result = RunCapture({"/bin/sh", "-c", StrCat(command_line, " 2>&1")}, "", kCommandSeconds);
  if (!result.ok()) {
    run.output = std::string(result.status().message());
    return run;
  }
  run.code = result->exit_code;
  run.output = std::move(result->out);
  return run;
}

RunResult Irlab(const std::string& args) { return Run(StrCat(IRLAB_BINARY, " ", args)); }

int Irlab(const std::string& args, const fs::path& log) {
  return Run(StrCat(IRLAB_BINARY, " ", args, " > ", ShellQuote(log.string()))).code;
}

std::string FileBytes(const fs::path& path) { return ReadFile(path).value_or(""); }

void WriteBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace irlab::testing
