// The flat discriminator against LibTorch autograd over the same networks,
// and its behaviour on hand-checkable cases.
#include "algos/adversarial/reward_nets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/losses.h"
#include "core/strings.h"
#include "core/thread_pool.h"
#include "tests/algos/nn/test_util.h"

namespace irlab {
namespace {

// A batch of random transitions held as tensors, viewed as a TransitionBatch.
struct Batch {
  torch::Tensor obs, act, next_obs, done, log_pi;
  TransitionBatch View() const {
    return {.size = static_cast<int>(obs.size(0)),
            .obs = obs.data_ptr<float>(),
            .act = act.data_ptr<float>(),
            .next_obs = next_obs.data_ptr<float>(),
            .done = done.data_ptr<float>(),
            .log_pi = log_pi.data_ptr<float>()};
  }
};

// n random transitions drawn from `gen`.
Batch RandomBatch(int n, int od, int ad, double shift, at::Generator gen) {
  Batch b;
  b.obs = torch::randn({n, od}, gen) + shift;
  b.act = torch::randn({n, ad}, gen).clamp(-1, 1);
  b.next_obs = torch::randn({n, od}, gen) + shift;
  b.done = (torch::rand({n}, gen) < 0.3).to(torch::kFloat);
  b.log_pi = torch::randn({n}, gen) * 2;
  return b;
}

// ... from a generator of their own, seeded with `seed`.
Batch RandomBatch(int n, int od, int ad, double shift, uint64_t seed) {
  return RandomBatch(n, od, ad, shift, at::detail::createCPUGenerator(seed));
}

// The discriminator's f (or g alone) written with LibTorch ops over params [P].
torch::Tensor ReferenceF(const Discriminator& d, const torch::Tensor& p, const torch::Tensor& obs,
                         const torch::Tensor& act, const torch::Tensor& next_obs,
                         const torch::Tensor& done, bool unshaped = false) {
  torch::Tensor keep =
      torch::tensor(std::vector<int64_t>(d.shape().obs_keep.begin(), d.shape().obs_keep.end()));
  torch::Tensor o = obs.index_select(1, keep);
  torch::Tensor x = d.g().in() > d.visible_obs() ? torch::cat({o, act}, 1) : o;
  torch::Tensor f = TorchMlp(d.g(), p, x).squeeze(1);
  if (!d.shaped() || unshaped) return f;
  torch::Tensor n = next_obs.index_select(1, keep);
  return f + d.shape().gamma * (1 - done) * TorchMlp(d.h(), p, n).squeeze(1) -
         TorchMlp(d.h(), p, o).squeeze(1);
}

torch::Tensor ReferenceLogits(const Discriminator& d, const torch::Tensor& p, const Batch& b) {
  torch::Tensor f = ReferenceF(d, p, b.obs, b.act, b.next_obs, b.done);
  return d.shaped() ? f - d.shape().entropy_weight * b.log_pi : f;
}

torch::Tensor Params(const Discriminator& d) {
  return torch::tensor(d.params()).requires_grad_(true);
}

DiscriminatorShape Shape(DiscriminatorKind kind, bool state_only, std::vector<int> keep = {}) {
  DiscriminatorShape s;
  s.kind = kind;
  s.obs_dim = 9;
  s.act_dim = 3;
  s.state_only = state_only;
  s.reward_hidden = {32, 32};
  s.potential_hidden = {16, 16};
  s.gamma = 0.97;
  s.entropy_weight = 0.5;
  s.obs_keep = std::move(keep);
  return s;
}

class DiscriminatorGradientTest : public ::testing::TestWithParam<int> {
 protected:
  Discriminator Make() {
    torch::manual_seed(GetParam());
    switch (GetParam()) {
      case 0:
        return Discriminator(Shape(DiscriminatorKind::kAirl, true));
      case 1:
        return Discriminator(Shape(DiscriminatorKind::kAirl, false, {2, 3, 4, 5, 6, 7, 8}));
      default:
        return Discriminator(Shape(DiscriminatorKind::kGail, false, {0, 1, 2, 3, 5, 8}));
    }
  }
};

TEST_P(DiscriminatorGradientTest, BinaryCrossEntropyMatchesAutograd) {
  Discriminator d = Make();
  InitLikeTorchLinear(d);
  const Batch e = RandomBatch(64, 9, 3, 0.5, 1), pol = RandomBatch(80, 9, 3, -0.5, 2);
  std::vector<float> grads(d.num_params(), NAN);
  DiscriminatorStats stats;
  const double loss =
      d.BceLossAndGradient(e.View(), pol.View(), 0.0, nullptr, grads.data(), &stats);

  torch::Tensor p = Params(d);
  torch::Tensor le = ReferenceLogits(d, p, e), lp = ReferenceLogits(d, p, pol);
  torch::Tensor ref = 0.5 * (torch::softplus(-le).mean() + torch::softplus(lp).mean());
  ref.backward();
  EXPECT_NEAR(loss, ref.item<double>(), 1e-5);
  EXPECT_EQ(stats.loss, loss);
  EXPECT_LT(testing::RelativeError(grads.data(), p.grad()), 1e-5);
  EXPECT_NEAR(stats.expert_acc, (le > 0).to(torch::kDouble).mean().item<double>(), 1e-12);
  EXPECT_NEAR(stats.policy_acc, (lp < 0).to(torch::kDouble).mean().item<double>(), 1e-12);

  // the forward passes on their own
  std::vector<float> logits(80), learned(80);
  d.Logits(pol.View(), logits.data());
  EXPECT_LT(testing::RelativeError(logits.data(), lp), 1e-5);
  d.UnshapedReward(pol.View(), learned.data());
  EXPECT_LT(testing::RelativeError(
                learned.data(), ReferenceF(d, p, pol.obs, pol.act, pol.next_obs, pol.done, true)),
            1e-5);
}

TEST_P(DiscriminatorGradientTest, TwoThreadsGiveTheSameBits) {
  Discriminator d = Make();
  InitLikeTorchLinear(d);
  ThreadPool pool(2);
  for (int trial = 0; trial < 10; ++trial) {
    const Batch e = RandomBatch(64 + trial, 9, 3, 0.5, 2 * trial + 3),
                pol = RandomBatch(80, 9, 3, -0.5, 2 * trial + 4);
    std::vector<float> one(d.num_params(), NAN), two(d.num_params(), NAN);
    DiscriminatorStats s1, s2;
    const double l1 = d.BceLossAndGradient(e.View(), pol.View(), 0.0, nullptr, one.data(), &s1);
    const double l2 =
        d.BceLossAndGradient(e.View(), pol.View(), 0.0, nullptr, two.data(), &s2, &pool);
    EXPECT_EQ(l1, l2);
    EXPECT_EQ(s1.expert_acc, s2.expert_acc);
    ASSERT_EQ(std::memcmp(one.data(), two.data(), one.size() * sizeof(float)), 0) << trial;
  }
}

// The caller's work beside the passes (the next step's batches) runs once,
// on either thread, and leaves the step's bits as they are.
TEST_P(DiscriminatorGradientTest, WorkBesideThePassesKeepsTheBits) {
  Discriminator d = Make();
  InitLikeTorchLinear(d);
  ThreadPool pool(2);
  const Batch e = RandomBatch(70, 9, 3, 0.5, 31), pol = RandomBatch(70, 9, 3, -0.5, 32);
  torch::Tensor alpha = torch::rand({70}, at::detail::createCPUGenerator(33));
  for (double penalty : {0.0, 1.5}) {
    std::vector<float> alone(d.num_params(), NAN);
    const double l0 = d.BceLossAndGradient(e.View(), pol.View(), penalty, alpha.data_ptr<float>(),
                                           alone.data(), nullptr);
    for (ThreadPool* threads : {static_cast<ThreadPool*>(nullptr), &pool}) {
      std::vector<float> grads(d.num_params(), NAN);
      std::vector<double> forward(5000), backward(5000);
      int forward_runs = 0, backward_runs = 0;
      auto busy = [](std::vector<double>& v, int& runs) {
        for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(double(i));
        ++runs;
      };
      const double l = d.BceLossAndGradient(
          e.View(), pol.View(), penalty, alpha.data_ptr<float>(), grads.data(), nullptr, threads,
          [&] { busy(forward, forward_runs); }, [&] { busy(backward, backward_runs); });
      EXPECT_EQ(l, l0);
      EXPECT_EQ(forward_runs, 1);
      EXPECT_EQ(backward_runs, 1);
      EXPECT_EQ(forward[3], std::sin(3.0));
      ASSERT_EQ(std::memcmp(alone.data(), grads.data(), grads.size() * sizeof(float)), 0)
          << penalty << (threads ? " two threads" : " one thread");
    }
  }
}

TEST_P(DiscriminatorGradientTest, GradientPenaltyMatchesDoubleBackward) {
  Discriminator d = Make();
  InitLikeTorchLinear(d);
  const int B = 48;
  const Batch e = RandomBatch(B, 9, 3, 0.3, 5), pol = RandomBatch(B, 9, 3, -0.3, 6);
  torch::Tensor alpha = torch::rand({B}, at::detail::createCPUGenerator(12));
  std::vector<float> grads(d.num_params());
  const double loss = d.BceLossAndGradient(e.View(), pol.View(), 2.5, alpha.data_ptr<float>(),
                                           grads.data(), nullptr);

  // the previous autograd formulation: zero-centred penalty at interpolates
  torch::Tensor p = Params(d);
  torch::Tensor bce = 0.5 * (torch::softplus(-ReferenceLogits(d, p, e)).mean() +
                             torch::softplus(ReferenceLogits(d, p, pol)).mean());
  torch::Tensor a = alpha.unsqueeze(1);
  torch::Tensor mo = (a * e.obs + (1 - a) * pol.obs).requires_grad_(true);
  torch::Tensor mn = (a * e.next_obs + (1 - a) * pol.next_obs).requires_grad_(true);
  torch::Tensor ma = (a * e.act + (1 - a) * pol.act).requires_grad_(true);
  torch::Tensor out = ReferenceF(d, p, mo, ma, mn, pol.done).sum();
  auto g = torch::autograd::grad({out}, {mo, mn, ma}, {}, true, true, true);
  torch::Tensor sq = torch::zeros({B});
  for (const torch::Tensor& gi : g) {
    if (gi.defined()) sq = sq + gi.square().sum(1);
  }
  torch::Tensor total = bce + 2.5 * sq.mean();
  total.backward();
  EXPECT_NEAR(loss, total.item<double>(), 1e-5 * (1 + std::fabs(loss)));
  EXPECT_LT(testing::RelativeError(grads.data(), p.grad()), 1e-5);
}

TEST(DiscriminatorGclTest, GanGclMatchesAutograd) {
  // GAN-GCL's reward is r(s, a), unshaped
  torch::manual_seed(2);
  Discriminator d(Shape(DiscriminatorKind::kGail, false, {0, 1, 2, 3, 5, 8}));
  InitLikeTorchLinear(d);
  const int T = 16, N = 4;
  const Batch e = RandomBatch(40, 9, 3, 0.4, 7), pol = RandomBatch(T * N, 9, 3, -0.4, 8);
  torch::Tensor log_q = torch::randn({N}, at::detail::createCPUGenerator(13)) * 5;
  std::vector<float> grads(d.num_params());
  double ess = 0;
  const double loss = d.GclLossAndGradient(e.View(), pol.View(), T, N, log_q.data_ptr<float>(),
                                           1000.0, grads.data(), &ess);
  torch::Tensor p = Params(d);
  torch::Tensor re = ReferenceF(d, p, e.obs, e.act, e.next_obs, e.done);
  torch::Tensor R = ReferenceF(d, p, pol.obs, pol.act, pol.next_obs, pol.done).view({T, N}).sum(0);
  torch::Tensor log_z = torch::logsumexp(R - log_q, 0) - std::log(double(N));
  torch::Tensor ref = -1000.0 * re.mean() + log_z * (1000.0 / T);
  ref.backward();
  EXPECT_NEAR(loss, ref.item<double>(), 1e-4 * (1 + std::fabs(loss)));
  EXPECT_LT(testing::RelativeError(grads.data(), p.grad()), 1e-5);
  torch::Tensor w = torch::softmax(R - log_q, 0);
  EXPECT_NEAR(ess, 1 / w.square().sum().item<double>(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Kinds, DiscriminatorGradientTest, ::testing::Values(0, 1, 2));

TEST(RewardNetsTest, AirlShapingTerminalNextStateAndEntropyWeightByHand) {
  // g and h with one linear layer each: g(s) = s . wg + bg, h(s) = s . wh + bh
  DiscriminatorShape s = Shape(DiscriminatorKind::kAirl, true);
  s.obs_dim = 2;
  s.reward_hidden = {};
  s.potential_hidden = {};
  s.gamma = 0.9;
  s.entropy_weight = 0.1;
  Discriminator d(s);
  d.params() = {1.0f, 2.0f, 0.5f, /* h */ -1.0f, 3.0f, 0.25f};
  const float obs[] = {1, 2, 0, -1}, next[] = {0.5f, 0.5f, 3, 1}, act[] = {0, 0}, done[] = {0, 1},
              log_pi[] = {-1.0f, 0.25f};
  const TransitionBatch t{
      .size = 2, .obs = obs, .act = act, .next_obs = next, .done = done, .log_pi = log_pi};
  auto g = [](float a, float b) { return a + 2 * b + 0.5; };
  auto h = [](float a, float b) { return -a + 3 * b + 0.25; };
  float logits[2], reward[2], learned[2];
  d.Logits(t, logits);
  d.GeneratorReward(t, reward);
  d.UnshapedReward(t, learned);
  EXPECT_NEAR(logits[0], g(1, 2) + 0.9 * h(0.5f, 0.5f) - h(1, 2) + 0.1, 1e-5);  // f - 0.1 log pi
  EXPECT_NEAR(logits[1], g(0, -1) - h(0, -1) - 0.025, 1e-5);  // terminal s': h(s') = 0
  EXPECT_EQ(reward[0], logits[0]);         // AIRL's generator reward is the logit
  EXPECT_NEAR(learned[0], g(1, 2), 1e-6);  // the exported reward is g alone
  EXPECT_NEAR(learned[1], g(0, -1), 1e-6);
}

TEST(RewardNetsTest, GailGeneratorRewards) {
  DiscriminatorShape s = Shape(DiscriminatorKind::kGail, false);
  s.obs_dim = 2;
  s.act_dim = 1;
  s.reward_hidden = {};
  const float obs[] = {0.3f, -1.0f}, act[] = {0.0f};
  const double x = 0.3 - 1.0 + 0.5;  // the logit: sum of the inputs + 0.5
  const double D = 1 / (1 + std::exp(-x));
  for (auto [kind, expected] : {std::pair{GailReward::kLogit, x},
                                {GailReward::kPositive, -std::log(1 - D)},
                                {GailReward::kNegative, std::log(D)}}) {
    s.gail_reward = kind;
    Discriminator d(s);
    d.params() = {1, 1, 1, 0.5f};
    float r = 0;
    d.GeneratorReward({.size = 1, .obs = obs, .act = act}, &r);
    EXPECT_NEAR(r, expected, 1e-6);
  }
}

TEST(RewardNetsTest, StateOnlyRewardIgnoresActionsAndIgnoredEntriesNothing) {
  for (const char* algo : {"airl", "airl-sa", "gail"}) {
    AdversarialConfig cfg;
    cfg.algo = algo;
    cfg.disc.ignore_obs = {0, 1};
    torch::manual_seed(1);
    auto made = MakeDiscriminator(cfg, 4, 2);
    ASSERT_TRUE(made.ok()) << made.status();
    const Discriminator& d = **made;
    Batch a = RandomBatch(6, 4, 2, 0.0, 9), b = a;
    b.obs = a.obs.clone();
    b.next_obs = a.next_obs.clone();
    b.obs.select(1, 0).add_(50.0);
    b.next_obs.select(1, 1).add_(-30.0);
    std::vector<float> la(6), lb(6);
    d.Logits(a.View(), la.data());
    d.Logits(b.View(), lb.data());
    EXPECT_EQ(la, lb) << algo;  // x and y (entries 0, 1) never reach the nets
    b.act = a.act * -1;
    d.Logits(b.View(), lb.data());
    EXPECT_EQ(la == lb, std::string(algo) == "airl") << algo;  // only g(s) ignores actions
    b.obs.select(1, 3).add_(1.0);
    d.Logits(b.View(), lb.data());
    EXPECT_NE(la, lb) << algo;
  }
}

TEST(RewardNetsTest, IgnoreObsOutsideTheObservationIsAnError) {
  AdversarialConfig cfg;
  cfg.disc.ignore_obs = {0, 4};
  auto bad = MakeDiscriminator(cfg, 4, 2);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("disc.ignore_obs"), std::string::npos)
      << bad.status();
  cfg.disc.ignore_obs = {0, 1, 2, 3};
  EXPECT_FALSE(MakeDiscriminator(cfg, 4, 2).ok());
}

TEST(RewardNetsTest, InitialisedLikeTorchLinearFromTheSameSeed) {
  // the same draws, in the same order, as LibTorch's Linear layers g then h
  AdversarialConfig cfg;
  cfg.algo = "airl";
  torch::manual_seed(23);
  auto made = MakeDiscriminator(cfg, 5, 2);
  ASSERT_TRUE(made.ok());
  torch::manual_seed(23);
  torch::nn::Linear g0(5, 32), g1(32, 32), g2(32, 1), h0(5, 32);
  const std::vector<float>& p = (*made)->params();
  EXPECT_EQ(p[0], g0->weight[0][0].item<float>());
  EXPECT_EQ(p[(*made)->g().bias(2)], g2->bias[0].item<float>());
  EXPECT_EQ(p[(*made)->h().weight(0) + 6], h0->weight[1][1].item<float>());
}

TEST(RewardNetsTest, DiscriminatorLossFallsOnAFixedBatch) {
  torch::manual_seed(0);
  DiscriminatorShape s = Shape(DiscriminatorKind::kGail, false);
  s.obs_dim = 2;
  s.act_dim = 1;
  s.reward_hidden = {16};
  Discriminator d(s);
  InitLikeTorchLinear(d);
  // from the global generator seeded above (the 0.2 below was set for these batches)
  at::Generator seeded = at::detail::getDefaultCPUGenerator();
  const Batch e = RandomBatch(64, 2, 1, 1.0, seeded), pol = RandomBatch(64, 2, 1, -1.0, seeded);
  DiscriminatorOptimizer opt(d.num_params(), 1e-2);
  std::vector<float> grads(d.num_params());
  const double before =
      d.BceLossAndGradient(e.View(), pol.View(), 0, nullptr, grads.data(), nullptr);
  for (int i = 0; i < 300; ++i) {
    d.BceLossAndGradient(e.View(), pol.View(), 0, nullptr, grads.data(), nullptr);
    opt.Step(d, grads.data());
  }
  const double after =
      d.BceLossAndGradient(e.View(), pol.View(), 0, nullptr, grads.data(), nullptr);
  EXPECT_NEAR(before, std::log(2.0), 0.2);
  EXPECT_LT(after, 0.2 * before);
}

TEST(RewardNetsTest, GanGclStaysFiniteForLongTrajectories) {
  // segment returns of ~1000 overflow exp(); the log-space weights stay finite
  DiscriminatorShape s = Shape(DiscriminatorKind::kGail, false);
  s.obs_dim = 1;
  s.act_dim = 1;
  s.reward_hidden = {};
  Discriminator d(s);
  d.params() = {0, 0, 1.0f};  // r = 0 s + 0 a + 1 = 1 everywhere: R_j = T
  const int T = 1000, N = 3;
  std::vector<float> obs(T * N, 0.0f), act(T * N, 0.0f);
  const float expert_obs = 1.0f;            // the expert's s = 1, the policy's 0
  const float log_q[] = {-50, -160, -150};  // R - log q = [1050, 1160, 1150]
  std::vector<float> grads(d.num_params());
  double ess = 0;
  const double loss = d.GclLossAndGradient({.size = 1, .obs = &expert_obs, .act = act.data()},
                                           {.size = T * N, .obs = obs.data(), .act = act.data()}, T,
                                           N, log_q, 1000, grads.data(), &ess);
  const double w1 = 1 / (1 + std::exp(-110.0) + std::exp(-10.0)), w2 = std::exp(-10.0) * w1;
  EXPECT_NEAR(ess, 1 / (w1 * w1 + w2 * w2), 1e-6);
  // -L * 1 + (L / T) (1160 + log((1 + e^-10 + e^-110) / 3))
  EXPECT_NEAR(loss, -1000 + (1160 + std::log((1 + std::exp(-10.0)) / 3)), 1e-3);
  // d/dw = -L E_expert[x] + (L / T) sum_j w_j sum_t x_jt: the weights sum to 1,
  // x = s is 1 for the expert only, a is 0 and the bias's x is 1 for all
  EXPECT_NEAR(grads[0], -1000, 1e-3);
  EXPECT_EQ(grads[1], 0.0f);
  EXPECT_NEAR(grads[2], 0, 1e-3);
}

TEST(RewardNetsTest, CheckpointRoundTripAndTheLegacyOptimizerArchive) {
  AdversarialConfig cfg;
  cfg.algo = "airl-sa";
  torch::manual_seed(4);
  auto made = MakeDiscriminator(cfg, 6, 2);
  ASSERT_TRUE(made.ok());
  Discriminator& d = **made;
  // a few flat Adam steps, then write and read back
  DiscriminatorOptimizer opt(d.num_params(), 1e-3);
  std::vector<float> grads(d.num_params());
  for (int k = 0; k < 3; ++k) {
    for (size_t i = 0; i < grads.size(); ++i) grads[i] = std::sin(float(i + k));
    opt.Step(d, grads.data());
  }
  torch::serialize::OutputArchive out;
  WriteDiscriminator(out, cfg, d, opt, 17);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  torch::manual_seed(5);
  auto fresh = MakeDiscriminator(cfg, 6, 2);
  DiscriminatorOptimizer read(d.num_params(), 1e-3);
  int64_t batches = 0;
  ASSERT_TRUE(ReadDiscriminator(in, "x.pt", **fresh, &read, &batches).ok());
  EXPECT_EQ((*fresh)->params(), d.params());
  EXPECT_TRUE(torch::equal(read.adam->m, opt.adam->m));
  EXPECT_EQ(read.adam->steps, 3);
  EXPECT_EQ(batches, 17);

  // checkpoints before the flat discriminator: parameters as separate tensors
  // and LibTorch's Adam archive under disc/optimizer
  std::vector<torch::Tensor> tensors;
  for (const auto& [offset, rows, cols] : d.ParameterSlices()) {
    torch::Tensor t =
        torch::from_blob(d.params().data() + offset, {rows * std::max<int64_t>(cols, 1)}).clone();
    tensors.push_back((cols ? t.view({rows, cols}) : t).requires_grad_(true));
  }
  torch::optim::Adam legacy(tensors, torch::optim::AdamOptions(1e-3));
  for (int k = 0; k < 2; ++k) {
    legacy.zero_grad();
    torch::Tensor loss = torch::zeros({});
    for (const auto& t : tensors) loss = loss + t.square().sum();
    loss.backward();
    legacy.step();
  }
  torch::serialize::OutputArchive old_out, opt_archive;
  for (size_t i = 0; i < tensors.size(); ++i)
    old_out.write(StrCat("disc/param_", i), tensors[i].detach());
  legacy.save(opt_archive);
  old_out.write("disc/optimizer", opt_archive);
  old_out.write("disc/expert_batches", torch::tensor({int64_t{9}}));
  std::stringstream old_buffer;
  old_out.save_to(old_buffer);
  torch::serialize::InputArchive old_in;
  old_in.load_from(old_buffer);
  DiscriminatorOptimizer migrated(d.num_params(), 1e-3);
  ASSERT_TRUE(ReadDiscriminator(old_in, "old.pt", **fresh, &migrated, &batches).ok());
  EXPECT_EQ(migrated.adam->steps, 2);
  const auto& state = static_cast<torch::optim::AdamParamState&>(
      *legacy.state().at(c10::guts::to_string(tensors[2].unsafeGetTensorImpl())));
  const int64_t at = d.ParameterSlices()[2][0];
  EXPECT_EQ(migrated.adam->v[at + 1].item<float>(), state.exp_avg_sq().view({-1})[1].item<float>());
}

}  // namespace
}  // namespace irlab
