// Conversion between irlab demonstration files and the Python ecosystem's
// layouts, episode by episode (memory bounded by the longest episode):
//
// Minari (Farama): an HDF5 file (main_data.hdf5, alone or in a dataset folder
//   <dir>/data/main_data.hdf5 beside metadata.json) with one group per episode
//     episode_{id}/observations   [T + 1, obs_dim]  (first obs .. final obs)
//     episode_{id}/actions        [T, act_dim]
//     episode_{id}/rewards        [T]
//     episode_{id}/terminations   [T] bool
//     episode_{id}/truncations    [T] bool
//     episode_{id}/infos/qpos     [T + 1, nq] (optional; [T, nq] accepted)
//     episode_{id}/infos/qvel     [T + 1, nv]
//   and attributes id, seed, total_steps on each group.
// D4RL: flat datasets observations, actions, rewards, terminals, timeouts
//   (bool), optional next_observations and infos/qpos, infos/qvel; episodes
//   end where terminals or timeouts is set.
//
// Exports carry irlab's root attributes (task, sizes, provenance) so a round
// trip needs no --env; foreign files need the task given. Reading D4RL data
// without next_observations drops each episode's last step (its next obs is
// unknown); rows after the last flag become a truncated episode. Both are
// reported in the notes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/demo_format.h"

namespace irlab {

struct ConvertOptions {
  bool overwrite = false;  // replace an existing output
  // The task the data belongs to (from --env): its name and spec. Required
  // when the input carries no irlab task attributes; when given, the data's
  // sizes must match it.
  std::optional<DemoMetadata> task;
  // Minari folder output: the dataset id written to metadata.json ("" derives
  // "<task>-irlab-v0").
  std::string minari_dataset_id;
};

struct ConvertSummary {
  int64_t episodes = 0, transitions = 0;
  std::vector<std::string> notes;  // lossy or surprising steps taken
};

// Reads `in` in layout `from` and writes `out` in layout `to` (through a
// temporary name). A Minari output path ending in .h5 / .hdf5 is a single
// file; any other is a Minari dataset folder (data/main_data.hdf5 and
// data/metadata.json). The input is only read.
absl::StatusOr<ConvertSummary> ConvertDemos(DemoLayout from, const std::filesystem::path& in,
                                            DemoLayout to, const std::filesystem::path& out,
                                            const ConvertOptions& options);

}  // namespace irlab
