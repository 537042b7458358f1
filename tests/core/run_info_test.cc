#include "core/run_info.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/files.h"
#include "core/json.h"
#include "core/strings.h"
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

// In a `git worktree` (.git is a file naming a git directory outside the work
// tree) the revision and the dirty flag are those of the worktree.
TEST(RunInfoTest, RevisionAndDirtyFlagInAGitWorktree) {
  const fs::path dir = testing::TestDir();
  const std::string setup =
      StrCat("command -v git >/dev/null && cd '", dir.string(),
             "' && git init -q repo && cd repo && git config user.email t@t && "
             "git config user.name t && echo a > f && git add f && git commit -qm one && "
             "git worktree add -q --detach ../wt 2>/dev/null");
  if (std::system(setup.c_str()) != 0) {
    GTEST_SKIP() << "git is not available";
  }
  const auto head = GitRevision({dir / "repo"});
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(GitRevision({dir / "wt"}), head);
  EXPECT_EQ(GitDirty({dir / "wt"}), false);
  ASSERT_TRUE(WriteFileAtomically(dir / "wt/f", "b\n").ok());
  EXPECT_EQ(GitDirty({dir / "wt"}), true);
  EXPECT_EQ(GitDirty({dir / "repo"}), false);
  fs::remove_all(dir);
}

// A registered build revision goes into run.json beside the tree's; without
// one (this test binary registers none) the keys are absent.
TEST(RunInfoTest, RecordsTheBinarysBuildRevisionWhenRegistered) {
  const fs::path dir = testing::TestDir();
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  ASSERT_TRUE(WriteRunInfo(dir / "a", "rollout", {}).ok());
  auto info = ReadJsonFile(dir / "a/run.json");
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->contains("build_revision"));
  EXPECT_FALSE(info->contains("build_dirty"));

  const std::string commit(40, 'b');
  SetBuildRevision(BuildRevision{commit, true});
  ASSERT_TRUE(WriteRunInfo(dir / "b", "rollout", {}).ok());
  SetBuildRevision(std::nullopt);
  info = ReadJsonFile(dir / "b/run.json");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)["build_revision"], commit);
  EXPECT_EQ((*info)["build_dirty"], true);
  EXPECT_FALSE(GetBuildRevision().has_value());
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
