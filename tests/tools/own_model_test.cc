// A researcher's own model through the commands: expert pins it in
// config.toml, eval and collect rebuild the run's task from there, the
// demonstrations record it, training on them with another model is refused,
// and an edited file is an error wherever the task is rebuilt.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/files.h"
#include "envs/model_library.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

const fs::path& Dir() {
  static const fs::path dir = testing::TestDir();
  return dir;
}

int Irlab(const std::string& args, const std::string& log) {
  return testing::Irlab(args, Dir() / log);
}

std::string Log(const std::string& log) { return ReadFile(Dir() / log).value_or(""); }

TEST(OwnModelTest, PinnedFromExpertToDemonstrationsAndCheckedOnEveryRebuild) {
  std::string xml;
  for (const auto& f : EmbeddedModels()) {
    if (std::string_view(f.name) == "hopper.xml") xml = f.contents;
  }
  const size_t at = xml.find("gravity=\"0 0 -9.81\"");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 19, "gravity=\"0 0 -5.00\"");
  const fs::path model = Dir() / "my_hopper.xml";
  ASSERT_TRUE(WriteFileAtomically(model, xml).ok());

  const fs::path run = Dir() / "expert";
  ASSERT_EQ(
      Irlab("expert --env Hopper --set env_options.xml_file=" + model.string() +
                " --set env_options.ctrl_cost_weight=0.01 --set total_steps=256 --set num_envs=2"
                " --set ppo.rollout_steps=64 --set ppo.minibatches=2 --set eval_episodes=1 --out " +
                run.string(),
            "expert.log"),
      0)
      << Log("expert.log");
  const std::string config = *ReadFile(run / "config.toml");
  EXPECT_NE(config.find("model_digest = '" + ModelDigest(xml) + "'"), std::string::npos) << config;
  EXPECT_NE(config.find("ctrl_cost_weight = 0.01"), std::string::npos) << config;

  // eval and collect rebuild the run's task (the policy's 11 observations fit either model;
  // the digest is what tells them apart)
  ASSERT_EQ(Irlab("eval --run " + run.string() + " --episodes 1", "eval.log"), 0)
      << Log("eval.log");
  const fs::path demos = Dir() / "demos.h5";
  ASSERT_EQ(Irlab("collect --run " + run.string() + " --episodes 2 --out " + demos.string(),
                  "collect.log"),
            0)
      << Log("collect.log");
  ASSERT_EQ(Irlab("inspect " + demos.string(), "inspect.log"), 0) << Log("inspect.log");
  EXPECT_NE(Log("inspect.log").find(ModelDigest(xml)), std::string::npos) << Log("inspect.log");

  // training on them with the built-in model is refused, before any run directory exists
  EXPECT_NE(Irlab("train --algo gail --env Hopper --demos " + demos.string() + " --out " +
                      (Dir() / "t").string(),
                  "train.log"),
            0);
  EXPECT_NE(Log("train.log").find("the demonstrations were recorded on " + model.string()),
            std::string::npos)
      << Log("train.log");
  EXPECT_FALSE(fs::exists(Dir() / "t"));

  // an edited model is an error for eval, collect and replay alike
  ASSERT_TRUE(WriteFileAtomically(model, xml + "<!-- edited -->\n").ok());
  EXPECT_NE(Irlab("eval --run " + run.string() + " --episodes 1", "eval2.log"), 0);
  EXPECT_NE(Log("eval2.log").find("the model is not the one recorded"), std::string::npos)
      << Log("eval2.log");
  EXPECT_NE(
      Irlab("collect --run " + run.string() + " --episodes 1 --out " + (Dir() / "d2.h5").string(),
            "collect2.log"),
      0);
  EXPECT_NE(Irlab("inspect " + demos.string(), "inspect2.log"), 0);
  EXPECT_NE(Log("inspect2.log").find("not the one recorded"), std::string::npos)
      << Log("inspect2.log");
  fs::remove_all(Dir());
}

}  // namespace
}  // namespace irlab
