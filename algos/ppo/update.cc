#include "algos/ppo/update.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "algos/nn/mlp.h"
#include "core/thread_pool.h"

namespace irlab {

namespace {

// The diagonal Gaussian's entropy, sum_j (log std_j + (1 + log 2 pi) / 2).
double Entropy(const ActorCritic& net) {
  const double half_log_2pie = 0.5 * (1 + std::log(2 * std::numbers::pi));
  double entropy = 0;
  for (int j = 0; j < net.act_dim(); ++j) entropy += net.log_std()[j] + half_log_2pie;
  return entropy;
}

// The entropy term of the loss, -ent_coef * min(H, ent_target), and its slope in H
// (each log std's gradient): the bonus pulls only while H is at or below the target.
double EntropyBonusSlope(const PpoConfig& cfg, double entropy) {
  return !cfg.ent_target || entropy <= *cfg.ent_target ? cfg.ent_coef : 0.0;
}
double EntropyBonus(const PpoConfig& cfg, double entropy) {
  return cfg.ent_coef * (cfg.ent_target ? std::min(entropy, *cfg.ent_target) : entropy);
}

struct ActorTerms {
  double policy_sum = 0, kl_sum = 0;
  int clipped = 0;
};

// The clipped surrogate's share: the actor's forward, loss and backward, and
// the log-std's gradient (bonus_slope: the entropy bonus's pull on each log std).
// Writes only the actor's and the log-std's regions of grads.
ActorTerms ActorLossAndGradient(const ActorCritic& net, const PpoMinibatch& mb,
                                const PpoConfig& cfg, double bonus_slope, PpoScratch& s,
                                float* grads) {
  const int M = mb.size, A = net.act_dim();
  const float* params = net.params();
  const float* log_std = net.log_std();
  const float* mean = nn::Forward(net.actor(), params, mb.obs, M, s.actor);  // [M, A]
  s.d_mean.resize(size_t(M) * A);
  s.z.resize(A);
  std::vector<float> inv_std(A);
  std::vector<double> d_log_std(A, 0.0);
  for (int j = 0; j < A; ++j) inv_std[j] = std::exp(-log_std[j]);

  // advantages normalised over the minibatch (unbiased std, as torch's std())
  float adv_mean = 0, adv_std = 1;
  const bool norm_adv = cfg.norm_adv && M > 1;
  if (norm_adv) {
    double sum = 0, sq = 0;
    for (int i = 0; i < M; ++i) sum += mb.advantages[i];
    const double mu = sum / M;
    for (int i = 0; i < M; ++i) sq += (mb.advantages[i] - mu) * (mb.advantages[i] - mu);
    adv_mean = static_cast<float>(mu);
    adv_std = static_cast<float>(std::sqrt(sq / (M - 1)));
  }

  const float lo = static_cast<float>(1 - cfg.clip_coef),
              hi = static_cast<float>(1 + cfg.clip_coef);
  const float clip = static_cast<float>(cfg.clip_coef);
  ActorTerms out;
  for (int i = 0; i < M; ++i) {
    // log pi(a|s) of the diagonal Gaussian, z = (a - mean) / std
    float log_prob = 0;
    for (int j = 0; j < A; ++j) {
      const float z = (mb.actions[i * A + j] - mean[i * A + j]) * inv_std[j];
      s.z[j] = z;
      log_prob += GaussianLogDensity(z, log_std[j]);
    }
    const float log_ratio = log_prob - mb.old_log_probs[i];
    const float ratio = std::exp(log_ratio);
    out.kl_sum += (ratio - 1) - log_ratio;
    out.clipped += std::fabs(ratio - 1) > clip;

    // the clipped surrogate max(-A r, -A clip(r)) and its derivative in r; a
    // tie (r inside the clip range) splits the gradient between both branches,
    // as autograd's maximum does, and clip passes it on at its bounds too
    const float adv =
        norm_adv ? (mb.advantages[i] - adv_mean) / (adv_std + 1e-8f) : mb.advantages[i];
    const float unclipped = -adv * ratio, clipped_term = -adv * std::clamp(ratio, lo, hi);
    out.policy_sum += std::max(unclipped, clipped_term);
    const float d_unclipped = -adv, d_clipped = ratio >= lo && ratio <= hi ? -adv : 0.0f;
    const float d_ratio = unclipped > clipped_term   ? d_unclipped
                          : unclipped < clipped_term ? d_clipped
                                                     : 0.5f * (d_unclipped + d_clipped);
    const float d_log_prob = d_ratio * ratio / M;
    for (int j = 0; j < A; ++j) {
      const float z = s.z[j];
      s.d_mean[i * A + j] = d_log_prob * z * inv_std[j];
      d_log_std[j] += d_log_prob * (z * z - 1.0f);
    }
  }
  nn::Backward(net.actor(), params, s.actor, s.d_mean.data(), grads, /*accumulate=*/false,
               /*dx=*/nullptr);
  for (int j = 0; j < A; ++j)
    grads[net.log_std_offset() + j] = static_cast<float>(d_log_std[j] - bonus_slope);
  return out;
}

// The value loss 0.5 (v - R)^2, or with clipping 0.5 max((v - R)^2, (v_clip - R)^2):
// the critic's forward, loss and backward. Returns the sum of the squared terms;
// writes only the critic's region of grads.
double CriticLossAndGradient(const ActorCritic& net, const PpoMinibatch& mb, const PpoConfig& cfg,
                             PpoScratch& s, float* grads) {
  const int M = mb.size;
  const float* params = net.params();
  const float* value = nn::Forward(net.critic(), params, mb.obs, M, s.critic);  // [M]
  s.d_value.resize(M);
  const float clip = static_cast<float>(cfg.clip_coef);
  double value_sum = 0;
  for (int i = 0; i < M; ++i) {
    const float v = value[i], target = mb.returns[i];
    float d_v;
    if (cfg.clip_value_loss) {
      const float step = v - mb.old_values[i];
      const float v_clipped = mb.old_values[i] + std::clamp(step, -clip, clip);
      const float a = (v - target) * (v - target), b = (v_clipped - target) * (v_clipped - target);
      value_sum += std::max(a, b);
      const float d_a = 2 * (v - target),
                  d_b = step >= -clip && step <= clip ? 2 * (v_clipped - target) : 0.0f;
      d_v = a > b ? d_a : a < b ? d_b : 0.5f * (d_a + d_b);
    } else {
      value_sum += (v - target) * (v - target);
      d_v = 2 * (v - target);
    }
    s.d_value[i] = static_cast<float>(cfg.vf_coef * 0.5 * d_v / M);
  }
  nn::Backward(net.critic(), params, s.critic, s.d_value.data(), grads, /*accumulate=*/false,
               /*dx=*/nullptr);
  return value_sum;
}

}  // namespace

PpoLossTerms PpoLossAndGradient(const ActorCritic& net, const PpoMinibatch& mb,
                                const PpoConfig& cfg, PpoScratch& s, float* grads,
                                ThreadPool* pool) {
  const double entropy = Entropy(net);
  const double bonus_slope = EntropyBonusSlope(cfg, entropy);
  // The actor and the critic share no parameters and write disjoint regions of
  // grads: with a pool of two threads they run side by side, with the same
  // arithmetic (the same bits) as one after the other.
  ActorTerms actor;
  double value_sum = 0;
  SideBySide(
      pool, [&] { actor = ActorLossAndGradient(net, mb, cfg, bonus_slope, s, grads); },
      [&] { value_sum = CriticLossAndGradient(net, mb, cfg, s, grads); });

  const int M = mb.size;
  PpoLossTerms out;
  out.entropy = entropy;
  out.policy = actor.policy_sum / M;
  out.value = 0.5 * value_sum / M;
  out.approx_kl = actor.kl_sum / M;
  out.clip_frac = double(actor.clipped) / M;
  out.total = out.policy + cfg.vf_coef * out.value - EntropyBonus(cfg, out.entropy);
  return out;
}

}  // namespace irlab
