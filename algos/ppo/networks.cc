#include "algos/ppo/networks.h"

#include <cmath>
#include <numbers>

#include "algos/nn/adam.h"
#include "core/status.h"

namespace irlab {
namespace {

// Orthogonal weights (gain sqrt 2 for hidden layers, head_gain for the last)
// and zero biases for `mlp`'s slice of params.
void InitMlp(const nn::MlpLayout& mlp, double head_gain, torch::Tensor& params) {
  torch::NoGradGuard no_grad;
  for (int l = 0; l < mlp.layers(); ++l) {
    const int in = mlp.sizes[l], out = mlp.sizes[l + 1];
    torch::Tensor init = torch::empty({out, in});
    torch::nn::init::orthogonal_(init, l + 1 < mlp.layers() ? std::sqrt(2.0) : head_gain);
    params.narrow(0, mlp.weight(l), int64_t(out) * in).copy_(init.view({-1}));
    params.narrow(0, mlp.bias(l), out).zero_();
  }
}

}  // namespace

torch::Tensor TorchMlp(const nn::MlpLayout& mlp, const torch::Tensor& params,
                       const torch::Tensor& x) {
  torch::Tensor h = x;
  for (int l = 0; l < mlp.layers(); ++l) {
    const int in = mlp.sizes[l], out = mlp.sizes[l + 1];
    torch::Tensor w = params.narrow(0, mlp.weight(l), int64_t(out) * in).view({out, in});
    h = torch::addmm(params.narrow(0, mlp.bias(l), out), h, w.t());
    if (l + 1 < mlp.layers())
      h = mlp.activation == nn::Activation::kTanh ? torch::tanh(h) : torch::relu(h);
  }
  return h;
}

ActorCritic::ActorCritic(int obs_dim, int act_dim, const std::vector<int>& actor_hidden,
                         const std::vector<int>& critic_hidden, double log_std_init, uint64_t seed)
    : obs_dim_(obs_dim),
      act_dim_(act_dim),
      actor_(obs_dim, actor_hidden, act_dim, nn::Activation::kTanh, 0),
      critic_(obs_dim, critic_hidden, 1, nn::Activation::kTanh, actor_.end()) {
  flat_params_ = torch::zeros({num_params()});
  torch::manual_seed(seed);
  InitMlp(actor_, 0.01, flat_params_);
  InitMlp(critic_, 1.0, flat_params_);
  std::fill(log_std(), log_std() + act_dim, static_cast<float>(log_std_init));
}

void ActorCritic::Forward(const float* obs, int n, float* mean, float* value,
                          nn::MlpScratch& actor_scratch, nn::MlpScratch& critic_scratch) const {
  const float* m = nn::Forward(actor_, params(), obs, n, actor_scratch);
  std::copy_n(m, size_t(n) * act_dim_, mean);
  if (value) {
    const float* v = nn::Forward(critic_, params(), obs, n, critic_scratch);
    std::copy_n(v, n, value);
  }
}

void ActorCritic::LogProb(const float* obs, const float* actions, int n, float* out,
                          nn::MlpScratch& actor_scratch) const {
  const float* mean = nn::Forward(actor_, params(), obs, n, actor_scratch);
  std::vector<float> inv_std(act_dim_);
  for (int j = 0; j < act_dim_; ++j) inv_std[j] = std::exp(-log_std()[j]);
  for (int i = 0; i < n; ++i) {
    float log_prob = 0;
    for (int j = 0; j < act_dim_; ++j) {
      const float z = (actions[i * act_dim_ + j] - mean[i * act_dim_ + j]) * inv_std[j];
      log_prob += GaussianLogDensity(z, log_std()[j]);
    }
    out[i] = log_prob;
  }
}

torch::Tensor ActorCritic::TorchMean(const torch::Tensor& params, const torch::Tensor& obs) const {
  return TorchMlp(actor_, params, obs);
}

torch::Tensor ActorCritic::TorchValue(const torch::Tensor& params, const torch::Tensor& obs) const {
  return TorchMlp(critic_, params, obs).squeeze(-1);
}

torch::Tensor ActorCritic::TorchLogStd(const torch::Tensor& params) const {
  return params.narrow(0, log_std_offset(), act_dim_);
}

FlatAdam::FlatAdam(int64_t size, double eps_)
    : m(torch::zeros({size})), v(torch::zeros({size})), eps(eps_) {}

void FlatAdam::Step(float* params, const float* grad, double lr) {
  ++steps;
  nn::AdamStep(params, grad, m.data_ptr<float>(), v.data_ptr<float>(), m.numel(), steps, lr,
               {.beta1 = beta1, .beta2 = beta2, .eps = eps});
}

}  // namespace irlab
