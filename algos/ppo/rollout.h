// Rollout collection, shared by the expert loop (train_expert.cc) and the
// adversarial round (algos/adversarial/train_adversarial.cc).
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "algos/ppo/policy_state.h"
#include "core/rng.h"
#include "envs/vec_env.h"

namespace irlab {

// One rollout, time-major: index [t * N + i].
struct Rollout {
  int T, N, obs_dim, act_dim;
  std::vector<float> obs;      // [T, N, obs_dim] normalised observations acted on
  std::vector<float> raw_obs;  // [T, N, obs_dim] the same, raw
  std::vector<float>
      raw_next_obs;            // [T, N, obs_dim] raw s_{t+1} (the final obs where an episode ended)
  std::vector<float> actions;  // [T, N, act_dim] unclipped samples
  std::vector<float> log_probs;    // [T, N] log pi(a|s) when acting
  std::vector<float> values;       // [T, N] V(s_t)
  std::vector<float> next_values;  // [T, N] V(s_{t+1}); V(final obs) where truncated
  std::vector<float> env_rewards;  // [T, N] the task's true rewards
  std::vector<float> rewards;      // [T, N] the rewards PPO optimises (scaled / learned)
  std::vector<uint8_t> terminated, truncated;  // [T, N]
  std::vector<float> advantages, returns;      // [T, N]
  // episodes that ended during the rollout (true return and length)
  std::vector<double> episode_returns, episode_lengths;

  Rollout(int T, int N, int obs_dim, int act_dim);
  int64_t size() const { return int64_t(T) * N; }
};

// Collects T steps from every env of `vec` with the policy's stochastic
// actions. `current_obs` [N, obs_dim] holds the normalised observation to act
// on and is advanced. With update_obs_norm, the policy's observation
// normaliser folds in every new observation.
absl::Status CollectRollout(VecEnv& vec, PolicyState& policy, Rng& rng, bool update_obs_norm,
                            std::vector<float>& current_obs, Rollout& rollout);

}  // namespace irlab
