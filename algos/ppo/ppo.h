// PPO on a task's true reward: the `irlab expert` job (the loop is
// train_expert.cc), and the update it shares with the adversarial round. No
// LibTorch here.
#pragma once

#include <filesystem>
#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "algos/ppo/config.h"
#include "core/rng.h"

namespace irlab {

class ActorCritic;
struct FlatAdam;
struct Rollout;
class ThreadPool;

// Replaces a rollout's rewards before they are scaled (e.g. with a learned reward).
using RewardRelabel = std::function<absl::Status(Rollout&)>;

// Trains from scratch, or continues the run in `run_dir` when `resume`
// (its checkpoint.pt must match cfg's task and network shape). Writes
// metrics.csv/jsonl, checkpoint.pt (newest), checkpoints/step_*.pt and
// eval.json into run_dir; the caller writes config.toml. With `relabel`, PPO
// optimises the rewards it writes instead of the task's (the true return is
// still what is logged and evaluated).
absl::Status TrainExpert(const PpoRunConfig& cfg, const std::filesystem::path& run_dir, bool resume,
                         const RewardRelabel& relabel = {});

struct UpdateStats {
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_frac = 0, grad_norm = 0;
  double explained_variance = 0;
  int updates = 0;
};

// Epochs x minibatches of PPO on ro (advantages and returns filled): per
// epoch a permutation from rng, then per minibatch the loss and gradient
// (update.h), the global-norm clip and an Adam step. An error if a loss is not
// finite (nothing is then changed further). threads: idle threads to share
// each minibatch step with, or none.
absl::StatusOr<UpdateStats> PpoUpdate(ActorCritic& net, FlatAdam& adam, const Rollout& ro,
                                      const PpoConfig& cfg, double lr, Rng& rng,
                                      ThreadPool* threads = nullptr);

}  // namespace irlab
