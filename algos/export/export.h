// irlab export: a run's policy, learned reward or AIRL potential as a
// TorchScript module that PyTorch (torch.jit.load) and LibTorch load without
// irlab. Each module has a real forward with the observation normalisation
// the run used, parameters named by layer (actor.fc0.weight, g.fc1.bias, ...),
// and its metadata twice: a `metadata` attribute (Dict[str, str]) and an
// extra file metadata.json (typed JSON: task, dims, action bounds, irlab
// version, config hash, ...).
//
//   policy     forward(obs [B, obs_dim]) -> mean action [B, act_dim] (unclipped;
//              the task clips to act_low..act_high); sample(obs, noise [B, act_dim])
//              -> mean + exp(log_std) * noise; value(obs) -> [B]
//   reward     forward(obs, act, next_obs, done) -> [B]: the reward transfer and
//              `irlab inspect --reward` use (AIRL: g(s) or g(s, a), unshaped;
//              GAIL/GAN-GCL: the discriminator's score of (s, a)); act is clipped
//              to the action range as the task applied it
//   potential  AIRL only: forward(obs) -> h(s) [B]; shaping(obs, next_obs, done) ->
//              gamma * (1 - done) * h(s') - h(s)
// No LibTorch in this header.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace irlab {

struct ExportSummary {
  std::filesystem::path checkpoint;  // the checkpoint exported
  std::string task;
  int obs_dim = 0, act_dim = 0;
  int64_t step = 0;  // env steps of that checkpoint
};

// Exports `what` ("policy", "reward" or "potential") of the run in `run_dir`
// (its checkpoint.pt, or with `step` the kept checkpoint at or before it) to
// `out`, written under a temporary name and renamed into place.
absl::StatusOr<ExportSummary> ExportRun(const std::filesystem::path& run_dir,
                                        std::optional<int64_t> step, const std::string& what,
                                        const std::filesystem::path& out);

}  // namespace irlab
