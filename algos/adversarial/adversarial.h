// `irlab train` and `irlab transfer`: the adversarial round is
// train_adversarial.cc, the transfer transfer.cc. No LibTorch here.
#pragma once

#include <cstdint>
#include <filesystem>

#include "absl/status/status.h"
#include "algos/adversarial/config.h"

namespace irlab {

// Trains cfg.algo against the demonstrations in cfg.demos_file into run_dir
// (or continues it when `resume`). Writes metrics, checkpoint.pt (policy, PPO
// state and the reward net), checkpoints/step_*.pt and eval.json with the
// normalised score (R - R_random) / (R_expert - R_random).
absl::Status TrainAdversarial(const AdversarialConfig& cfg, const std::filesystem::path& run_dir,
                              bool resume);

// Retrains PPO from scratch in task cfg.env on the frozen learned reward of
// `reward_run` (AIRL's g; GAIL's score; GAN-GCL's r) and reports the true return.
//
// With restarts > 1, PPO is trained `restarts` times, restart k with seed
// cfg.seed + kRestartSeedStride * k (restart 0 is the single run) into
// run_dir/restarts/restart-k, and the policy whose deterministic episodes score
// the highest *learned* return is kept: its checkpoint, metrics and evaluation
// are copied to run_dir, and eval.json lists every restart. Only the learned
// reward chooses; the true return is reported, never used. Re-optimising a
// reward is non-convex (PPO can stop in a local optimum the reward itself ranks
// lower), and restarts separate that from a reward that prefers the wrong thing.
inline constexpr int64_t kRestartSeedStride = 1000;
absl::Status TransferReward(const std::filesystem::path& reward_run, const PpoRunConfig& cfg,
                            const std::filesystem::path& run_dir, int restarts = 1);

}  // namespace irlab
