// irlab export end to end: tiny AIRL (state-only, one observation entry hidden
// from the reward) and GAIL runs on the shipped Pendulum demonstrations are
// exported; the TorchScript modules, loaded with torch::jit::load, reproduce
// irlab's own actions, learned rewards and potential on the demonstrations.
// The modules and irlab's numbers are left in IRLAB_EXPORT_FIXTURE for the
// Python test (export_test.py), which checks them again from PyTorch.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/rollout.h"
#include "core/files.h"
#include "core/json.h"
#include "data/demo_file.h"
#include "envs/registry.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

const fs::path kFixture = IRLAB_EXPORT_FIXTURE;
constexpr int64_t kRows = 200;  // demonstration rows checked

int Irlab(const std::string& args, const std::string& log) {
  return testing::Irlab(args, kFixture / log);
}

std::string Log(const std::string& log) { return ReadFile(kFixture / log).value_or(""); }

std::string ShippedDemos() {
  return (fs::path(IRLAB_SOURCE_DIR) / "assets" / "demos" / "pendulum.h5").string();
}

// The first kRows transitions of the shipped demonstrations.
struct Rows {
  int od = 0, ad = 0;
  std::vector<float> obs, act, next;
  std::vector<uint8_t> done;
};

Rows ReadRows() {
  auto file = DemoFile::Open(ShippedDemos());
  EXPECT_TRUE(file.ok()) << file.status();
  Rows r;
  r.od = (*file)->metadata().obs_dim;
  r.ad = (*file)->metadata().act_dim;
  r.obs.resize(kRows * r.od);
  r.next.resize(kRows * r.od);
  r.act.resize(kRows * r.ad);
  r.done.resize(kRows);
  EXPECT_TRUE((*file)->Read(DemoField::kObservations, 0, kRows, std::span<float>(r.obs)).ok());
  EXPECT_TRUE((*file)->Read(DemoField::kNextObservations, 0, kRows, std::span<float>(r.next)).ok());
  EXPECT_TRUE((*file)->Read(DemoField::kActions, 0, kRows, std::span<float>(r.act)).ok());
  EXPECT_TRUE((*file)->Read(DemoField::kTerminals, 0, kRows, std::span<uint8_t>(r.done)).ok());
  // actions past the bounds, so that the reward's clipping is exercised
  for (int64_t k = 0; k < kRows; k += 3) r.act[k * r.ad] *= 3;
  return r;
}

torch::Tensor Tensor(std::vector<float>& v, int64_t rows, int64_t cols) {
  return torch::from_blob(v.data(), {rows, cols}, torch::kFloat32).clone();
}

std::vector<float> ToVector(const torch::Tensor& t) {
  torch::Tensor c = t.contiguous().to(torch::kFloat32);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

void ExpectNear(const std::vector<float>& a, const std::vector<float>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], 1e-5 * (1 + std::fabs(b[i]))) << what << " " << i;
}

class ExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(kFixture);
    fs::create_directories(kFixture);
    const std::string tiny =
        " --env Pendulum --demos " + ShippedDemos() +
        " --set total_steps=4096 --set eval_episodes=1 --set eval_every=0 --seed 3";
    ASSERT_EQ(Irlab("train --algo airl" + tiny + " --set disc.ignore_obs=[1] --out " +
                        (kFixture / "airl").string(),
                    "airl.log"),
              0)
        << Log("airl.log");
    ASSERT_EQ(
        Irlab("train --algo gail" + tiny + " --out " + (kFixture / "gail").string(), "gail.log"), 0)
        << Log("gail.log");
    const std::pair<const char*, const char*> exports[] = {
        {"airl", "policy"}, {"airl", "reward"}, {"airl", "potential"}, {"gail", "reward"}};
    for (const auto& [run, what] : exports) {
      const std::string out = (kFixture / (std::string(run) + "_" + what + ".pt")).string();
      ASSERT_EQ(Irlab(std::string("export --run ") + (kFixture / run).string() + " --what " + what +
                          " --out " + out,
                      "export.log"),
                0)
          << Log("export.log");
    }
  }
};

TEST_F(ExportTest, ModulesReproduceIrlabsActionsRewardsAndPotential) {
  Rows r = ReadRows();
  const int od = r.od, ad = r.ad;
  Json reference;

  // the policy: the mean action, and a sample given irlab's own noise
  auto policy = Policy::Load(kFixture / "airl");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<float> mean(kRows * ad), sampled(kRows * ad), noise(kRows * ad);
  Rng rng(7), sample_rng(7), noise_rng(7);
  (*policy)->Act(r.obs, kRows, true, rng, mean);
  (*policy)->Act(r.obs, kRows, false, sample_rng, sampled);
  for (float& z : noise) z = static_cast<float>(noise_rng.Normal());
  torch::jit::Module pm = torch::jit::load((kFixture / "airl_policy.pt").string());
  torch::NoGradGuard no_grad;
  const torch::Tensor obs = Tensor(r.obs, kRows, od);
  ExpectNear(ToVector(pm.forward({obs}).toTensor()), mean, "mean action");
  ExpectNear(ToVector(pm.get_method("sample")({obs, Tensor(noise, kRows, ad)}).toTensor()), sampled,
             "sample");
  reference["actions"] = mean;

  // the learned rewards, as transfer and inspect --reward compute them
  auto spec = MakeEnv("Pendulum");
  ASSERT_TRUE(spec.ok());
  const EnvSpec& s = (*spec)->spec();
  for (const char* run : {"airl", "gail"}) {
    auto reward = LoadLearnedReward(kFixture / run);
    ASSERT_TRUE(reward.ok()) << reward.status();
    const std::vector<float> expected =
        ScoreTransitions(*reward, r.obs, r.act, r.next, r.done, s.act_low, s.act_high);
    torch::jit::Module rm =
        torch::jit::load((kFixture / (std::string(run) + "_reward.pt")).string());
    std::vector<float> done(r.done.begin(), r.done.end());
    const torch::Tensor got = rm.forward({obs, Tensor(r.act, kRows, ad), Tensor(r.next, kRows, od),
                                          torch::from_blob(done.data(), {kRows}).clone()})
                                  .toTensor();
    ASSERT_EQ(got.sizes(), torch::IntArrayRef({kRows}));
    ExpectNear(ToVector(got), expected, run);
    reference[std::string(run) + "_rewards"] = expected;
    // a reward that ignored the action would not tell these apart
    if (std::string(run) == "gail") {
      EXPECT_FALSE(
          torch::allclose(got, rm.forward({obs, torch::zeros({kRows, ad}),
                                           Tensor(r.next, kRows, od), torch::zeros({kRows})})
                                   .toTensor()));
    }
  }

  // AIRL's potential h(s), on the observation the reward net sees
  auto airl = LoadLearnedReward(kFixture / "airl");
  ASSERT_TRUE(airl.ok());
  ASSERT_TRUE(airl->disc->shaped());
  std::vector<float> normalized(r.obs.size());
  NormalizeObs(airl->policy, r.obs, normalized);
  const torch::Tensor visible =
      Tensor(normalized, kRows, od).index_select(1, torch::tensor({0, 2}, torch::kInt64));
  const std::vector<float> h =
      ToVector(TorchMlp(airl->disc->h(), torch::tensor(airl->disc->params()), visible).squeeze(-1));
  torch::jit::Module hm = torch::jit::load((kFixture / "airl_potential.pt").string());
  ExpectNear(ToVector(hm.forward({obs}).toTensor()), h, "potential");
  reference["airl_potential"] = h;
  reference["rows"] = kRows;
  reference["scaled_action_rows_every"] = 3;  // act[k, 0] *= 3 for k % 3 == 0
  ASSERT_TRUE(WriteJsonFile(kFixture / "reference.json", reference).ok());
}

TEST_F(ExportTest, ParametersAreNamedByLayerAndMetadataIsComplete) {
  torch::jit::Module pm = torch::jit::load((kFixture / "airl_policy.pt").string());
  std::vector<std::string> names;
  for (const auto& p : pm.named_parameters()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "log_std", "actor.fc0.weight", "actor.fc0.bias", "actor.fc1.weight",
                       "actor.fc1.bias", "actor.fc2.weight", "actor.fc2.bias", "critic.fc0.weight",
                       "critic.fc0.bias", "critic.fc1.weight", "critic.fc1.bias",
                       "critic.fc2.weight", "critic.fc2.bias"}));
  const auto metadata = pm.attr("metadata").toGenericDict();
  EXPECT_EQ(metadata.at("task").toStringRef(), "Pendulum");
  EXPECT_EQ(metadata.at("what").toStringRef(), "policy");
  EXPECT_EQ(metadata.at("obs_dim").toStringRef(), "3");
  EXPECT_EQ(metadata.at("act_low").toStringRef(), "[-2.0]");
  EXPECT_EQ(metadata.at("config_hash").toStringRef().size(), 16u);
  EXPECT_EQ(pm.attr("act_dim").toInt(), 1);

  // the same metadata as typed JSON in the archive's extra file
  torch::jit::ExtraFilesMap extra{{"metadata.json", ""}};
  torch::jit::load((kFixture / "airl_reward.pt").string(), c10::nullopt, extra);
  auto json = ParseJson(extra["metadata.json"], "metadata.json");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ((*json)["what"], "reward");
  EXPECT_EQ((*json)["algo"], "airl");
  EXPECT_EQ((*json)["act_high"], Json::array({2.0}));
  EXPECT_EQ((*json)["env_steps"], 4096);

  // --step: the kept checkpoint at or before it
  ASSERT_EQ(Irlab("export --run " + (kFixture / "airl").string() +
                      " --step 5000 --what reward --out " + (kFixture / "step.pt").string(),
                  "step.log"),
            0)
      << Log("step.log");
  torch::jit::Module stepped = torch::jit::load((kFixture / "step.pt").string());
  const std::string from = stepped.attr("metadata").toGenericDict().at("checkpoint").toStringRef();
  EXPECT_EQ(fs::path(from).filename(), "step_4096.pt") << from;

  // a GAIL reward has no potential; a bad --what and a missing step are errors
  EXPECT_NE(Irlab("export --run " + (kFixture / "gail").string() + " --what potential --out " +
                      (kFixture / "x.pt").string(),
                  "bad.log"),
            0);
  EXPECT_NE(Log("bad.log").find("has no potential"), std::string::npos) << Log("bad.log");
  EXPECT_NE(Irlab("export --run " + (kFixture / "gail").string() + " --what value --out " +
                      (kFixture / "x.pt").string(),
                  "bad.log"),
            0);
  EXPECT_NE(Irlab("export --run " + (kFixture / "gail").string() +
                      " --step 1 --what policy --out " + (kFixture / "x.pt").string(),
                  "bad.log"),
            0);
  EXPECT_NE(Log("bad.log").find("no checkpoint at or before step 1"), std::string::npos)
      << Log("bad.log");
  EXPECT_FALSE(fs::exists(kFixture / "x.pt"));
}

}  // namespace
}  // namespace irlab
