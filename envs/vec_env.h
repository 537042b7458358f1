// N copies of a task stepped together on a fixed thread pool, with auto-reset.
// Buffers are flat and row-major so learners can wrap them without copying.
// Episode k of env i is seeded with DeriveSeed(DeriveSeed(seed, i), k), so the
// results do not depend on the number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/thread_pool.h"
#include "envs/env.h"
#include "envs/options.h"

namespace irlab {

// Everything needed to continue stepping exactly where a VecEnv was.
struct VecEnvState {
  uint64_t seed = 0;
  std::vector<EnvState> envs;
  std::vector<uint64_t> episode_count;
  std::vector<double> running_return;
  std::vector<int> running_length;
};

class VecEnv {
 public:
  static absl::StatusOr<std::unique_ptr<VecEnv>> Make(std::string_view task, int num_envs,
                                                      const EnvOptions& options, int num_threads);

  const EnvSpec& spec() const { return envs_[0]->spec(); }
  int num_envs() const { return static_cast<int>(envs_.size()); }
  Env& env(int i) { return *envs_[i]; }

  // Starts every env's first episode; fills obs().
  void Reset(uint64_t seed);

  // Steps every env with actions [N, act_dim]. An env whose episode ended is
  // reset at once: obs() then holds its new first observation, and
  // final_obs() the observation the episode ended in.
  absl::Status Step(std::span<const float> actions);

  std::span<const float> obs() const { return obs_; }              // [N, obs_dim]
  std::span<const float> final_obs() const { return final_obs_; }  // [N, obs_dim], where done
  // The raw state an episode ended in (valid where done; kept only when
  // set_keep_final_states(true), since it allocates).
  const EnvState& final_state(int i) const { return final_states_[i]; }
  void set_keep_final_states(bool keep) { keep_final_states_ = keep; }
  std::span<const float> rewards() const { return rewards_; }          // [N]
  std::span<const uint8_t> terminated() const { return terminated_; }  // [N]
  std::span<const uint8_t> truncated() const { return truncated_; }    // [N]
  const std::vector<StepInfo>& infos() const { return infos_; }        // [N]
  // Return and length of the episode that ended on the last step, where done.
  std::span<const double> episode_returns() const { return episode_return_; }
  std::span<const int> episode_lengths() const { return episode_length_; }
  // Snapshot and restore (for checkpoints); SetState refills obs().
  VecEnvState GetState() const;
  absl::Status SetState(const VecEnvState& state);

  // The threads that step the envs, for other work between steps (not while a
  // Step or Reset runs).
  ThreadPool& pool() { return pool_; }

  // Seed of the episode each env is currently in.
  std::span<const uint64_t> episode_seeds() const { return episode_seed_; }

 private:
  VecEnv(std::vector<std::unique_ptr<Env>> envs, int num_threads);
  void ResetEnv(int i);

  std::vector<std::unique_ptr<Env>> envs_;
  ThreadPool pool_;
  int obs_dim_, act_dim_;
  uint64_t seed_ = 0;
  std::vector<uint64_t> episode_count_, episode_seed_;
  std::vector<float> obs_, final_obs_, rewards_;
  std::vector<uint8_t> terminated_, truncated_;
  std::vector<StepInfo> infos_;
  std::vector<double> running_return_, episode_return_;
  std::vector<int> running_length_, episode_length_;
  std::vector<absl::Status> errors_;
  std::vector<EnvState> final_states_;
  bool keep_final_states_ = false;
};

}  // namespace irlab
