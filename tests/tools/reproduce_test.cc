// irlab reproduce end to end on a tiny pipeline of its own (--experiments): the
// stages run into <out>/<stage>, the table goes beside the runs and into
// --results as NAME-BUDGET.md/.csv, each copy linking its own learning-curve
// figure per task, and a second call resumes without running a cell again.
#include <filesystem>
#include <string>

#include "core/files.h"
#include "core/strings.h"
#include "gtest/gtest.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

using testing::Irlab;
using testing::RunResult;

constexpr char kPipeline[] = R"(title = "tiny"
table = "table.toml"
plot = { stage = "experts", metric = "episode_return" }
[[stage]]
name = "experts"
sweep = "experts.toml"
)";

// two tasks, two seeds, a few hundred PPO steps each (an episode of Pendulum's 200 steps
// ends in each env)
constexpr char kExperts[] =
    R"(command = "irlab expert --env {env} --seed {seed} --out {out} --set total_steps=512 --set num_envs=2 --set threads=1 --set ppo.rollout_steps=64 --set ppo.minibatches=4 --set ppo.epochs=1 --set eval_episodes=1 --set eval_every=1"
name_by = ["env"]
seeds = [0, 1]
[[grid]]
env = ["InvertedPendulum", "Pendulum"]
[vars]
root = "unused"
experiments = "unused"
[budget.full]
)";

constexpr char kTable[] = R"(title = "tiny experts"
rows = ["env"]
column = "algo"
metric = "eval.json:return_mean"
min_seeds = 2
[vars]
root = "unused"
experiments = "unused"
[[source]]
runs = "{root}/experts"
set = { algo = "ppo" }
)";

class ReproduceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TestDir();
    const fs::path pipeline = dir_ / "experiments/reproduce/tiny";
    fs::create_directories(pipeline);
    ASSERT_TRUE(WriteFileAtomically(pipeline / "pipeline.toml", kPipeline).ok());
    ASSERT_TRUE(WriteFileAtomically(pipeline / "experts.toml", kExperts).ok());
    ASSERT_TRUE(WriteFileAtomically(pipeline / "table.toml", kTable).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunResult Reproduce() const {
    return Irlab(StrCat("reproduce tiny --jobs 2 --experiments ", (dir_ / "experiments").string(),
                        " --out ", (dir_ / "runs").string(), " --results ",
                        (dir_ / "results").string()));
  }
  static std::string Contents(const fs::path& path) {
    auto c = ReadFile(path);
    return c.ok() ? *c : "<missing>";
  }
  fs::path dir_;
};

TEST_F(ReproduceTest, RunsTheStagesAndWritesTheTableWithItsFigures) {
  RunResult run = Reproduce();
  ASSERT_EQ(run.code, 0) << run.output;
  for (const char* task : {"InvertedPendulum", "Pendulum"}) {
    for (const char* seed : {"seed-0", "seed-1"}) {
      EXPECT_TRUE(fs::exists(dir_ / "runs/experts" / StrCat("env-", task) / seed / "eval.json"))
          << task << " " << seed;
    }
  }
  // the results copy links the figures under results/figures/
  const std::string results = Contents(dir_ / "results/tiny-full.md");
  EXPECT_NE(results.find("| InvertedPendulum |"), std::string::npos) << results;
  EXPECT_NE(results.find("Budget: full. Table made by `irlab reproduce tiny --budget full`"),
            std::string::npos)
      << results;
  for (const char* task : {"InvertedPendulum", "Pendulum"}) {
    const std::string link = StrCat("![", task, "](figures/tiny-full-", task, ".png)");
    EXPECT_NE(results.find(link), std::string::npos) << link << "\n" << results;
    const fs::path png = dir_ / "results/figures" / StrCat("tiny-full-", task, ".png");
    EXPECT_EQ(Contents(png).substr(0, 4), "\x89PNG") << png;
  }
  EXPECT_TRUE(fs::exists(dir_ / "results/tiny-full.csv"));
  // the copy beside the runs links the figures beside it
  const std::string local = Contents(dir_ / "runs/table.md");
  EXPECT_NE(local.find("![Pendulum](curves-Pendulum.png)"), std::string::npos) << local;
  EXPECT_TRUE(fs::exists(dir_ / "runs/curves-Pendulum.png"));

  // a second call finds every cell finished and runs none again
  const auto before = fs::last_write_time(dir_ / "runs/experts/env-Pendulum/seed-0/eval.json");
  run = Reproduce();
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(run.output.find("done   env-"), std::string::npos) << run.output;
  EXPECT_EQ(fs::last_write_time(dir_ / "runs/experts/env-Pendulum/seed-0/eval.json"), before);
}

}  // namespace
}  // namespace irlab
