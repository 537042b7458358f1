// The actor-critic: tanh MLPs for the Gaussian policy's mean and for the
// value, and a state-independent log-std. Every parameter is a view into one
// flat buffer, and so is every gradient, so the optimiser and the gradient
// clip are a handful of tensor ops instead of a few per parameter (per-op
// overhead dominates at PPO's minibatch sizes).
#pragma once

#include <cstdint>
#include <vector>

#include "algos/common/torch_pch.h"

namespace irlab {

// A tanh MLP stored as weights [out, in] and biases [out].
struct Mlp {
  std::vector<torch::Tensor> weights, biases;
  torch::Tensor Forward(const torch::Tensor& x) const;  // [B, in] -> [B, out]
};

class ActorCritic {
 public:
  // Orthogonal initialisation (gain sqrt 2 hidden, 0.01 policy head, 1 value
  // head), zero biases, log-std = log_std_init; deterministic given `seed`.
  ActorCritic(int obs_dim, int act_dim, const std::vector<int>& actor_hidden,
              const std::vector<int>& critic_hidden, double log_std_init, uint64_t seed);

  torch::Tensor Mean(const torch::Tensor& obs) const { return actor_.Forward(obs); }    // [B, act]
  torch::Tensor Value(const torch::Tensor& obs) const {                                 // [B]
    return critic_.Forward(obs).squeeze(-1);
  }
  const torch::Tensor& log_std() const { return log_std_; }  // [act]

  int obs_dim() const { return obs_dim_; }
  int act_dim() const { return act_dim_; }
  torch::Tensor& flat_params() { return flat_params_; }  // [P], every parameter
  torch::Tensor& flat_grads() { return flat_grads_; }    // [P], every gradient

 private:
  int obs_dim_, act_dim_;
  torch::Tensor flat_params_, flat_grads_;
  Mlp actor_, critic_;
  torch::Tensor log_std_;
};

// Adam on one flat parameter buffer (PyTorch's update rule, bias-corrected).
struct FlatAdam {
  torch::Tensor m, v;  // [P] moment estimates
  int64_t steps = 0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-5;

  explicit FlatAdam(int64_t size, double eps_ = 1e-5);
  // One step with gradient `grad` at learning rate `lr`.
  void Step(torch::Tensor& params, const torch::Tensor& grad, double lr);
};

// Scales `grad` in place so its norm is at most max_norm; returns the norm before.
double ClipGradNorm(torch::Tensor& grad, double max_norm);

}  // namespace irlab
