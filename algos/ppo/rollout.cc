#include "algos/ppo/rollout.h"

#include <cmath>
#include <numbers>

#include "core/status.h"
#include "core/strings.h"

namespace irlab {

Rollout::Rollout(int T_, int N_, int obs_dim_, int act_dim_)
    : T(T_),
      N(N_),
      obs_dim(obs_dim_),
      act_dim(act_dim_),
      obs(size_t(T) * N * obs_dim),
      raw_obs(size_t(T) * N * obs_dim),
      raw_next_obs(size_t(T) * N * obs_dim),
      actions(size_t(T) * N * act_dim),
      log_probs(size_t(T) * N),
      values(size_t(T) * N),
      next_values(size_t(T) * N),
      env_rewards(size_t(T) * N),
      rewards(size_t(T) * N),
      terminated(size_t(T) * N),
      truncated(size_t(T) * N),
      advantages(size_t(T) * N),
      returns(size_t(T) * N) {}

namespace {

// Values of normalised observations [n, obs_dim].
void Values(const ActorCritic& net, std::span<const float> obs, int n, float* out,
            nn::MlpScratch& scratch) {
  const float* v = nn::Forward(net.critic(), net.params(), obs.data(), n, scratch);
  std::copy_n(v, n, out);
}

}  // namespace

absl::Status CollectRollout(VecEnv& vec, PolicyState& policy, Rng& rng, bool update_obs_norm,
                            std::vector<float>& current_obs, Rollout& ro) {
  ActorCritic& net = *policy.net;
  const int T = ro.T, N = ro.N, od = ro.obs_dim, ad = ro.act_dim;
  const float* log_std = net.log_std();
  std::vector<float> final_obs(size_t(N) * od), final_values(N), mean(size_t(N) * ad);
  nn::MlpScratch actor_scratch, critic_scratch;
  ro.episode_returns.clear();
  ro.episode_lengths.clear();
  std::copy(vec.obs().begin(), vec.obs().end(), ro.raw_obs.begin());
  for (int t = 0; t < T; ++t) {
    float* obs_t = &ro.obs[size_t(t) * N * od];
    float* act_t = &ro.actions[size_t(t) * N * ad];
    std::copy(current_obs.begin(), current_obs.end(), obs_t);
    if (t > 0) std::copy(vec.obs().begin(), vec.obs().end(), &ro.raw_obs[size_t(t) * N * od]);
    net.Forward(obs_t, N, mean.data(), &ro.values[size_t(t) * N], actor_scratch, critic_scratch);
    // a = mean + std * eps; log pi(a|s) from eps directly
    for (int i = 0; i < N; ++i) {
      double log_prob = 0;
      for (int j = 0; j < ad; ++j) {
        const double eps = rng.Normal();
        act_t[i * ad + j] = mean[i * ad + j] + std::exp(log_std[j]) * static_cast<float>(eps);
        log_prob += GaussianLogDensity<double>(eps, log_std[j]);
      }
      ro.log_probs[size_t(t) * N + i] = static_cast<float>(log_prob);
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
      Values(net, final_obs, N, final_values.data(), critic_scratch);
      for (int i = 0; i < N; ++i) {
        if (ro.truncated[size_t(t) * N + i]) ro.next_values[size_t(t) * N + i] = final_values[i];
      }
    }
  }
  std::vector<float> last_values(N);
  Values(net, current_obs, N, last_values.data(), critic_scratch);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < N; ++i) {
      const size_t k = size_t(t) * N + i;
      if (ro.truncated[k]) continue;  // already V(final obs)
      ro.next_values[k] = t + 1 < T ? ro.values[k + N] : last_values[i];
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab
