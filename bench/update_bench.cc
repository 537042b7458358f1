// The learners' minibatch steps at their arithmetic cost (algos/nn) next to
// the same steps through LibTorch autograd, measured in the same run, single
// thread (the fused PPO step also on two): PPO's actor-critic step (forward, loss, backward,
// gradient clip, Adam) on HalfCheetah's sizes with the recipe's 64-64 networks, and AIRL's
// discriminator step (expert and policy batches of 512).
//
//   build/bench/update_bench [--benchmark_filter=Ppo]
#include <benchmark/benchmark.h>

#include <cmath>

#include "algos/adversarial/reward_nets.h"
#include "algos/common/compute_threads.h"
#include "algos/nn/adam.h"
#include "algos/ppo/losses.h"
#include "algos/ppo/update.h"
#include "core/thread_pool.h"

namespace irlab {
namespace {

constexpr int kObs = 17, kAct = 6;  // HalfCheetah

struct PpoData {
  ActorCritic net{kObs, kAct, {64, 64}, {64, 64}, 0.0, 1};
  FlatAdam adam{net.num_params()};
  torch::Tensor obs, act, old_log_prob, adv, ret, old_value;
  explicit PpoData(int m) {
    torch::manual_seed(m);
    obs = torch::randn({m, kObs});
    act = torch::randn({m, kAct});
    old_log_prob = torch::randn({m}) - 8;
    adv = torch::randn({m});
    ret = torch::randn({m});
    old_value = torch::randn({m});
  }
};

// range(1): threads sharing the step (2: the actor and the critic side by side,
// as the training loops do when no collection runs meanwhile).
void BM_PpoMinibatchFused(benchmark::State& state) {
  SetComputeThreads(1);
  const int m = static_cast<int>(state.range(0));
  ThreadPool pool(static_cast<int>(state.range(1)));
  PpoData d(m);
  PpoConfig cfg;
  PpoScratch scratch;
  std::vector<float> grads(d.net.num_params());
  const PpoMinibatch mb{.size = m,
                        .obs = d.obs.data_ptr<float>(),
                        .actions = d.act.data_ptr<float>(),
                        .old_log_probs = d.old_log_prob.data_ptr<float>(),
                        .advantages = d.adv.data_ptr<float>(),
                        .returns = d.ret.data_ptr<float>(),
                        .old_values = d.old_value.data_ptr<float>()};
  for (auto _ : state) {
    PpoLossTerms loss = PpoLossAndGradient(d.net, mb, cfg, scratch, grads.data(), &pool);
    benchmark::DoNotOptimize(loss.total);
    nn::ClipNorm(grads.data(), d.net.num_params(), cfg.max_grad_norm);
    d.adam.Step(d.net.params(), grads.data(), 1e-7);
  }
}
BENCHMARK(BM_PpoMinibatchFused)
    ->ArgsProduct({{64, 256}, {1, 2}})
    ->ArgNames({"batch", "threads"})
    ->Unit(benchmark::kMicrosecond);

// The autograd path as it was: every layer's weight and bias a leaf view of
// one flat buffer whose gradients land in another, losses.h's loss, backward,
// and the clip and Adam as tensor ops on the flat buffers.
void BM_PpoMinibatchAutograd(benchmark::State& state) {
  SetComputeThreads(1);
  const int m = static_cast<int>(state.range(0));
  PpoData d(m);
  PpoConfig cfg;
  torch::Tensor params = d.net.flat_params().clone(), grads = torch::zeros_like(params);
  std::vector<torch::Tensor> leaves;
  auto leaf = [&](int64_t offset, std::vector<int64_t> shape) {
    int64_t n = 1;
    for (int64_t s : shape) n *= s;
    torch::Tensor t = params.narrow(0, offset, n).view(shape);
    t.set_requires_grad(true);
    t.mutable_grad() = grads.narrow(0, offset, n).view(shape);
    return t;
  };
  auto forward = [&](const nn::MlpLayout& mlp, torch::Tensor h) {
    for (int l = 0; l < mlp.layers(); ++l) {
      torch::Tensor w = leaf(mlp.weight(l), {mlp.sizes[l + 1], mlp.sizes[l]}),
                    b = leaf(mlp.bias(l), {mlp.sizes[l + 1]});
      h = torch::addmm(b, h, w.t());
      if (l + 1 < mlp.layers()) h = torch::tanh(h);
    }
    return h;
  };
  torch::Tensor m_ = torch::zeros_like(params), v_ = torch::zeros_like(params);
  int64_t step = 0;
  for (auto _ : state) {
    torch::Tensor log_std = leaf(d.net.log_std_offset(), {kAct});
    torch::Tensor mean = forward(d.net.actor(), d.obs),
                  value = forward(d.net.critic(), d.obs).squeeze(-1);
    PpoLoss loss = ComputePpoLoss(GaussianLogProb(d.act, mean, log_std), d.old_log_prob, d.adv,
                                  value, d.old_value, d.ret, GaussianEntropy(log_std), cfg);
    benchmark::DoNotOptimize(loss.total.item<double>());
    grads.zero_();
    loss.total.backward();
    torch::NoGradGuard no_grad;
    const double norm = grads.norm().item<double>();
    if (norm > cfg.max_grad_norm) grads.mul_(cfg.max_grad_norm / (norm + 1e-6));
    ++step;
    m_.mul_(0.9).add_(grads, 0.1);
    v_.mul_(0.999).addcmul_(grads, grads, 0.001);
    torch::Tensor denom = (v_.sqrt() / std::sqrt(1 - std::pow(0.999, step))).add_(1e-5);
    params.addcdiv_(m_, denom, -1e-7 / (1 - std::pow(0.9, step)));
  }
}
BENCHMARK(BM_PpoMinibatchAutograd)->Arg(64)->Arg(256)->Unit(benchmark::kMicrosecond);

// AIRL's discriminator step: state-only g(s) and h(s), 32-32 ReLU, batch 512 each.
DiscriminatorShape AirlShape() {
  DiscriminatorShape s;
  s.obs_dim = kObs;
  s.act_dim = kAct;
  return s;
}

struct DiscData {
  torch::Tensor obs = torch::randn({1024, kObs}), next = torch::randn({1024, kObs}),
                act = torch::randn({1024, kAct});
  torch::Tensor done = torch::zeros({1024}), log_pi = torch::randn({1024});
  TransitionBatch Half(int k) const {
    const int64_t o = int64_t(k) * 512;
    return {.size = 512,
            .obs = obs.data_ptr<float>() + o * kObs,
            .act = act.data_ptr<float>() + o * kAct,
            .next_obs = next.data_ptr<float>() + o * kObs,
            .done = done.data_ptr<float>() + o,
            .log_pi = log_pi.data_ptr<float>() + o};
  }
};

void BM_AirlDiscriminatorStepFused(benchmark::State& state) {
  SetComputeThreads(1);
  torch::manual_seed(3);
  Discriminator disc(AirlShape());
  InitLikeTorchLinear(disc);
  DiscData d;
  std::vector<float> grads(disc.num_params()), m(grads.size()), v(grads.size());
  int64_t step = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        disc.BceLossAndGradient(d.Half(0), d.Half(1), 0.0, nullptr, grads.data(), nullptr));
    nn::AdamStep(disc.params().data(), grads.data(), m.data(), v.data(), disc.num_params(), ++step,
                 1e-9, {});
  }
}
BENCHMARK(BM_AirlDiscriminatorStepFused)->Unit(benchmark::kMicrosecond);

// The same step as it was: LibTorch Linear/ReLU modules, autograd, optim::Adam.
void BM_AirlDiscriminatorStepAutograd(benchmark::State& state) {
  SetComputeThreads(1);
  torch::manual_seed(3);
  auto mlp = [](int in) {
    return torch::nn::Sequential(torch::nn::Linear(in, 32), torch::nn::ReLU(),
                                 torch::nn::Linear(32, 32), torch::nn::ReLU(),
                                 torch::nn::Linear(32, 1));
  };
  torch::nn::Sequential g = mlp(kObs), h = mlp(kObs);
  std::vector<torch::Tensor> params = g->parameters();
  for (const auto& p : h->parameters()) params.push_back(p);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(1e-9));
  DiscData d;
  auto logits = [&](int64_t o) {
    torch::Tensor s = d.obs.narrow(0, o, 512), n = d.next.narrow(0, o, 512);
    torch::Tensor f = g->forward(s).squeeze(-1) +
                      0.99 * (1 - d.done.narrow(0, o, 512)) * h->forward(n).squeeze(-1) -
                      h->forward(s).squeeze(-1);
    return f - d.log_pi.narrow(0, o, 512);
  };
  for (auto _ : state) {
    torch::Tensor loss =
        0.5 * (torch::softplus(-logits(0)).mean() + torch::softplus(logits(512)).mean());
    benchmark::DoNotOptimize(loss.item<double>());
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
}
BENCHMARK(BM_AirlDiscriminatorStepAutograd)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace irlab

BENCHMARK_MAIN();
