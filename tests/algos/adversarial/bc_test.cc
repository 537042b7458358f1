// Behaviour cloning: its loss and gradient against LibTorch autograd, and
// what the config's bc.* asks of the warm start reaching the policy. (The
// adversarial loop's use of the warm start: AdversarialWarmStartTest.)
#include "algos/adversarial/bc.h"

#include <gtest/gtest.h>

#include <cmath>

#include "algos/common/seed_streams.h"
#include "algos/ppo/losses.h"
#include "tests/algos/nn/test_util.h"

namespace irlab {
namespace {

TEST(BcTest, LossAndGradientMatchAutograd) {
  ActorCritic net(10, 3, {64, 64}, {64, 64}, -0.4, 9);
  torch::manual_seed(9);
  torch::Tensor obs = torch::randn({128, 10}), act = torch::randn({128, 3});
  std::vector<float> grads(net.num_params(), NAN);
  nn::MlpScratch scratch;
  const double nll = BcLossAndGradient(net, obs.data_ptr<float>(), act.data_ptr<float>(), 128,
                                       scratch, grads.data());
  torch::Tensor p = net.flat_params().clone().requires_grad_(true);
  torch::Tensor ref = -GaussianLogProb(act, net.TorchMean(p, obs), net.TorchLogStd(p)).mean();
  ref.backward();
  EXPECT_NEAR(nll, ref.item<double>(), 1e-5);
  EXPECT_LT(testing::RelativeError(grads.data(), p.grad()), 1e-5);
  EXPECT_EQ(grads[net.critic().offset], 0.0f);  // the critic has no part in BC
}

// A short fit of a small Pendulum policy to the shipped demonstrations.
AdversarialConfig WarmStartConfig() {
  AdversarialConfig cfg;
  cfg.env = "Pendulum";
  cfg.demos_file = std::string(IRLAB_SOURCE_DIR) + "/assets/demos/pendulum.h5";
  cfg.seed = 3;
  cfg.ppo.actor_hidden = cfg.ppo.critic_hidden = {8};
  cfg.ppo.log_std_init = -0.5;
  cfg.bc.steps = 50;
  cfg.bc.batch_size = 32;
  return cfg;
}

// A fresh policy of the config's shape (Pendulum: 3 observations, 1 action).
PolicyState FreshPolicy(const AdversarialConfig& cfg) {
  PolicyState policy;
  policy.env_name = cfg.env;
  policy.net = std::make_unique<ActorCritic>(3, 1, cfg.ppo.actor_hidden, cfg.ppo.critic_hidden,
                                             cfg.ppo.log_std_init, 11);
  policy.norm_obs = cfg.ppo.norm_obs;
  policy.obs_clip = cfg.ppo.obs_clip;
  return policy;
}

// bc.warm_start fits the policy by FitBc with the config's bc.* settings, on
// batches from a stream of its own (kBcBatches), then raises its log std to
// at least bc.warm_start_log_std: a floor above the fit's log std replaces
// it, one below leaves it.
TEST(WarmStartTest, IsTheBcFitOnItsOwnStreamWithTheLogStdRaisedToTheFloor) {
  const AdversarialConfig cfg = WarmStartConfig();
  PolicyState fit = FreshPolicy(cfg);
  auto store = ExpertStore::Open(cfg.demos_file, cfg.demos,
                                 StreamSeed(cfg.seed, SeedStream::kBcBatches), 3, 1);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(FitBc(cfg, **store, fit, [](int64_t, double) { return absl::OkStatus(); }).ok());
  const int64_t log_std = fit.net->log_std_offset();
  const float fitted = fit.net->params()[log_std];
  ASSERT_LT(fitted, 0.0f);  // 50 steps from log_std_init -0.5
  // the demonstrations' statistics from 20 batches (and the normaliser's 1e-4 prior)
  EXPECT_NEAR(fit.obs_rms.count(), 20 * 32, 1e-3);

  for (double floor : {0.0, -20.0}) {
    SCOPED_TRACE(floor);
    AdversarialConfig raised = cfg;
    raised.bc.warm_start_log_std = floor;
    PolicyState warm = FreshPolicy(raised);
    ASSERT_TRUE(WarmStartWithBc(raised, warm).ok());
    const std::vector<float> a(warm.net->params(), warm.net->params() + warm.net->num_params());
    std::vector<float> b(fit.net->params(), fit.net->params() + fit.net->num_params());
    b[log_std] = std::max(fitted, static_cast<float>(floor));
    EXPECT_EQ(a, b);
    EXPECT_EQ(warm.obs_rms.count(), fit.obs_rms.count());
    EXPECT_EQ(warm.obs_rms.mean(), fit.obs_rms.mean());
    EXPECT_EQ(warm.obs_rms.var(), fit.obs_rms.var());
  }
}

}  // namespace
}  // namespace irlab
