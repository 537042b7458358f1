// RunTraining, the set-up expert and train share: a new run needs an empty
// directory; a failed start takes back the directory it made; a failed
// resume puts back the run's config.toml and run.json.
#include "tools/cli_util.h"

#include <filesystem>
#include <string>

#include "core/files.h"
#include "gtest/gtest.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

absl::Status Fails() { return absl::InternalError("no demonstrations"); }

TEST(RunTrainingTest, AFailedStartLeavesNoRunDirectory) {
  const fs::path run = testing::TestDir() / "new";
  EXPECT_EQ(RunTraining("train", {"--out", run.string()}, run, false, "seed = 1\n", Fails), 1);
  EXPECT_FALSE(fs::exists(run));
}

TEST(RunTrainingTest, ANewRunNeedsAnEmptyDirectory) {
  const fs::path run = testing::TestDir() / "used";
  fs::create_directories(run);
  ASSERT_TRUE(WriteFileAtomically(run / "notes.txt", "mine").ok());
  bool trained = false;
  auto train = [&] {
    trained = true;
    return absl::OkStatus();
  };
  EXPECT_EQ(RunTraining("expert", {"--out", run.string()}, run, false, "seed = 1\n", train), 1);
  EXPECT_FALSE(trained);
  EXPECT_EQ(ReadFile(run / "notes.txt").value_or(""), "mine");
}

TEST(RunTrainingTest, AFailedResumePutsBackTheRunsFiles) {
  const fs::path run = testing::TestDir() / "resumed";
  fs::create_directories(run);
  ASSERT_TRUE(WriteFileAtomically(run / "config.toml", "seed = 1\n").ok());
  ASSERT_TRUE(WriteFileAtomically(run / "run.json", "{}\n").ok());
  EXPECT_EQ(RunTraining("expert", {"--resume", run.string()}, run, true, "seed = 2\n", Fails), 1);
  EXPECT_EQ(ReadFile(run / "config.toml").value_or(""), "seed = 1\n");
  EXPECT_EQ(ReadFile(run / "run.json").value_or(""), "{}\n");
}

TEST(RunTrainingTest, ASuccessfulStartWritesTheConfig) {
  const fs::path run = testing::TestDir() / "ok";
  EXPECT_EQ(RunTraining("expert", {"--out", run.string()}, run, false, "seed = 3\n",
                        [] { return absl::OkStatus(); }),
            0);
  EXPECT_EQ(ReadFile(run / "config.toml").value_or(""), "seed = 3\n");
  EXPECT_TRUE(fs::exists(run / "run.json"));
}

}  // namespace
}  // namespace irlab
