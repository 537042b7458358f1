#include "core/run_info.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/files.h"
#include "core/json.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

TEST(RunInfoTest, WritesCommandLineHostAndRevision) {
  const fs::path dir = testing::TestDir();
  ASSERT_TRUE(
      WriteRunInfo(dir, "rollout", {"--env", "Hopper", "--note", "a \"quoted\" word"}).ok());
  const std::string json = *ReadFile(dir / "run.json");
  const auto info = ReadJsonFile(dir / "run.json");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ((*info)["command_line"],
            Json({"irlab", "rollout", "--env", "Hopper", "--note", "a \"quoted\" word"}));
  EXPECT_TRUE((*info)["host"].is_string());
  EXPECT_EQ((*info)["start_time"].get<std::string>().substr(0, 2), "20");
  // this test binary lives in a build directory of the source tree; when that
  // tree is a git checkout, the revision is its HEAD commit
  const auto revision = GitRevision();
  if (fs::exists(fs::path(IRLAB_SOURCE_DIR) / ".git")) {
    ASSERT_TRUE(revision.has_value());
    EXPECT_EQ(revision->size(), 40u);
    EXPECT_EQ((*info)["git_revision"], *revision) << json;
  } else {
    EXPECT_TRUE((*info)["git_revision"].is_null()) << json;
  }
  EXPECT_TRUE(fs::is_regular_file(dir / "run.json"));
  EXPECT_FALSE(info->contains("model"));
  fs::remove_all(dir);
}

TEST(RunInfoTest, RecordsTheRunsOwnModel) {
  const fs::path dir = testing::TestDir();
  ASSERT_TRUE(WriteFileAtomically(dir / "config.toml",
                                  "env = 'Hopper'\n[env_options]\nxml_file = '/m/hopper.xml'\n"
                                  "model_digest = '0123456789abcdef'\n")
                  .ok());
  ASSERT_TRUE(WriteRunInfo(dir, "expert", {}).ok());
  const auto info = ReadJsonFile(dir / "run.json");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)["model"],
            Json({{"xml_file", "/m/hopper.xml"}, {"model_digest", "0123456789abcdef"}}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace irlab
