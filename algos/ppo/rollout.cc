#include "algos/ppo/rollout.h"

#include <cmath>
#include <numbers>

#include "algos/ppo/losses.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {

Rollout::Rollout(int T_, int N_, int obs_dim_, int act_dim_)
    : T(T_), N(N_), obs_dim(obs_dim_), act_dim(act_dim_),
      obs(size_t(T) * N * obs_dim), raw_obs(size_t(T) * N * obs_dim), raw_next_obs(size_t(T) * N * obs_dim),
      actions(size_t(T) * N * act_dim), log_probs(size_t(T) * N), values(size_t(T) * N),
      next_values(size_t(T) * N), env_rewards(size_t(T) * N), rewards(size_t(T) * N),
      terminated(size_t(T) * N), truncated(size_t(T) * N), advantages(size_t(T) * N), returns(size_t(T) * N) {}

void NormalizeObs(const PolicyState& p, std::span<const float> raw, std::span<float> out) {
  if (p.norm_obs) {
    p.obs_rms.Normalize(raw, out, p.obs_clip);
  } else {
    std::copy(raw.begin(), raw.end(), out.begin());
  }
}

PpoTrainState NewPpoState(const std::string& env, const PpoConfig& cfg, VecEnv& vec, uint64_t seed) {
  const int od = vec.spec().obs_dim, ad = vec.spec().act_dim, n = vec.num_envs();
  PpoTrainState st;
  st.policy.env_name = env;
  st.policy.actor_hidden = cfg.actor_hidden;
  st.policy.critic_hidden = cfg.critic_hidden;
  st.policy.net = std::make_unique<ActorCritic>(od, ad, cfg.actor_hidden, cfg.critic_hidden, cfg.log_std_init,
                                                Rng::DeriveSeed(seed, 1));
  st.policy.obs_rms = RunningMeanStd(od);
  st.policy.norm_obs = cfg.norm_obs;
  st.policy.obs_clip = cfg.obs_clip;
  st.adam = std::make_unique<FlatAdam>(st.policy.net->flat_params().numel(), cfg.adam_eps);
  st.reward_scaler = RewardScaler(n, cfg.gamma);
  st.rng.Seed(Rng::DeriveSeed(seed, 2));
  vec.Reset(Rng::DeriveSeed(seed, 3));
  if (cfg.norm_obs) st.policy.obs_rms.Update(vec.obs(), n);
  return st;
}

void ScaleRewards(const PpoConfig& cfg, RewardScaler& scaler, Rollout& ro) {
  std::vector<uint8_t> done(ro.N);
  for (int t = 0; t < ro.T; ++t) {
    for (int i = 0; i < ro.N; ++i) done[i] = ro.terminated[t * ro.N + i] || ro.truncated[t * ro.N + i];
    scaler.Scale(std::span<float>(&ro.rewards[size_t(t) * ro.N], ro.N), done, cfg.reward_clip);
  }
}

namespace {

// Values of normalised observations [n, obs_dim].
void Values(ActorCritic& net, std::span<float> obs, int n, float* out) {
  c10::InferenceMode guard;
  torch::Tensor v = net.Value(torch::from_blob(obs.data(), {n, net.obs_dim()}));
  std::copy(v.data_ptr<float>(), v.data_ptr<float>() + n, out);
}

}  // namespace

absl::Status CollectRollout(VecEnv& vec, PolicyState& policy, Rng& rng, bool update_obs_norm,
                            std::vector<float>& current_obs, Rollout& ro) {
  ActorCritic& net = *policy.net;
  const int T = ro.T, N = ro.N, od = ro.obs_dim, ad = ro.act_dim;
  const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
  const float* log_std = net.log_std().data_ptr<float>();
  std::vector<float> final_obs(size_t(N) * od), final_values(N);
  ro.episode_returns.clear();
  ro.episode_lengths.clear();
  std::copy(vec.obs().begin(), vec.obs().end(), ro.raw_obs.begin());
  for (int t = 0; t < T; ++t) {
    float* obs_t = &ro.obs[size_t(t) * N * od];
    float* act_t = &ro.actions[size_t(t) * N * ad];
    std::copy(current_obs.begin(), current_obs.end(), obs_t);
    if (t > 0) std::copy(vec.obs().begin(), vec.obs().end(), &ro.raw_obs[size_t(t) * N * od]);
    {
      c10::InferenceMode guard;
      torch::Tensor obs_tensor = torch::from_blob(obs_t, {N, od});
      torch::Tensor mean = net.Mean(obs_tensor);    // [N, ad]
      torch::Tensor value = net.Value(obs_tensor);  // [N]
      const float* m = mean.data_ptr<float>();
      std::copy(value.data_ptr<float>(), value.data_ptr<float>() + N, &ro.values[size_t(t) * N]);
      // a = mean + std * eps; log pi(a|s) from eps directly
      for (int i = 0; i < N; ++i) {
        double log_prob = 0;
        for (int j = 0; j < ad; ++j) {
          const double eps = rng.Normal();
          act_t[i * ad + j] = m[i * ad + j] + std::exp(log_std[j]) * static_cast<float>(eps);
          log_prob += -0.5 * eps * eps - log_std[j] - half_log_2pi;
        }
        ro.log_probs[size_t(t) * N + i] = static_cast<float>(log_prob);
      }
    }
    IRLAB_RETURN_IF_ERROR(vec.Step(std::span<const float>(act_t, size_t(N) * ad)));

    bool any_truncated = false;
    for (int i = 0; i < N; ++i) {
      const size_t k = size_t(t) * N + i;
      ro.terminated[k] = vec.terminated()[i];
      ro.truncated[k] = vec.truncated()[i];
      ro.env_rewards[k] = vec.rewards()[i];
      ro.rewards[k] = vec.rewards()[i];
      const bool done = ro.terminated[k] || ro.truncated[k];
      const auto next = done ? vec.final_obs() : vec.obs();
      std::copy(next.begin() + i * od, next.begin() + (i + 1) * od, &ro.raw_next_obs[k * od]);
      any_truncated |= ro.truncated[k] != 0;
      if (done) {
        ro.episode_returns.push_back(vec.episode_returns()[i]);
        ro.episode_lengths.push_back(vec.episode_lengths()[i]);
      }
    }
    if (update_obs_norm && policy.norm_obs) policy.obs_rms.Update(vec.obs(), N);
    NormalizeObs(policy, vec.obs(), current_obs);
    // bootstrap targets for time-limit endings: V(final obs)
    if (any_truncated) {
      NormalizeObs(policy, vec.final_obs(), final_obs);
      Values(net, final_obs, N, final_values.data());
      for (int i = 0; i < N; ++i) {
        if (ro.truncated[size_t(t) * N + i]) ro.next_values[size_t(t) * N + i] = final_values[i];
      }
    }
  }
  std::vector<float> last_values(N);
  Values(net, current_obs, N, last_values.data());
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < N; ++i) {
      const size_t k = size_t(t) * N + i;
      if (ro.truncated[k]) continue;  // already V(final obs)
      ro.next_values[k] = t + 1 < T ? ro.values[k + N] : last_values[i];
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<UpdateStats> PpoUpdate(ActorCritic& net, FlatAdam& adam, const Rollout& ro,
                                      const PpoConfig& cfg, double lr, Rng& rng) {
  const int64_t batch = ro.size();
  const int od = ro.obs_dim, ad = ro.act_dim;
  auto blob = [](const std::vector<float>& v, std::vector<int64_t> shape) {
    return torch::from_blob(const_cast<float*>(v.data()), shape);
  };
  torch::Tensor b_obs = blob(ro.obs, {batch, od}), b_act = blob(ro.actions, {batch, ad});
  torch::Tensor b_logp = blob(ro.log_probs, {batch}), b_adv = blob(ro.advantages, {batch});
  torch::Tensor b_ret = blob(ro.returns, {batch}), b_val = blob(ro.values, {batch});
  std::vector<int64_t> order(batch);
  UpdateStats stats;
  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    // a fresh permutation applied once per epoch; minibatches are then slices
    for (int64_t k = 0; k < batch; ++k) order[k] = k;
    for (int64_t k = batch - 1; k > 0; --k) std::swap(order[k], order[rng.UniformInt(k + 1)]);
    torch::Tensor perm = torch::from_blob(order.data(), {batch}, torch::kInt64);
    torch::Tensor e_obs = b_obs.index_select(0, perm), e_act = b_act.index_select(0, perm);
    torch::Tensor e_logp = b_logp.index_select(0, perm), e_adv = b_adv.index_select(0, perm);
    torch::Tensor e_ret = b_ret.index_select(0, perm), e_val = b_val.index_select(0, perm);
    double epoch_kl = 0;
    for (int mb = 0; mb < cfg.minibatches; ++mb) {
      const int64_t begin = batch * mb / cfg.minibatches, size = batch * (mb + 1) / cfg.minibatches - begin;
      torch::Tensor obs = e_obs.narrow(0, begin, size);
      torch::Tensor log_prob = GaussianLogProb(e_act.narrow(0, begin, size), net.Mean(obs), net.log_std());
      PpoLoss loss = ComputePpoLoss(log_prob, e_logp.narrow(0, begin, size), e_adv.narrow(0, begin, size),
                                    net.Value(obs), e_val.narrow(0, begin, size), e_ret.narrow(0, begin, size),
                                    GaussianEntropy(net.log_std()), cfg);
      const double total = loss.total.item<double>();
      if (!std::isfinite(total)) {
        return absl::InternalError(StrCat("non-finite PPO loss (", total, ") in epoch ", epoch, ", minibatch ", mb));
      }
      net.flat_grads().zero_();
      loss.total.backward();
      stats.grad_norm = ClipGradNorm(net.flat_grads(), cfg.max_grad_norm);
      adam.Step(net.flat_params(), net.flat_grads(), lr);
      stats.policy_loss = loss.policy.item<double>();
      stats.value_loss = loss.value.item<double>();
      stats.entropy = loss.entropy.item<double>();
      stats.clip_frac = loss.clip_frac.item<double>();
      epoch_kl += loss.approx_kl.item<double>() / cfg.minibatches;
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
