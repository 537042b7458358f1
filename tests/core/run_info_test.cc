#include "core/run_info.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/files.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

TEST(RunInfoTest, JsonQuoteEscapes) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\x01"), "\"a\\\"b\\\\c\\nd\\u0001\"");
}

TEST(RunInfoTest, WritesCommandLineHostAndRevision) {
  const fs::path dir =
      fs::temp_directory_path() / ("irlab_run_info_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(
      WriteRunInfo(dir, "rollout", {"--env", "Hopper", "--note", "a \"quoted\" word"}).ok());
  const std::string json = *ReadFile(dir / "run.json");
  EXPECT_NE(
      json.find("\"command_line\": [\"irlab\", \"rollout\", \"--env\", \"Hopper\", \"--note\", "
                "\"a \\\"quoted\\\" word\"]"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find("\"host\": \""), std::string::npos);
  EXPECT_NE(json.find("\"start_time\": \"20"), std::string::npos);
  // this test binary lives in a build directory of the source tree; when that
  // tree is a git checkout, the revision is its HEAD commit
  const auto revision = GitRevision();
  if (fs::exists(fs::path(IRLAB_SOURCE_DIR) / ".git")) {
    ASSERT_TRUE(revision.has_value());
    EXPECT_EQ(revision->size(), 40u);
    EXPECT_NE(json.find("\"git_revision\": \"" + *revision + "\""), std::string::npos) << json;
  } else {
    EXPECT_NE(json.find("\"git_revision\": null"), std::string::npos) << json;
  }
  EXPECT_TRUE(fs::is_regular_file(dir / "run.json"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace irlab
