// Everything a PPO run needs to continue: the policy, the optimiser, the
// reward scaler, the RNG, the counters and the VecEnv's state. Saved whole by
// SavePpoCheckpoint (checkpoint.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "algos/ppo/config.h"
#include "algos/ppo/policy_state.h"
#include "core/rng.h"
#include "envs/vec_env.h"

namespace irlab {

struct PpoTrainState {
  PolicyState policy;
  std::unique_ptr<FlatAdam> adam;
  RewardScaler reward_scaler{1, 0.99};
  std::string config_toml;
  Rng rng;
  int64_t global_step = 0;
  int64_t iteration = 0;
  VecEnvState envs;
};

// A fresh training state for `env`: networks and sampling seeded from `seed`,
// the envs reset and the observation normaliser primed with their first obs.
PpoTrainState NewPpoState(const std::string& env, const PpoConfig& cfg, VecEnv& vec, uint64_t seed);

// OK when `state` can continue under a config: the same task, observation and
// action sizes, layer widths and number of envs. Errors name `path`.
absl::Status CheckResumable(const PpoTrainState& state, const std::string& env, const EnvSpec& spec,
                            const PpoConfig& cfg, int num_envs, const std::filesystem::path& path);

}  // namespace irlab
