// PPO on a task's true reward: the `irlab expert` job. No LibTorch here.
#pragma once

#include <filesystem>
#include <functional>

#include "absl/status/status.h"
#include "algos/ppo/config.h"

namespace irlab {

struct Rollout;
// Replaces a rollout's rewards before they are scaled (e.g. with a learned reward).
using RewardRelabel = std::function<absl::Status(Rollout&)>;

// Trains from scratch, or continues the run in `run_dir` when `resume`
// (its checkpoint.pt must match cfg's task and network shape). Writes
// metrics.csv/jsonl, checkpoint.pt (newest), checkpoints/step_*.pt and
// eval.json into run_dir; the caller writes config.toml. With `relabel`, PPO
// optimises the rewards it writes instead of the task's (the true return is
// still what is logged and evaluated).
absl::Status TrainExpert(const ExpertConfig& cfg, const std::filesystem::path& run_dir, bool resume,
                         const RewardRelabel& relabel = {});

}  // namespace irlab
