// A trained policy, loaded from a checkpoint, that acts on raw observations.
// No LibTorch in this header: commands and tools include it freely.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/rng.h"
#include "envs/options.h"

namespace irlab {

struct PolicyState;

class Policy {
 public:
  // From a run directory (its checkpoint.pt) or a checkpoint file.
  static absl::StatusOr<std::unique_ptr<Policy>> Load(const std::filesystem::path& run_or_file);
  explicit Policy(std::unique_ptr<PolicyState> state);
  ~Policy();

  const std::string& env_name() const;
  int obs_dim() const;
  int act_dim() const;

  // Actions [n, act_dim] for raw observations [n, obs_dim]: the Gaussian's
  // mean when deterministic, a sample from it otherwise (unclipped; envs clip).
  void Act(std::span<const float> obs, int n, bool deterministic, Rng& rng,
           std::span<float> actions) const;

  const PolicyState& state() const { return *state_; }

 private:
  std::unique_ptr<PolicyState> state_;
};

// A second reward for the steps of an evaluation (e.g. a learned one): from the
// observations acted on [n, obs_dim], the actions [n, act_dim] (unclipped), the
// observations reached [n, obs_dim] (where an episode ended, the one it ended
// in) and terminated [n], it writes rewards [n].
using TransitionScorer = std::function<void(
    std::span<const float> obs, std::span<const float> actions, std::span<const float> next_obs,
    std::span<const uint8_t> terminated, std::span<float> rewards)>;

struct EvalResult {
  std::vector<double> returns;
  std::vector<int> lengths;
  double mean_return = 0, std_return = 0, mean_length = 0;
  // With a TransitionScorer: each episode's sum of its rewards, and their mean.
  std::vector<double> scored_returns;
  double mean_scored_return = 0;
};

// Runs `episodes` whole episodes of `policy` (a trainer's, or a loaded
// Policy's state()) on `task` and reports the true returns (and, with `score`,
// the scored ones). Episodes are seeded from `seed`, independent of the
// thread count.
absl::StatusOr<EvalResult> EvaluatePolicy(const PolicyState& policy, const std::string& task,
                                          const EnvOptions& options, int episodes,
                                          bool deterministic, uint64_t seed, int threads,
                                          const TransitionScorer& score = {});
// The return of actions drawn uniformly from the action range (R_random of
// normalised scores).
absl::StatusOr<EvalResult> EvaluateRandomPolicy(const std::string& task, const EnvOptions& options,
                                                int episodes, uint64_t seed, int threads);
// Acts with a policy state: see Policy::Act.
void ActWith(const PolicyState& policy, std::span<const float> obs, int n, bool deterministic,
             Rng& rng, std::span<float> actions);

}  // namespace irlab
