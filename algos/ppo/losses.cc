#include "algos/ppo/losses.h"

#include <cmath>
#include <numbers>

namespace irlab {

torch::Tensor GaussianLogProb(const torch::Tensor& actions, const torch::Tensor& mean,
                              const torch::Tensor& log_std) {
  const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
  torch::Tensor z = (actions - mean) * torch::exp(-log_std);
  return (-0.5 * z.square() - log_std - half_log_2pi).sum(-1);
}

torch::Tensor GaussianEntropy(const torch::Tensor& log_std) {
  const double half_log_2pie = 0.5 * (1 + std::log(2 * std::numbers::pi));
  return (log_std + half_log_2pie).sum();
}

PpoLoss ComputePpoLoss(const torch::Tensor& new_log_prob, const torch::Tensor& old_log_prob,
                       torch::Tensor advantages, const torch::Tensor& new_values,
                       const torch::Tensor& old_values, const torch::Tensor& returns,
                       const torch::Tensor& entropy, const PpoConfig& cfg) {
  PpoLoss out;
  const torch::Tensor log_ratio = new_log_prob - old_log_prob;
  const torch::Tensor ratio = log_ratio.exp();
  {
    torch::NoGradGuard no_grad;
    out.approx_kl = ((ratio - 1) - log_ratio).mean();
    out.clip_frac = ((ratio - 1).abs() > cfg.clip_coef).to(torch::kFloat).mean();
  }
  if (cfg.norm_adv && advantages.size(0) > 1) {
    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8);
  }
  // the surrogate: maximise min(r A, clip(r) A), i.e. minimise the max of the negatives
  const torch::Tensor unclipped = -advantages * ratio;
  const torch::Tensor clipped =
      -advantages * torch::clamp(ratio, 1 - cfg.clip_coef, 1 + cfg.clip_coef);
  out.policy = torch::max(unclipped, clipped).mean();

  if (cfg.clip_value_loss) {
    const torch::Tensor v_clipped =
        old_values + torch::clamp(new_values - old_values, -cfg.clip_coef, cfg.clip_coef);
    out.value =
        0.5 * torch::max((new_values - returns).square(), (v_clipped - returns).square()).mean();
  } else {
    out.value = 0.5 * (new_values - returns).square().mean();
  }
  out.entropy = entropy;
  // the bonus -ent_coef * min(H, ent_target): no pull on the entropy above the target
  const torch::Tensor bonus = cfg.ent_target ? torch::clamp_max(entropy, *cfg.ent_target) : entropy;
  out.total = out.policy + cfg.vf_coef * out.value - cfg.ent_coef * bonus;
  return out;
}

}  // namespace irlab
