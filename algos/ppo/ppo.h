// PPO on a task's true reward: the `irlab expert` job. No LibTorch here.
#pragma once

#include <filesystem>

#include "absl/status/status.h"
#include "algos/ppo/config.h"

namespace irlab {

// Trains from scratch, or continues the run in `run_dir` when `resume`
// (its checkpoint.pt must match cfg's task and network shape). Writes
// metrics.csv/jsonl, checkpoint.pt (newest), checkpoints/step_*.pt and
// eval.json into run_dir; the caller writes config.toml.
absl::Status TrainExpert(const ExpertConfig& cfg, const std::filesystem::path& run_dir, bool resume);

}  // namespace irlab
