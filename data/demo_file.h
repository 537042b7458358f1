// DemoFile: a demonstration file opened for reading. Open() checks the
// structure (every dataset present with the right type, rank and shape,
// lengths and the episode table consistent, sizes from attributes against the
// datasets' real extents before anything is sized from them), reads the
// attributes and the episode table, and then, unless told not to, runs
// Validate(): every value checked in bounded memory, so that no reader works
// on a file `irlab inspect` would refuse. Errors name the file and the dataset.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "data/demo_format.h"

namespace irlab {

// The per-transition datasets.
enum class DemoField {
  kObservations,      // float  [N, obs_dim]
  kActions,           // float  [N, act_dim]
  kRewards,           // float  [N]
  kNextObservations,  // float  [N, obs_dim]
  kTerminals,         // uint8  [N]
  kTimeouts,          // uint8  [N]
  kEpisodeIds,        // int64  [N]
  kQpos,              // double [N, nq]
  kQvel,              // double [N, nv]
};
inline constexpr int kNumDemoFields = 9;
std::string_view DemoFieldName(DemoField field);

struct DemoOpenOptions {
  int expected_obs_dim = 0;      // > 0: an error unless observations have this width (the task's)
  int expected_act_dim = 0;      // > 0: likewise for actions
  size_t chunk_cache_bytes = 0;  // HDF5 chunk cache per dataset (0: HDF5's default, 1 MiB)
  bool validate = true;          // run Validate() before returning (false: the caller runs it,
                                 // e.g. with progress, or only needs the structure)
};

class DemoFile {
 public:
  static absl::StatusOr<std::unique_ptr<DemoFile>> Open(const std::filesystem::path& path,
                                                        const DemoOpenOptions& options = {});
  ~DemoFile();
  DemoFile(const DemoFile&) = delete;
  DemoFile& operator=(const DemoFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const DemoMetadata& metadata() const { return metadata_; }
  const EpisodeTable& episodes() const { return episodes_; }
  int64_t num_transitions() const { return num_transitions_; }
  int64_t num_episodes() const { return episodes_.size(); }
  bool has_state() const { return metadata_.nq > 0; }
  bool has_final_state() const { return has_final_state_; }
  // Values per row of a field (obs_dim, act_dim, 1, nq, ...).
  int64_t width(DemoField field) const;
  // Rows per chunk of `field` in the file (0 if it is not chunked).
  int64_t chunk_rows(DemoField field) const;

  // Reads rows [begin, begin + count) of a field into `out` ([count, width]).
  // The element type must be the field's (float, uint8_t, int64_t, double).
  absl::Status Read(DemoField field, int64_t begin, int64_t count, std::span<float> out) const;
  absl::Status Read(DemoField field, int64_t begin, int64_t count, std::span<uint8_t> out) const;
  absl::Status Read(DemoField field, int64_t begin, int64_t count, std::span<int64_t> out) const;
  absl::Status Read(DemoField field, int64_t begin, int64_t count, std::span<double> out) const;
  // The next observation of each episode's last step: [E, obs_dim].
  absl::Status ReadFinalObservations(std::span<float> out) const;
  // The state after each episode's last step: [E, nq], [E, nv] (has_final_state() only).
  absl::Status ReadFinalState(std::span<double> final_qpos, std::span<double> final_qvel) const;

  // Reads every value once, in blocks of at most ~16 MiB, and checks: all
  // finite; flags 0/1 and set exactly on episode ends; episode ids match the
  // table; next_observations[t] == observations[t + 1] inside episodes and
  // == final_observation at their ends; each return equals the sum of its
  // rewards. `progress` gets rows checked so far.
  absl::Status Validate(const std::function<void(int64_t rows_done)>& progress = nullptr) const;

 private:
  struct Impl;
  DemoFile();
  absl::Status CheckStructure(const DemoOpenOptions& options);
  absl::Status ReadEpisodeTable();
  absl::Status ReadField(DemoField field, int64_t begin, int64_t count, void* out, size_t out_size,
                         size_t element_size) const;

  std::filesystem::path path_;
  DemoMetadata metadata_;
  EpisodeTable episodes_;
  int64_t num_transitions_ = 0;
  int64_t num_episodes_attribute_ = 0;  // the attribute, until the table is read
  bool has_final_state_ = false;
  std::unique_ptr<Impl> impl_;
};

}  // namespace irlab
