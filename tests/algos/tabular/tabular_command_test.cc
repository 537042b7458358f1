// Smoke runs of `irlab tabular` with tiny configs: every algorithm on both
// tasks writes its outputs, and bad input ends with an error, not a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/files.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

const char kFast[] =
    " --set gridworld.size=5 --set gridworld.horizon=8 --set objectworld.size=8"
    " --set objectworld.horizon=8 --set objectworld.placement_prob=0.3 --set maxent.iterations=20"
    " --set deep_maxent.iterations=10 --set projection.iterations=5"
    " --set max_margin.iterations=10";

int RunTabular(const std::string& args, const fs::path& log) {
  return testing::Irlab("tabular " + args, log);
}

// A path for a new run directory (irlab makes it).
fs::path FreshDir(const std::string& name) { return testing::TestDir() / name; }

TEST(TabularCommandTest, EveryAlgorithmOnBothTasksWritesItsOutputs) {
  for (const char* algo : {"maxent", "deep-maxent", "projection", "max-margin"}) {
    for (const char* env : {"gridworld", "objectworld"}) {
      const fs::path dir = FreshDir(std::string(algo) + "_" + env);
      const fs::path log = dir.string() + ".log";
      const std::string args = std::string("--algo ") + algo + " --env " + env +
                               " --demos 10 --seed 1" + kFast + " --out " + dir.string();
      ASSERT_EQ(RunTabular(args, log), 0) << args << "\n" << ReadFile(log).value_or("");
      for (const char* file : {"config.toml", "summary.json", "metrics.csv", "reward.png"}) {
        EXPECT_TRUE(fs::exists(dir / file)) << dir / file;
      }
      const std::string out = ReadFile(log).value_or("");
      EXPECT_NE(out.find("reward correlation"), std::string::npos) << out;
      EXPECT_NE(out.find("EVD"), std::string::npos) << out;
    }
  }
}

TEST(TabularCommandTest, BadInputIsAnErrorNotACrash) {
  const fs::path dir = FreshDir("bad");
  const fs::path log = dir.string() + ".log";
  EXPECT_EQ(RunTabular("--set gridworld.horizon=0 --out " + dir.string(), log), 1);
  EXPECT_NE(ReadFile(log).value_or("").find("gridworld.horizon"), std::string::npos);
  EXPECT_EQ(RunTabular("--algo nope --out " + dir.string(), log), 1);
  EXPECT_NE(ReadFile(log).value_or("").find("algo"), std::string::npos);
  EXPECT_EQ(
      RunTabular("--env objectworld --set objectworld.placement_prob=0 --out " + dir.string(), log),
      1);
  EXPECT_NE(ReadFile(log).value_or("").find("no object"), std::string::npos);
  EXPECT_EQ(RunTabular("--env gridworld", log), 2);  // --out is required
}

}  // namespace
}  // namespace irlab
