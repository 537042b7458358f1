// `irlab train` and `irlab transfer`. No LibTorch here.
#pragma once

#include <filesystem>

#include "absl/status/status.h"
#include "algos/adversarial/config.h"

namespace irlab {

// Trains cfg.algo against the demonstrations in cfg.demos_file into run_dir
// (or continues it when `resume`). Writes metrics, checkpoint.pt (policy, PPO
// state and the reward net), checkpoints/step_*.pt and eval.json with the
// normalised score (R - R_random) / (R_expert - R_random).
absl::Status TrainAdversarial(const AdversarialConfig& cfg, const std::filesystem::path& run_dir, bool resume);

// Retrains PPO from scratch in task cfg.env on the frozen learned reward of
// `reward_run` (AIRL's g; GAIL's score; GAN-GCL's r) and reports the true return.
absl::Status TransferReward(const std::filesystem::path& reward_run, const ExpertConfig& cfg,
                            const std::filesystem::path& run_dir);

}  // namespace irlab
