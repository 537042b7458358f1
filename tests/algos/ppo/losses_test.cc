#include "algos/ppo/losses.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "algos/ppo/networks.h"

namespace irlab {
namespace {

TEST(LossesTest, GaussianLogProbAndEntropyByHand) {
  torch::Tensor a = torch::tensor({{0.5f, -1.0f}});
  torch::Tensor mean = torch::tensor({{0.0f, 0.0f}});
  torch::Tensor log_std = torch::tensor({0.0f, std::log(2.0f)});
  const double c = 0.5 * std::log(2 * std::numbers::pi);
  const double expected = (-0.5 * 0.25 - c) + (-0.5 * 0.25 - std::log(2.0) - c);
  EXPECT_NEAR(GaussianLogProb(a, mean, log_std).item<double>(), expected, 1e-6);
  EXPECT_NEAR(GaussianEntropy(log_std).item<double>(), 2 * (0.5 + c) + std::log(2.0), 1e-6);
}

TEST(LossesTest, ClippedSurrogateAndValueLossByHand) {
  PpoConfig cfg;
  cfg.norm_adv = false;
  cfg.clip_coef = 0.2;
  cfg.vf_coef = 0.5;
  cfg.ent_coef = 0.01;
  // ratios e^0.5 = 1.6487 (A > 0: clipped to 1.2) and e^-0.5 = 0.6065 (A < 0: clipped to 0.8)
  torch::Tensor new_lp = torch::tensor({0.5f, -0.5f});
  torch::Tensor old_lp = torch::tensor({0.0f, 0.0f});
  torch::Tensor adv = torch::tensor({2.0f, -1.0f});
  torch::Tensor new_v = torch::tensor({1.0f, 3.0f});
  torch::Tensor old_v = torch::tensor({0.0f, 3.0f});
  torch::Tensor ret = torch::tensor({2.0f, 2.0f});
  torch::Tensor ent = torch::tensor(1.5f);
  PpoLoss loss = ComputePpoLoss(new_lp, old_lp, adv, new_v, old_v, ret, ent, cfg);
  // sample 0: max(-2*1.6487, -2*1.2) = -2.4; sample 1: max(1*0.6065, 1*0.8) = 0.8
  EXPECT_NEAR(loss.policy.item<double>(), (-2.4 + 0.8) / 2, 1e-5);
  // value: sample 0: v clipped to 0.2: max((1-2)^2, (0.2-2)^2) = 3.24; sample 1: max(1, 1) = 1
  EXPECT_NEAR(loss.value.item<double>(), 0.5 * (3.24 + 1.0) / 2, 1e-5);
  EXPECT_NEAR(loss.total.item<double>(), -0.8 + 0.5 * 1.06 - 0.01 * 1.5, 1e-5);
  EXPECT_NEAR(loss.clip_frac.item<double>(), 1.0, 1e-6);
  const double r0 = std::exp(0.5), r1 = std::exp(-0.5);
  EXPECT_NEAR(loss.approx_kl.item<double>(), ((r0 - 1 - 0.5) + (r1 - 1 + 0.5)) / 2, 1e-5);

  cfg.clip_value_loss = false;
  PpoLoss unclipped = ComputePpoLoss(new_lp, old_lp, adv, new_v, old_v, ret, ent, cfg);
  EXPECT_NEAR(unclipped.value.item<double>(), 0.5 * (1.0 + 1.0) / 2, 1e-5);
}

TEST(NetworksTest, FlatLayoutAndFusedForwardMatchTorch) {
  ActorCritic net(3, 2, {4}, {5}, -0.5, 7);
  EXPECT_EQ(net.num_params(), (3 * 4 + 4 + 4 * 2 + 2) + (3 * 5 + 5 + 5 * 1 + 1) + 2);
  EXPECT_EQ(net.flat_params().numel(), net.num_params());
  EXPECT_EQ(net.log_std()[0], -0.5f);
  EXPECT_EQ(net.log_std()[1], -0.5f);
  torch::manual_seed(2);
  torch::Tensor obs = torch::randn({6, 3});
  std::vector<float> mean(12), value(6);
  nn::MlpScratch a, c;
  net.Forward(obs.data_ptr<float>(), 6, mean.data(), value.data(), a, c);
  torch::Tensor ref_mean = net.TorchMean(net.flat_params(), obs),
                ref_value = net.TorchValue(net.flat_params(), obs);
  for (int k = 0; k < 12; ++k) EXPECT_NEAR(mean[k], ref_mean.view({-1})[k].item<float>(), 1e-6);
  for (int k = 0; k < 6; ++k) EXPECT_NEAR(value[k], ref_value[k].item<float>(), 1e-6);
}

TEST(NetworksTest, SameSeedSameInitialisation) {
  ActorCritic a(5, 2, {8, 8}, {8, 8}, 0.0, 3), b(5, 2, {8, 8}, {8, 8}, 0.0, 3),
      c(5, 2, {8, 8}, {8, 8}, 0.0, 4);
  EXPECT_TRUE(torch::equal(a.flat_params(), b.flat_params()));
  EXPECT_FALSE(torch::equal(a.flat_params(), c.flat_params()));
}

}  // namespace
}  // namespace irlab
