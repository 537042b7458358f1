#include "algos/adversarial/reward_nets.h"

#include <gtest/gtest.h>

#include <cmath>

#include "algos/adversarial/learned_reward.h"

namespace irlab {
namespace {

// A reward net with a fixed, hand-checkable output.
class ConstantPlusObs : public RewardNet {
 public:
  torch::Tensor Forward(const Transitions& t) const override { return t.obs.sum(1) + 0.5; }
  std::vector<torch::Tensor> Parameters() const override { return {}; }
};

TEST(RewardNetsTest, AirlShapingAndLogitsByHand) {
  // h is a real MLP: read its values, then check f = g + gamma (1 - done) h(s') - h(s)
  ShapedReward f(std::make_unique<ConstantPlusObs>(), 2, {4}, 0.9);
  Transitions t;
  t.obs = torch::tensor({{1.0f, 2.0f}, {0.0f, -1.0f}});
  t.next_obs = torch::tensor({{0.5f, 0.5f}, {3.0f, 1.0f}});
  t.act = torch::zeros({2, 1});
  t.done = torch::tensor({0.0f, 1.0f});
  t.log_pi = torch::tensor({-1.0f, 0.25f});
  const torch::Tensor h_s = f.Potential(t.obs), h_next = f.Potential(t.next_obs);
  const torch::Tensor out = f.Forward(t);
  const double g0 = 3.5, g1 = -0.5;
  EXPECT_NEAR(out[0].item<double>(), g0 + 0.9 * h_next[0].item<double>() - h_s[0].item<double>(), 1e-5);
  // terminal s': h(s') = 0
  EXPECT_NEAR(out[1].item<double>(), g1 - h_s[1].item<double>(), 1e-5);

  Discriminator airl(DiscriminatorKind::kAirl,
                     std::make_unique<ShapedReward>(std::make_unique<ConstantPlusObs>(), 2, std::vector<int>{4}, 0.9),
                     GailReward::kLogit);
  const torch::Tensor f_airl = airl.reward().Forward(t);
  const torch::Tensor logits = airl.Logits(t);
  EXPECT_NEAR(logits[0].item<double>(), f_airl[0].item<double>() + 1.0, 1e-5);   // f - log pi
  EXPECT_NEAR(logits[1].item<double>(), f_airl[1].item<double>() - 0.25, 1e-5);
  EXPECT_TRUE(torch::allclose(airl.GeneratorReward(t), logits));
  Discriminator weighted(DiscriminatorKind::kAirl,
                         std::make_unique<ShapedReward>(std::make_unique<ConstantPlusObs>(), 2, std::vector<int>{4}, 0.9),
                         GailReward::kLogit, 0.1);
  const torch::Tensor f_w = weighted.reward().Forward(t);
  // w = 0.1 weighs log pi in the logits (what the discriminator is trained on) and
  // so in the generator reward log D - log(1 - D)
  EXPECT_NEAR(weighted.Logits(t)[0].item<double>(), f_w[0].item<double>() + 0.1, 1e-5);  // f - 0.1 log pi
  EXPECT_NEAR(weighted.Logits(t)[1].item<double>(), f_w[1].item<double>() - 0.025, 1e-5);
  EXPECT_TRUE(torch::allclose(weighted.GeneratorReward(t), weighted.Logits(t)));
  // the exported reward is g alone, without the shaping
  EXPECT_NEAR(airl.LearnedReward(t)[0].item<double>(), g0, 1e-6);
}

TEST(RewardNetsTest, GailGeneratorRewards) {
  Transitions t;
  t.obs = torch::tensor({{0.3f, -1.0f}});
  t.act = torch::zeros({1, 1});
  const double x = -0.7 + 0.5;  // the logit
  const double d = 1 / (1 + std::exp(-x));
  auto make = [](GailReward r) {
    return Discriminator(DiscriminatorKind::kGail, std::make_unique<ConstantPlusObs>(), r);
  };
  EXPECT_NEAR(make(GailReward::kLogit).GeneratorReward(t).item<double>(), x, 1e-6);
  EXPECT_NEAR(make(GailReward::kPositive).GeneratorReward(t).item<double>(), -std::log(1 - d), 1e-6);
  EXPECT_NEAR(make(GailReward::kNegative).GeneratorReward(t).item<double>(), std::log(d), 1e-6);
}

TEST(RewardNetsTest, StateOnlyRewardIgnoresActions) {
  MlpReward g(3, 2, true, {8});
  Transitions a, b;
  a.obs = b.obs = torch::randn({5, 3});
  a.act = torch::randn({5, 2});
  b.act = torch::randn({5, 2}) * 10;
  EXPECT_TRUE(torch::equal(g.Forward(a), g.Forward(b)));
  MlpReward sa(3, 2, false, {8});
  EXPECT_FALSE(torch::equal(sa.Forward(a), sa.Forward(b)));
}

TEST(RewardNetsTest, IgnoredObservationEntriesDoNotReachTheReward) {
  // a hand-checkable net behind the mask: it sums what it sees
  Discriminator masked(DiscriminatorKind::kGail, std::make_unique<ConstantPlusObs>(), GailReward::kLogit, 1.0,
                       torch::tensor({1, 2}, torch::kInt64));
  Transitions t;
  t.obs = torch::tensor({{100.0f, 2.0f, 3.0f}});
  t.act = torch::zeros({1, 1});
  EXPECT_NEAR(masked.Logits(t).item<double>(), 5.5, 1e-6);
  EXPECT_NEAR(masked.LearnedReward(t).item<double>(), 5.5, 1e-6);

  // through the config, for every kind of net: changing x and y (entries 0 and 1)
  // changes nothing, changing another entry does
  for (const char* algo : {"airl", "airl-sa", "gail"}) {
    AdversarialConfig cfg;
    cfg.algo = algo;
    cfg.disc.ignore_obs = {0, 1};
    auto disc = MakeDiscriminator(cfg, 4, 2);
    ASSERT_TRUE(disc.ok()) << disc.status();
    Transitions a;
    a.obs = torch::randn({6, 4});
    a.next_obs = torch::randn({6, 4});
    a.act = torch::randn({6, 2});
    a.done = torch::zeros({6});
    a.log_pi = torch::randn({6});
    Transitions b = a;
    b.obs = a.obs.clone();
    b.next_obs = a.next_obs.clone();
    b.obs.select(1, 0).add_(50.0);
    b.next_obs.select(1, 1).add_(-30.0);
    EXPECT_TRUE(torch::allclose((*disc)->Logits(a), (*disc)->Logits(b))) << algo;
    EXPECT_TRUE(torch::allclose((*disc)->LearnedReward(a), (*disc)->LearnedReward(b))) << algo;
    b.obs.select(1, 3).add_(1.0);
    EXPECT_FALSE(torch::allclose((*disc)->Logits(a), (*disc)->Logits(b))) << algo;
  }
}

TEST(RewardNetsTest, IgnoreObsOutsideTheObservationIsAnError) {
  AdversarialConfig cfg;
  cfg.disc.ignore_obs = {0, 4};
  auto bad = MakeDiscriminator(cfg, 4, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("disc.ignore_obs"), std::string::npos) << bad.status();
  cfg.disc.ignore_obs = {0, 1, 2, 3};
  EXPECT_FALSE(MakeDiscriminator(cfg, 4, 2).ok());
}

TEST(RewardNetsTest, DiscriminatorLossFallsOnAFixedBatch) {
  torch::manual_seed(0);
  Discriminator disc(DiscriminatorKind::kGail, std::make_unique<MlpReward>(2, 1, false, std::vector<int>{16}),
                     GailReward::kLogit);
  Transitions expert, policy;
  expert.obs = torch::randn({64, 2}) + 1.0;
  expert.act = torch::randn({64, 1});
  policy.obs = torch::randn({64, 2}) - 1.0;
  policy.act = torch::randn({64, 1});
  torch::optim::Adam opt(disc.Parameters(), torch::optim::AdamOptions(1e-2));
  const double before = DiscriminatorLoss(disc.Logits(expert), disc.Logits(policy)).item<double>();
  for (int i = 0; i < 300; ++i) {
    torch::Tensor loss = DiscriminatorLoss(disc.Logits(expert), disc.Logits(policy));
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  const double after = DiscriminatorLoss(disc.Logits(expert), disc.Logits(policy)).item<double>();
  EXPECT_NEAR(before, std::log(2.0), 0.2);
  EXPECT_LT(after, 0.2 * before);
}

TEST(RewardNetsTest, ImportanceWeightsAreStableForLongTrajectories) {
  // sums over 1000 steps overflow exp(); the log-space weights stay finite and normalised
  torch::Tensor R = torch::tensor({900.0f, 1000.0f, 1010.0f});
  torch::Tensor log_q = torch::tensor({-50.0f, -60.0f, -40.0f});
  torch::Tensor w = ImportanceWeights(R, log_q);
  EXPECT_TRUE(torch::isfinite(w).all().item<bool>());
  EXPECT_NEAR(w.sum().item<double>(), 1.0, 1e-6);
  // R - log q = [950, 1060, 1050]
  EXPECT_NEAR(w[1].item<double>(), 1 / (1 + std::exp(-110.0) + std::exp(-10.0)), 1e-6);
  EXPECT_NEAR(w[2].item<double>(), std::exp(-10.0) / (1 + std::exp(-110.0) + std::exp(-10.0)), 1e-6);
  // log Z = log((1/3) sum exp(R - log q)) = 1060 + log((1 + e^-10 + e^-110) / 3)
  EXPECT_NEAR(LogPartition(R, log_q).item<double>(), 1060 + std::log((1 + std::exp(-10.0)) / 3), 1e-2);
}

}  // namespace
}  // namespace irlab
