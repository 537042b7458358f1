// PPO's losses as pure functions of tensors, shapes in comments.
#pragma once

#include "algos/common/torch_pch.h"
#include "algos/ppo/config.h"

namespace irlab {

// log N(actions; mean, exp(log_std)) summed over action dims.
// actions, mean [B, A]; log_std [A] -> [B]
torch::Tensor GaussianLogProb(const torch::Tensor& actions, const torch::Tensor& mean,
                              const torch::Tensor& log_std);

// Entropy of the diagonal Gaussian (state-independent std): a scalar.
torch::Tensor GaussianEntropy(const torch::Tensor& log_std);

struct PpoLoss {
  torch::Tensor total;      // policy + vf_coef * value - ent_coef * min(entropy, ent_target)
  torch::Tensor policy;     // clipped surrogate (to minimise)
  torch::Tensor value;      // (clipped) value loss, 0.5 * squared error
  torch::Tensor entropy;    // mean entropy
  torch::Tensor approx_kl;  // E[(r - 1) - log r], no gradient
  torch::Tensor clip_frac;  // fraction of |r - 1| > clip, no gradient
};

// new_log_prob, old_log_prob, advantages, new_values, old_values, returns: [B];
// entropy: scalar. Advantages are normalised here when cfg.norm_adv.
PpoLoss ComputePpoLoss(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob,
                       torch::Tensor advantages, const torch::Tensor& new_values,
                       const torch::Tensor& old_values, const torch::Tensor& returns,
                       const torch::Tensor& entropy, const PpoConfig& cfg);

}  // namespace irlab
