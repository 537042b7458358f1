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
                            std::vector<float>& current_obs, Rollout& rollout) {
  ActorCritic& net = *policy.net;
  const int T = rollout.T, N = rollout.N, obs_dim = rollout.obs_dim, act_dim = rollout.act_dim;
  const float* log_std = net.log_std();
  std::vector<float> final_obs(size_t(N) * obs_dim), final_values(N), mean(size_t(N) * act_dim);
  nn::MlpScratch actor_scratch, critic_scratch;
  rollout.episode_returns.clear();
  rollout.episode_lengths.clear();
  std::copy(vec.obs().begin(), vec.obs().end(), rollout.raw_obs.begin());
  for (int t = 0; t < T; ++t) {
    float* obs_t = &rollout.obs[size_t(t) * N * obs_dim];
    float* act_t = &rollout.actions[size_t(t) * N * act_dim];
    std::copy(current_obs.begin(), current_obs.end(), obs_t);
    if (t > 0)
      std::copy(vec.obs().begin(), vec.obs().end(), &rollout.raw_obs[size_t(t) * N * obs_dim]);
    net.Forward(obs_t, N, mean.data(), &rollout.values[size_t(t) * N], actor_scratch,
                critic_scratch);
    // a = mean + std * eps; log pi(a|s) from eps directly
    for (int i = 0; i < N; ++i) {
      double log_prob = 0;
      for (int j = 0; j < act_dim; ++j) {
        const double eps = rng.Normal();
        act_t[i * act_dim + j] =
            mean[i * act_dim + j] + std::exp(log_std[j]) * static_cast<float>(eps);
        log_prob += GaussianLogDensity<double>(eps, log_std[j]);
      }
      rollout.log_probs[size_t(t) * N + i] = static_cast<float>(log_prob);
    }
    IRLAB_RETURN_IF_ERROR(vec.Step(std::span<const float>(act_t, size_t(N) * act_dim)));

    bool any_truncated = false;
    for (int i = 0; i < N; ++i) {
      const size_t k = size_t(t) * N + i;
      rollout.terminated[k] = vec.terminated()[i];
      rollout.truncated[k] = vec.truncated()[i];
      rollout.env_rewards[k] = vec.rewards()[i];
      rollout.rewards[k] = vec.rewards()[i];
      const bool done = rollout.terminated[k] || rollout.truncated[k];
      const auto next = done ? vec.final_obs() : vec.obs();
      std::copy(next.begin() + i * obs_dim, next.begin() + (i + 1) * obs_dim,
                &rollout.raw_next_obs[k * obs_dim]);
      any_truncated |= rollout.truncated[k] != 0;
      if (done) {
        rollout.episode_returns.push_back(vec.episode_returns()[i]);
        rollout.episode_lengths.push_back(vec.episode_lengths()[i]);
      }
    }
    if (update_obs_norm && policy.norm_obs) policy.obs_rms.Update(vec.obs(), N);
    NormalizeObs(policy, vec.obs(), current_obs);
    // bootstrap targets for time-limit endings: V(final obs)
    if (any_truncated) {
      NormalizeObs(policy, vec.final_obs(), final_obs);
      Values(net, final_obs, N, final_values.data(), critic_scratch);
      for (int i = 0; i < N; ++i) {
        if (rollout.truncated[size_t(t) * N + i])
          rollout.next_values[size_t(t) * N + i] = final_values[i];
      }
    }
  }
  std::vector<float> last_values(N);
  Values(net, current_obs, N, last_values.data(), critic_scratch);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < N; ++i) {
      const size_t k = size_t(t) * N + i;
      if (rollout.truncated[k]) continue;  // already V(final obs)
      rollout.next_values[k] = t + 1 < T ? rollout.values[k + N] : last_values[i];
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab
