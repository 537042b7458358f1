#include "algos/ppo/update.h"

#include <cmath>
#include <numbers>

#include "algos/nn/adam.h"
#include "algos/ppo/rollout.h"
#include "core/thread_pool.h"
#include "core/strings.h"

namespace irlab {

namespace {

struct ActorTerms {
  double policy_sum = 0, kl_sum = 0;
  int clipped = 0;
};

// The clipped surrogate's share: the actor's forward, loss and backward, and
// the log-std's gradient. Writes only the actor's and the log-std's regions of grads.
ActorTerms ActorLossAndGradient(const ActorCritic& net, const PpoMinibatch& mb,
                                const PpoConfig& cfg, PpoScratch& s, float* grads) {
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

  const float half_log_2pi = static_cast<float>(0.5 * std::log(2 * std::numbers::pi));
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
      log_prob += -0.5f * z * z - log_std[j] - half_log_2pi;
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
  nn::Backward(net.actor(), params, s.actor, s.d_mean.data(), grads, false, nullptr);
  for (int j = 0; j < A; ++j)
    grads[net.log_std_offset() + j] = static_cast<float>(d_log_std[j] - cfg.ent_coef);
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
  nn::Backward(net.critic(), params, s.critic, s.d_value.data(), grads, false, nullptr);
  return value_sum;
}

}  // namespace

PpoLossTerms PpoLossAndGradient(const ActorCritic& net, const PpoMinibatch& mb,
                                const PpoConfig& cfg, PpoScratch& s, float* grads,
                                ThreadPool* pool) {
  // The actor and the critic share no parameters and write disjoint regions of
  // grads: with a pool of two threads they run side by side, with the same
  // arithmetic (the same bits) as one after the other.
  ActorTerms actor;
  double value_sum = 0;
  SideBySide(
      pool, [&] { actor = ActorLossAndGradient(net, mb, cfg, s, grads); },
      [&] { value_sum = CriticLossAndGradient(net, mb, cfg, s, grads); });

  const int M = mb.size;
  PpoLossTerms out;
  const double half_log_2pie = 0.5 * (1 + std::log(2 * std::numbers::pi));
  for (int j = 0; j < net.act_dim(); ++j) out.entropy += net.log_std()[j] + half_log_2pie;
  out.policy = actor.policy_sum / M;
  out.value = 0.5 * value_sum / M;
  out.approx_kl = actor.kl_sum / M;
  out.clip_frac = double(actor.clipped) / M;
  out.total = out.policy + cfg.vf_coef * out.value - cfg.ent_coef * out.entropy;
  return out;
}

absl::StatusOr<UpdateStats> PpoUpdate(ActorCritic& net, FlatAdam& adam, const Rollout& ro,
                                      const PpoConfig& cfg, double lr, Rng& rng, ThreadPool* pool) {
  const int64_t batch = ro.size();
  const int od = ro.obs_dim, ad = ro.act_dim;
  // the rollout in this epoch's order: minibatches are then contiguous slices
  std::vector<float> obs(batch * od), actions(batch * ad), log_probs(batch), advantages(batch),
      returns(batch), values(batch);
  std::vector<int64_t> order(batch);
  std::vector<float> grads(net.num_params());
  PpoScratch scratch;
  UpdateStats stats;
  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    for (int64_t k = 0; k < batch; ++k) order[k] = k;
    for (int64_t k = batch - 1; k > 0; --k) std::swap(order[k], order[rng.UniformInt(k + 1)]);
    for (int64_t k = 0; k < batch; ++k) {
      const int64_t from = order[k];
      std::copy_n(&ro.obs[from * od], od, &obs[k * od]);
      std::copy_n(&ro.actions[from * ad], ad, &actions[k * ad]);
      log_probs[k] = ro.log_probs[from];
      advantages[k] = ro.advantages[from];
      returns[k] = ro.returns[from];
      values[k] = ro.values[from];
    }
    double epoch_kl = 0;
    for (int mb = 0; mb < cfg.minibatches; ++mb) {
      const int64_t begin = batch * mb / cfg.minibatches,
                    size = batch * (mb + 1) / cfg.minibatches - begin;
      const PpoMinibatch minibatch{.size = static_cast<int>(size),
                                   .obs = &obs[begin * od],
                                   .actions = &actions[begin * ad],
                                   .old_log_probs = &log_probs[begin],
                                   .advantages = &advantages[begin],
                                   .returns = &returns[begin],
                                   .old_values = &values[begin]};
      const PpoLossTerms loss = PpoLossAndGradient(net, minibatch, cfg, scratch, grads.data(), pool);
      if (!std::isfinite(loss.total)) {
        return absl::InternalError(
            StrCat("non-finite PPO loss (", loss.total, ") in epoch ", epoch, ", minibatch ", mb));
      }
      stats.grad_norm = nn::ClipNorm(grads.data(), net.num_params(), cfg.max_grad_norm);
      adam.Step(net.params(), grads.data(), lr);
      stats.policy_loss = loss.policy;
      stats.value_loss = loss.value;
      stats.entropy = loss.entropy;
      stats.clip_frac = loss.clip_frac;
      epoch_kl += loss.approx_kl / cfg.minibatches;
      ++stats.updates;
    }
    stats.approx_kl = epoch_kl;
    if (cfg.target_kl > 0 && epoch_kl > cfg.target_kl) break;
  }
  double mean_ret = 0, var_ret = 0, var_res = 0;
  for (int64_t k = 0; k < batch; ++k) mean_ret += ro.returns[k] / batch;
  for (int64_t k = 0; k < batch; ++k) {
    var_ret += (ro.returns[k] - mean_ret) * (ro.returns[k] - mean_ret);
    var_res += (ro.returns[k] - ro.values[k]) * (ro.returns[k] - ro.values[k]);
  }
  stats.explained_variance = var_ret > 0 ? 1 - var_res / var_ret : NAN;
  return stats;
}

}  // namespace irlab
