// irlab expert and irlab train run directories: bad settings are refused
// before the directory exists (so the corrected command is not then refused
// for a non-empty --out); a refused --resume leaves config.toml, run.json and
// eval.json as they were.
#include <filesystem>
#include <string>

#include "core/files.h"
#include "core/json.h"
#include "core/strings.h"
#include "gtest/gtest.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

using testing::Irlab;
using testing::RunResult;

class RunDirTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::TestDir(); }

  static std::string Contents(const fs::path& path) {
    auto c = ReadFile(path);
    return c.ok() ? *c : "<missing>";
  }
  fs::path dir_;
};

// a tiny PPO run: 2 envs x 64 steps per rollout
constexpr char kTiny[] =
    " --set num_envs=2 --set threads=1 --set ppo.rollout_steps=64 --set ppo.minibatches=4 --set "
    "ppo.epochs=1"
    " --set eval_episodes=1";

TEST_F(RunDirTest, ExpertChecksBeforeMakingItsRunDir) {
  const fs::path out = dir_ / "expert";
  RunResult run = Irlab(StrCat("expert --env NoSuchTask --out ", out.string(), kTiny));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("NoSuchTask"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(out)) << "made before the task was checked";
  run = Irlab(StrCat("expert --env InvertedPendulum --out ", out.string(), kTiny,
                     " --set ppo.minibatches=1000"));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("ppo.minibatches (1000) exceeds the rollout size 128"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(out)) << "made before the minibatches were checked";
  // the corrected command then runs
  run = Irlab(StrCat("expert --env InvertedPendulum --out ", out.string(), kTiny,
                     " --set total_steps=128"));
  EXPECT_EQ(run.code, 0) << run.output;
}

// run.json names the commit the irlab binary was built from (a binary pinned
// for a long sweep is not the tree it runs in); built in a git checkout, that
// is a commit of the checkout.
TEST_F(RunDirTest, RunJsonNamesTheCommitTheBinaryWasBuiltFrom) {
  const fs::path out = dir_ / "rollout";
  RunResult run =
      Irlab(StrCat("rollout --policy random --env Pendulum --episodes 1 --out ", out.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const auto info = ReadJsonFile(out / "run.json");
  ASSERT_TRUE(info.ok()) << info.status();
  const RunResult git = testing::Run(StrCat("git -C ", IRLAB_SOURCE_DIR, " rev-parse HEAD"));
  if (!fs::exists(fs::path(IRLAB_SOURCE_DIR) / ".git") || git.code != 0) {
    EXPECT_FALSE(info->contains("build_revision")) << Contents(out / "run.json");
    GTEST_SKIP() << "the source tree is not a git checkout";
  }
  ASSERT_TRUE(info->contains("build_revision")) << Contents(out / "run.json");
  ASSERT_TRUE((*info)["build_dirty"].is_boolean());
  const std::string commit = (*info)["build_revision"].get<std::string>();
  EXPECT_EQ(commit.size(), 40u) << commit;
  const RunResult known =
      testing::Run(StrCat("git -C ", IRLAB_SOURCE_DIR, " cat-file -e ", commit, "^{commit}"));
  EXPECT_EQ(known.code, 0) << commit << " is not a commit of " << IRLAB_SOURCE_DIR;
}

TEST_F(RunDirTest, RefusedExpertResumeLeavesTheRunAsItWas) {
  const fs::path out = dir_ / "expert";
  RunResult run = Irlab(StrCat("expert --env InvertedPendulum --out ", out.string(), kTiny,
                               " --set total_steps=128"));
  ASSERT_EQ(run.code, 0) << run.output;
  const std::string config = Contents(out / "config.toml"), info = Contents(out / "run.json");
  const std::string checkpoint = Contents(out / "checkpoint.pt");

  // a config that changes the network
  run = Irlab(StrCat("expert --resume ", out.string(),
                     " --set total_steps=256 --set ppo.actor_hidden=[32]"));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("network shape"), std::string::npos) << run.output;
  EXPECT_EQ(Contents(out / "config.toml"), config);
  EXPECT_EQ(Contents(out / "run.json"), info)
      << "the original command line, pid and start time were lost";

  // a damaged checkpoint: refused as damaged, by name, never as "the last good" one
  ASSERT_TRUE(
      WriteFileAtomically(out / "checkpoint.pt", checkpoint.substr(0, checkpoint.size() - 100))
          .ok());
  run = Irlab(StrCat("expert --resume ", out.string(), " --set total_steps=256"));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find((out / "checkpoint.pt").string() + ": damaged checkpoint"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("last good"), std::string::npos) << run.output;
  EXPECT_EQ(Contents(out / "config.toml"), config);
  EXPECT_EQ(Contents(out / "run.json"), info);

  // an accepted resume records itself
  ASSERT_TRUE(WriteFileAtomically(out / "checkpoint.pt", checkpoint).ok());
  run = Irlab(StrCat("expert --resume ", out.string(), " --set total_steps=256"));
  EXPECT_EQ(run.code, 0) << run.output;
  EXPECT_NE(Contents(out / "run.json"), info);
  EXPECT_NE(Contents(out / "config.toml").find("total_steps = 256"), std::string::npos);
}

TEST_F(RunDirTest, TrainChecksMinibatchesAndRefusesToResumeAFinishedRun) {
  const fs::path expert = dir_ / "expert", demos = dir_ / "demos.h5", out = dir_ / "airl";
  ASSERT_EQ(Irlab(StrCat("expert --env InvertedPendulum --out ", expert.string(), kTiny,
                         " --set total_steps=128"))
                .code,
            0);
  RunResult run =
      Irlab(StrCat("collect --run ", expert.string(), " --episodes 3 --out ", demos.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  const std::string train =
      StrCat("train --algo airl --env InvertedPendulum --demos ", demos.string(), kTiny,
             " --set total_steps=128 --out ", out.string());

  run = Irlab(train + " --set ppo.minibatches=129");
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("ppo.minibatches (129) exceeds the rollout size 128"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("expert transitions"), std::string::npos)
      << "work started: " << run.output;
  EXPECT_FALSE(fs::exists(out));

  run = Irlab(train);
  ASSERT_EQ(run.code, 0) << run.output;
  const std::string config = Contents(out / "config.toml"), info = Contents(out / "run.json");
  const std::string eval = Contents(out / "eval.json");
  ASSERT_EQ(eval.find("nan"), std::string::npos) << eval;
  run = Irlab(StrCat("train --resume ", out.string()));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("the run finished at env step 128 (total_steps 128)"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(Contents(out / "eval.json"), eval);
  EXPECT_EQ(Contents(out / "config.toml"), config);
  EXPECT_EQ(Contents(out / "run.json"), info);
}

// expert and train share their set-up: --resume takes the run's own
// config.toml, so both refuse --config beside it.
TEST_F(RunDirTest, BothRefuseConfigWithResume) {
  for (const char* command : {"expert", "train"}) {
    const RunResult run =
        Irlab(StrCat(command, " --resume ", (dir_ / "run").string(), " --config x.toml"));
    EXPECT_EQ(run.code, 2) << run.output;
    EXPECT_NE(
        run.output.find(StrCat("irlab ", command,
                               ": --resume uses the run's config.toml; use --set to change it")),
        std::string::npos)
        << run.output;
  }
}

// A command's own flags are checked as given and named as given: never
// silently replaced by the default, never reported as a --set nobody typed.
TEST_F(RunDirTest, FlagValuesAreCheckedAndNamedAsGiven) {
  for (const char* episodes : {"-1", "0"}) {
    const RunResult run = Irlab(StrCat("rollout --env Pendulum --episodes ", episodes));
    EXPECT_EQ(run.code, 1) << run.output;
    EXPECT_NE(run.output.find(StrCat("--episodes ", episodes, ": key 'episodes': value ", episodes,
                                     " is outside")),
              std::string::npos)
        << run.output;
    EXPECT_EQ(run.output.find("mean return"), std::string::npos) << "it ran: " << run.output;
  }
  RunResult run =
      Irlab(StrCat("train --algo foo --env Pendulum --demos x.h5 --out ", (dir_ / "t").string()));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(
      run.output.find("--algo foo: key 'algo': 'foo' is not one of airl, airl-sa, gail, gcl, bc"),
      std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("--set"), std::string::npos) << run.output;
  run = Irlab(StrCat("expert --env Pendulum --seed -3 --out ", (dir_ / "e").string()));
  EXPECT_EQ(run.code, 1) << run.output;
  EXPECT_NE(run.output.find("--seed -3: key 'seed'"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(dir_ / "e"));
}

}  // namespace
}  // namespace irlab
