// The fused PPO loss and gradient against LibTorch autograd over losses.h.
#include "algos/ppo/update.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "algos/ppo/losses.h"
#include "core/thread_pool.h"
#include "tests/algos/nn/test_util.h"

namespace irlab {
namespace {

struct Batch {
  torch::Tensor obs, actions, old_log_probs, advantages, returns, old_values;
  PpoMinibatch View() {
    return {.size = static_cast<int>(obs.size(0)),
            .obs = obs.data_ptr<float>(),
            .actions = actions.data_ptr<float>(),
            .old_log_probs = old_log_probs.data_ptr<float>(),
            .advantages = advantages.data_ptr<float>(),
            .returns = returns.data_ptr<float>(),
            .old_values = old_values.data_ptr<float>()};
  }
};

// HalfCheetah's sizes; old log-probs and values near the current ones (spread:
// how far), so that ratios fall both inside and outside the clip range.
Batch RandomBatch(const ActorCritic& net, int m, double spread, uint64_t seed) {
  torch::manual_seed(seed);
  Batch b;
  b.obs = torch::randn({m, net.obs_dim()});
  torch::Tensor p = net.flat_params();
  torch::Tensor mean = net.TorchMean(p, b.obs).detach();
  b.actions = mean + torch::randn({m, net.act_dim()}) * net.TorchLogStd(p).exp();
  torch::Tensor log_prob = GaussianLogProb(b.actions, mean, net.TorchLogStd(p));
  b.old_log_probs = (log_prob + spread * torch::randn({m})).contiguous();
  b.advantages = torch::randn({m}) * 3 + 0.5;
  b.returns = torch::randn({m}) * 2;
  b.old_values = (net.TorchValue(p, b.obs).detach() + spread * torch::randn({m})).contiguous();
  return b;
}

// Autograd's loss terms and gradient [P] for the same minibatch.
std::pair<PpoLoss, torch::Tensor> Reference(const ActorCritic& net, const Batch& b,
                                            const PpoConfig& cfg) {
  torch::Tensor p = net.flat_params().clone().requires_grad_(true);
  torch::Tensor log_std = net.TorchLogStd(p);
  PpoLoss loss = ComputePpoLoss(GaussianLogProb(b.actions, net.TorchMean(p, b.obs), log_std),
                                b.old_log_probs, b.advantages, net.TorchValue(p, b.obs),
                                b.old_values, b.returns, GaussianEntropy(log_std), cfg);
  loss.total.backward();
  return {loss, p.grad()};
}

void ExpectMatchesAutograd(const ActorCritic& net, Batch& b, const PpoConfig& cfg) {
  PpoScratch scratch;
  std::vector<float> grads(net.num_params(), NAN);
  const PpoLossTerms terms = PpoLossAndGradient(net, b.View(), cfg, scratch, grads.data());
  auto [loss, grad] = Reference(net, b, cfg);
  EXPECT_NEAR(terms.total, loss.total.item<double>(), 1e-5 * (1 + std::fabs(terms.total)));
  EXPECT_NEAR(terms.policy, loss.policy.item<double>(), 1e-5 * (1 + std::fabs(terms.policy)));
  EXPECT_NEAR(terms.value, loss.value.item<double>(), 1e-5 * (1 + std::fabs(terms.value)));
  EXPECT_NEAR(terms.entropy, loss.entropy.item<double>(), 1e-5);
  EXPECT_NEAR(terms.approx_kl, loss.approx_kl.item<double>(), 1e-5);
  EXPECT_NEAR(terms.clip_frac, loss.clip_frac.item<double>(), 1e-6);  // torch counts in float
  EXPECT_LT(testing::RelativeError(grads.data(), grad), 1e-5);
  // each part on its own scale too: actor, critic, log-std
  for (auto [begin, size] : {std::pair<int64_t, int64_t>{0, net.actor().num_params()},
                             {net.critic().offset, net.critic().num_params()},
                             {net.log_std_offset(), net.act_dim()}}) {
    EXPECT_LT(testing::RelativeError(grads.data() + begin, grad.narrow(0, begin, size)), 1e-5)
        << begin;
  }
}

TEST(PpoUpdateTest, RecipeMinibatchMatchesAutograd) {
  ActorCritic net(17, 6, {64, 64}, {64, 64}, -0.3, 11);
  PpoConfig cfg;
  for (int m : {64, 256}) {
    Batch b = RandomBatch(net, m, 0.3, m);
    ExpectMatchesAutograd(net, b, cfg);
  }
}

TEST(PpoUpdateTest, EntropyBonusNoAdvantageNormUnclippedValueMatchAutograd) {
  ActorCritic net(11, 3, {32}, {16, 16}, 0.2, 12);
  PpoConfig cfg;
  cfg.ent_coef = 0.05;
  cfg.norm_adv = false;
  cfg.clip_value_loss = false;
  cfg.vf_coef = 0.7;
  Batch b = RandomBatch(net, 50, 0.5, 3);
  ExpectMatchesAutograd(net, b, cfg);
}

TEST(PpoUpdateTest, EntropyTargetStopsTheBonusAboveItAndMatchesAutograd) {
  ActorCritic net(11, 3, {32}, {16, 16}, 0.2, 12);  // entropy 3 x (0.2 + 1.419) = 4.86 nats
  PpoConfig cfg;
  cfg.ent_coef = 0.05;
  Batch b = RandomBatch(net, 50, 0.5, 3);
  std::vector<float> free(net.num_params()), under_target(net.num_params()),
      over_target(net.num_params()), none(net.num_params());
  PpoScratch scratch;
  const PpoLossTerms with_bonus = PpoLossAndGradient(net, b.View(), cfg, scratch, free.data());
  // a target above the entropy (the bonus acts) and one below it (the bonus stops)
  for (double target : {10.0, 1.0}) {
    cfg.ent_target = target;
    ExpectMatchesAutograd(net, b, cfg);
  }
  cfg.ent_target = 10.0;
  const PpoLossTerms capped_high =
      PpoLossAndGradient(net, b.View(), cfg, scratch, under_target.data());
  cfg.ent_target = 1.0;
  const PpoLossTerms capped_low =
      PpoLossAndGradient(net, b.View(), cfg, scratch, over_target.data());
  PpoConfig no_bonus = cfg;
  no_bonus.ent_coef = 0;
  no_bonus.ent_target.reset();
  PpoLossAndGradient(net, b.View(), no_bonus, scratch, none.data());
  // the entropy under the target: the same gradient and loss as without a target
  EXPECT_EQ(std::memcmp(free.data(), under_target.data(), free.size() * sizeof(float)), 0);
  EXPECT_EQ(with_bonus.total, capped_high.total);
  // over it: the log stds' gradient is the one without a bonus, the loss holds a constant
  const int64_t ls = net.log_std_offset();
  for (int j = 0; j < net.act_dim(); ++j) {
    EXPECT_EQ(over_target[ls + j], none[ls + j]) << j;
    EXPECT_NE(over_target[ls + j], free[ls + j]) << j;
  }
  EXPECT_NEAR(capped_low.total, capped_low.policy + cfg.vf_coef * capped_low.value - 0.05 * 1.0,
              1e-12);
}

TEST(PpoUpdateTest, FarFromTheOldPolicyEverySampleClips) {
  ActorCritic net(5, 2, {8, 8}, {8, 8}, 0.0, 13);
  PpoConfig cfg;
  Batch b = RandomBatch(net, 40, 3.0, 4);
  ExpectMatchesAutograd(net, b, cfg);
}

TEST(PpoUpdateTest, TiesAtRatioOneAndAtTheClipBoundaryMatchAutograd) {
  // old log-probs and values equal to the current ones: every ratio is 1 and
  // every value step 0, so max() ties everywhere (autograd splits the gradient)
  ActorCritic net(7, 2, {16, 16}, {16, 16}, -0.5, 14);
  PpoConfig cfg;
  Batch b = RandomBatch(net, 32, 0.0, 5);
  ExpectMatchesAutograd(net, b, cfg);
  // one ratio exactly at 1 + clip: clamp passes the gradient at its bounds
  b.old_log_probs[0] -= 0.1;
  {
    PpoScratch scratch;
    std::vector<float> grads(net.num_params());
    PpoLossAndGradient(net, b.View(), cfg, scratch, grads.data());
  }
  torch::Tensor log_prob = GaussianLogProb(b.actions, net.TorchMean(net.flat_params(), b.obs),
                                           net.TorchLogStd(net.flat_params()));
  const float ratio0 = std::exp(log_prob[0].item<float>() - b.old_log_probs[0].item<float>());
  cfg.clip_coef = double(ratio0) - 1;
  ASSERT_EQ(static_cast<float>(1 + cfg.clip_coef), ratio0);
  ExpectMatchesAutograd(net, b, cfg);
}

TEST(PpoUpdateTest, SingleSampleSkipsAdvantageNormalisation) {
  ActorCritic net(4, 1, {8}, {8}, 0.0, 15);
  PpoConfig cfg;
  Batch b = RandomBatch(net, 1, 0.1, 6);
  ExpectMatchesAutograd(net, b, cfg);
}

TEST(PpoUpdateTest, ActorAndCriticOnTwoThreadsGiveTheSameBits) {
  ActorCritic net(17, 6, {64, 64}, {64, 64}, -0.3, 16);
  PpoConfig cfg;
  cfg.ent_coef = 0.01;
  ThreadPool pool(2);
  PpoScratch one, two;
  for (int trial = 0; trial < 20; ++trial) {
    Batch b = RandomBatch(net, trial % 2 ? 256 : 64, 0.3, 100 + trial);
    std::vector<float> serial(net.num_params(), NAN), parallel(net.num_params(), NAN);
    const PpoLossTerms a = PpoLossAndGradient(net, b.View(), cfg, one, serial.data());
    const PpoLossTerms c = PpoLossAndGradient(net, b.View(), cfg, two, parallel.data(), &pool);
    ASSERT_EQ(std::memcmp(serial.data(), parallel.data(), serial.size() * sizeof(float)), 0)
        << trial;
    EXPECT_EQ(a.total, c.total);
    EXPECT_EQ(a.policy, c.policy);
    EXPECT_EQ(a.value, c.value);
    EXPECT_EQ(a.approx_kl, c.approx_kl);
    EXPECT_EQ(a.clip_frac, c.clip_frac);
  }
}

}  // namespace
}  // namespace irlab
