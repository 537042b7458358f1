// irlab eval and irlab plot as a user runs them, on one tiny expert run:
// eval's figures repeat for a seed whatever the thread count, bad flags are
// refused naming them, and plot writes a PNG of a logged metric.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "core/strings.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

using testing::Irlab;
using testing::RunResult;

// A PPO run of 4 rollouts of 2 envs x 64 steps on InvertedPendulum, made once.
const fs::path& TinyRun() {
  static const fs::path run = [] {
    const fs::path dir = testing::TestDir();  // removed when the test binary ends
    const RunResult made = Irlab(StrCat(
        "expert --env InvertedPendulum --seed 2 --out ", (dir / "run").string(),
        " --set num_envs=2 --set threads=1 --set ppo.rollout_steps=64 --set ppo.minibatches=4",
        " --set ppo.epochs=1 --set eval_episodes=1 --set total_steps=512"));
    EXPECT_EQ(made.code, 0) << made.output;
    return dir / "run";
  }();
  return run;
}

TEST(EvalCommandTest, RepeatsItsFiguresForASeedOnAnyThreadCount) {
  const std::string eval = StrCat("eval --run ", TinyRun().string(), " --episodes 3 --seed 7");
  const RunResult one = Irlab(eval + " --threads 1"), two = Irlab(eval + " --threads 2");
  ASSERT_EQ(one.code, 0) << one.output;
  ASSERT_EQ(two.code, 0) << two.output;
  const std::regex line(R"(on InvertedPendulum \(stochastic\): return (\S+) \+- (\S+), )"
                        R"(length (\S+) over 3 episodes)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(one.output, m, line)) << one.output;
  EXPECT_EQ(one.output, two.output);
  const RunResult deterministic = Irlab(eval + " --threads 2 --deterministic");
  ASSERT_EQ(deterministic.code, 0) << deterministic.output;
  EXPECT_NE(deterministic.output.find("on InvertedPendulum (deterministic): return "),
            std::string::npos)
      << deterministic.output;
}

TEST(EvalCommandTest, BadFlagsAreRefusedByName) {
  RunResult run = Irlab(StrCat("eval --run ", TinyRun().string(), " --episodes 0"));
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_NE(run.output.find("--episodes and --threads must be >= 1"), std::string::npos)
      << run.output;
  run = Irlab("eval --episodes 3");
  EXPECT_EQ(run.code, 2) << run.output;
  EXPECT_NE(run.output.find("--run"), std::string::npos) << run.output;
}

TEST(PlotCommandTest, WritesAPngOfALoggedMetric) {
  const fs::path png = TinyRun().parent_path() / "return.png";
  const RunResult run =
      Irlab(StrCat("plot ", TinyRun().string(), " --metric policy_loss --out ", png.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("wrote "), std::string::npos) << run.output;
  const std::string bytes = testing::FileBytes(png);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes.substr(0, 8), "\x89PNG\r\n\x1a\n");
}

}  // namespace
}  // namespace irlab
