#include "algos/ppo/networks.h"

#include <cmath>

#include "core/status.h"

namespace irlab {
namespace {

struct LayerShape {
  int in, out;
  double gain;
};

std::vector<LayerShape> Layers(int in, const std::vector<int>& hidden, int out, double head_gain) {
  std::vector<LayerShape> layers;
  for (int h : hidden) {
    layers.push_back({in, h, std::sqrt(2.0)});
    in = h;
  }
  layers.push_back({in, out, head_gain});
  return layers;
}

int64_t ParamCount(const std::vector<LayerShape>& layers) {
  int64_t n = 0;
  for (const auto& l : layers) n += static_cast<int64_t>(l.out) * l.in + l.out;
  return n;
}

// Points `mlp` at consecutive slices of `params` / `grads` from `offset` on,
// initialising the weights orthogonally.
void BuildMlp(const std::vector<LayerShape>& layers, torch::Tensor& params, torch::Tensor& grads,
              int64_t& offset, Mlp& mlp) {
  for (const auto& l : layers) {
    const int64_t nw = static_cast<int64_t>(l.out) * l.in;
    torch::Tensor w = params.narrow(0, offset, nw).view({l.out, l.in});
    torch::Tensor gw = grads.narrow(0, offset, nw).view({l.out, l.in});
    offset += nw;
    torch::Tensor b = params.narrow(0, offset, l.out);
    torch::Tensor gb = grads.narrow(0, offset, l.out);
    offset += l.out;
    {
      torch::NoGradGuard no_grad;
      torch::Tensor init = torch::empty({l.out, l.in});
      torch::nn::init::orthogonal_(init, l.gain);
      w.copy_(init);
      b.zero_();
    }
    // gradients accumulate in place into the flat gradient buffer
    w.set_requires_grad(true);
    b.set_requires_grad(true);
    w.mutable_grad() = gw;
    b.mutable_grad() = gb;
    mlp.weights.push_back(w);
    mlp.biases.push_back(b);
  }
}

}  // namespace

torch::Tensor Mlp::Forward(const torch::Tensor& x) const {
  torch::Tensor h = x;
  for (size_t i = 0; i < weights.size(); ++i) {
    h = torch::addmm(biases[i], h, weights[i].t());
    if (i + 1 < weights.size()) h = torch::tanh(h);
  }
  return h;
}

ActorCritic::ActorCritic(int obs_dim, int act_dim, const std::vector<int>& actor_hidden,
                         const std::vector<int>& critic_hidden, double log_std_init, uint64_t seed)
    : obs_dim_(obs_dim), act_dim_(act_dim) {
  const auto actor_layers = Layers(obs_dim, actor_hidden, act_dim, 0.01);
  const auto critic_layers = Layers(obs_dim, critic_hidden, 1, 1.0);
  const int64_t total = ParamCount(actor_layers) + ParamCount(critic_layers) + act_dim;
  flat_params_ = torch::zeros({total});
  flat_grads_ = torch::zeros({total});
  torch::manual_seed(seed);
  int64_t offset = 0;
  BuildMlp(actor_layers, flat_params_, flat_grads_, offset, actor_);
  BuildMlp(critic_layers, flat_params_, flat_grads_, offset, critic_);
  log_std_ = flat_params_.narrow(0, offset, act_dim);
  {
    torch::NoGradGuard no_grad;
    log_std_.fill_(log_std_init);
  }
  log_std_.set_requires_grad(true);
  log_std_.mutable_grad() = flat_grads_.narrow(0, offset, act_dim);
  IRLAB_CHECK(offset + act_dim == total, "parameter layout");
}

FlatAdam::FlatAdam(int64_t size, double eps_) : m(torch::zeros({size})), v(torch::zeros({size})), eps(eps_) {}

void FlatAdam::Step(torch::Tensor& params, const torch::Tensor& grad, double lr) {
  torch::NoGradGuard no_grad;
  ++steps;
  m.mul_(beta1).add_(grad, 1 - beta1);
  v.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  const double bias1 = 1 - std::pow(beta1, steps);
  const double bias2 = 1 - std::pow(beta2, steps);
  torch::Tensor denom = (v.sqrt() / std::sqrt(bias2)).add_(eps);
  params.addcdiv_(m, denom, -lr / bias1);
}

double ClipGradNorm(torch::Tensor& grad, double max_norm) {
  const double norm = grad.norm().item<double>();
  if (max_norm > 0 && norm > max_norm) grad.mul_(max_norm / (norm + 1e-6));
  return norm;
}

}  // namespace irlab
