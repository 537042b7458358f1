// A trained policy, loaded from a checkpoint, that acts on raw observations.
// No LibTorch in this header: commands and tools include it freely.
#pragma once

#include <filesystem>
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

struct EvalResult {
  std::vector<double> returns;
  std::vector<int> lengths;
  double mean_return = 0, std_return = 0, mean_length = 0;
};

// Runs `episodes` whole episodes of `policy` on `task` and reports the true
// returns. Episodes are seeded from `seed`, independent of the thread count.
absl::StatusOr<EvalResult> EvaluatePolicy(const Policy& policy, const std::string& task,
                                          const EnvOptions& options, int episodes,
                                          bool deterministic, uint64_t seed, int threads);
// The same for a policy held in memory by a trainer.
absl::StatusOr<EvalResult> EvaluatePolicy(const PolicyState& policy, const std::string& task,
                                          const EnvOptions& options, int episodes,
                                          bool deterministic, uint64_t seed, int threads);
// The return of actions drawn uniformly from the action range (R_random of
// normalised scores).
absl::StatusOr<EvalResult> EvaluateRandomPolicy(const std::string& task, const EnvOptions& options,
                                                int episodes, uint64_t seed, int threads);
// Acts with a policy state: see Policy::Act.
void ActWith(const PolicyState& policy, std::span<const float> obs, int n, bool deterministic, Rng& rng,
             std::span<float> actions);

}  // namespace irlab
