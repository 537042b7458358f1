// The actor-critic: tanh MLPs for the Gaussian policy's mean and for the
// value, and a state-independent log-std, all in one flat parameter buffer
// (actor layers, critic layers, log-std). Training and acting run the
// explicit forward and backward passes of algos/nn on that buffer; the
// LibTorch forms (Mean, Value) are the reference the tests compare against.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "algos/common/torch_pch.h"
#include "algos/nn/mlp.h"

namespace irlab {

// One action dimension's term of the diagonal Gaussian's log-density log N(a;
// mean, std), from z = (a - mean) / std: -z^2 / 2 - log std - log(2 pi) / 2.
template <typename T>
inline T GaussianLogDensity(T z, T log_std) {
  const T half_log_2pi = static_cast<T>(0.5 * std::log(2 * std::numbers::pi));
  return T(-0.5) * z * z - log_std - half_log_2pi;
}

class ActorCritic {
 public:
  // Orthogonal initialisation (gain sqrt 2 hidden, 0.01 policy head, 1 value
  // head), zero biases, log-std = log_std_init; deterministic given `seed`.
  ActorCritic(int obs_dim, int act_dim, const std::vector<int>& actor_hidden,
              const std::vector<int>& critic_hidden, double log_std_init, uint64_t seed);

  int obs_dim() const { return obs_dim_; }
  int act_dim() const { return act_dim_; }
  const nn::MlpLayout& actor() const { return actor_; }    // obs -> mean [act]
  const nn::MlpLayout& critic() const { return critic_; }  // obs -> value [1]
  int64_t log_std_offset() const { return critic_.end(); }
  int64_t num_params() const { return log_std_offset() + act_dim_; }

  torch::Tensor& flat_params() { return flat_params_; }  // [P], every parameter
  const torch::Tensor& flat_params() const { return flat_params_; }
  const float* params() const { return flat_params_.data_ptr<float>(); }
  float* params() { return flat_params_.data_ptr<float>(); }
  const float* log_std() const { return params() + log_std_offset(); }  // [act]
  float* log_std() { return params() + log_std_offset(); }

  // Means [n, act] and, when value is not null, values [n] of normalised
  // observations [n, obs] (the acting pass: no gradient).
  void Forward(const float* obs, int n, float* mean, float* value, nn::MlpScratch& actor_scratch,
               nn::MlpScratch& critic_scratch) const;

  // log pi(a|s) [n] of actions [n, act] at normalised observations [n, obs].
  void LogProb(const float* obs, const float* actions, int n, float* out,
               nn::MlpScratch& actor_scratch) const;

  // LibTorch forms over `params` (the flat buffer, or a copy of it that
  // requires grad): obs [B, obs] -> mean [B, act], value [B]; log-std [act].
  torch::Tensor TorchMean(const torch::Tensor& params, const torch::Tensor& obs) const;
  torch::Tensor TorchValue(const torch::Tensor& params, const torch::Tensor& obs) const;
  torch::Tensor TorchLogStd(const torch::Tensor& params) const;

 private:
  int obs_dim_, act_dim_;
  nn::MlpLayout actor_, critic_;
  torch::Tensor flat_params_;
};

// The LibTorch form of an nn::MlpLayout over a flat parameter tensor.
torch::Tensor TorchMlp(const nn::MlpLayout& mlp, const torch::Tensor& params,
                       const torch::Tensor& x);

// Adam on one flat parameter buffer (PyTorch's update rule, bias-corrected).
// The moments are tensors so that checkpoints keep them.
struct FlatAdam {
  torch::Tensor m, v;  // [P] moment estimates
  int64_t steps = 0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-5;

  explicit FlatAdam(int64_t size, double eps_ = 1e-5);
  // One step with gradient grad [P] at learning rate lr.
  void Step(float* params, const float* grad, double lr);
};

}  // namespace irlab
