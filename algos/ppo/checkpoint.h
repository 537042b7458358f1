// PPO checkpoints: one LibTorch archive with three groups of entries.
//   policy/*  what acting needs: task name, dims, layer widths, parameters,
//             observation normaliser (read by eval, collect, replay)
//   ppo/*     optimiser moments and step, reward scaler
//   run/*     resolved config, counters, RNG, and the VecEnv's state, so a
//             resumed run continues exactly where it stopped
// Written to a temporary file and renamed into place.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "algos/ppo/train_state.h"

namespace irlab {

// Extra sections other trainers keep in the same file (e.g. a discriminator),
// so the whole state is written and renamed at once.
using CheckpointWriter = std::function<void(torch::serialize::OutputArchive&)>;
using CheckpointReader = std::function<absl::Status(torch::serialize::InputArchive&)>;

absl::Status SavePpoCheckpoint(const std::filesystem::path& path, const PpoTrainState& state,
                               const CheckpointWriter& extra = {});
// Loads a whole training state (for --resume).
absl::StatusOr<PpoTrainState> LoadPpoCheckpoint(const std::filesystem::path& path,
                                                const CheckpointReader& extra = {});
// Whether every element a loaded tensor's sizes and strides address lies in
// its storage: an archive whose CRC-32s match can still pair a size with a
// smaller data record (a consistent but wrong file), and reading it would run
// past the buffer. Every tensor read from a checkpoint is checked.
bool TensorFitsStorage(const torch::Tensor& t);

// Opens a checkpoint archive for reading other sections; errors name the file.
absl::Status OpenCheckpoint(const std::filesystem::path& path,
                            torch::serialize::InputArchive& archive);
// Loads only the policy/* entries (for acting).
absl::StatusOr<PolicyState> LoadPolicy(const std::filesystem::path& path);

// For an error that stops a run: "the last good checkpoint is <path>" when
// `checkpoint` exists and passes its CRC-32 check, else what is wrong with it
// ("no checkpoint was saved yet", or that it is damaged).
std::string LastGoodCheckpoint(const std::filesystem::path& checkpoint);

// The error of a step that ends a run (a non-finite loss, a failed metrics
// write): why, at which env step, and the last good checkpoint. Keeps why's code.
absl::Status RunStopped(const absl::Status& why, int64_t step,
                        const std::filesystem::path& checkpoint);

// The newest checkpoint of a run directory (run/checkpoint.pt), or `path`
// itself when it names a file.
std::filesystem::path CheckpointPath(const std::filesystem::path& run_or_file);

// Keeps a copy of a run's `checkpoint` as checkpoints/step_<step>.pt beside
// it, written through a temporary file: a full disk or a directory made
// read-only leaves no half copy under that name. The error names the copy.
absl::Status KeepCheckpointCopy(const std::filesystem::path& checkpoint, int64_t step);

// The run's kept checkpoint (checkpoints/step_N.pt, one per checkpoint_every)
// with the largest N <= step; the error names the run and the steps it has.
absl::StatusOr<std::filesystem::path> CheckpointAtStep(const std::filesystem::path& run_dir,
                                                       int64_t step);

}  // namespace irlab
