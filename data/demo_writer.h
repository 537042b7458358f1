// DemoWriter: appends finished episodes to a demonstration file. It writes
// under a temporary sibling name and renames to the final path only in
// Close(), so an interrupted run never leaves a half file under that name.
//
//   Episode ep;                       // reused across episodes
//   ep.AddStep(obs, action, reward, next_obs, terminated, truncated, qpos, qvel);
//   ...                               // until the episode ends
//   ep.seed = episode_seed;
//   IRLAB_RETURN_IF_ERROR(writer->Append(ep));
//   ep.Clear();
//   ...
//   IRLAB_RETURN_IF_ERROR(writer->Close());
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "data/demo_format.h"

namespace irlab {

// One finished episode of T steps, row-major.
struct Episode {
  std::vector<float> observations;       // [T, obs_dim] obs each action was taken in
  std::vector<float> actions;            // [T, act_dim] actions applied
  std::vector<float> rewards;            // [T]
  std::vector<float> next_observations;  // [T, obs_dim] obs after each step
  std::vector<uint8_t> terminals;        // [T] 1 where the task ended (last step only)
  std::vector<uint8_t> timeouts;         // [T] 1 where the time limit ended it (last step only)
  std::vector<double> qpos;              // [T, nq] raw state before each step (nq = 0: empty)
  std::vector<double> qvel;              // [T, nv]
  std::vector<double> final_qpos;        // [nq] state after the last step; empty if unknown
  std::vector<double> final_qvel;        // [nv]
  uint64_t seed = 0;                     // the episode's reset seed (0 if unknown)

  int64_t length() const { return static_cast<int64_t>(rewards.size()); }
  void Clear();
  // Appends one step; the spans are [obs_dim], [act_dim], [obs_dim], [nq], [nv].
  void AddStep(std::span<const float> obs, std::span<const float> action, float reward,
               std::span<const float> next_obs, bool terminal, bool timeout,
               std::span<const double> step_qpos = {}, std::span<const double> step_qvel = {});
};

struct DemoWriterOptions {
  bool overwrite = false;                  // replace an existing file at the path
  DemoLayout layout = DemoLayout::kIrlab;  // kIrlab or kD4rl (Minari: see convert.h)
};

class DemoWriter {
 public:
  // Starts a file for `path` (written to a temporary sibling). Errors: the
  // path is a directory, exists without `overwrite`, or its folder is missing.
  static absl::StatusOr<std::unique_ptr<DemoWriter>> Create(const std::filesystem::path& path,
                                                            DemoMetadata metadata,
                                                            const DemoWriterOptions& options = {});
  // Without a successful Close() the temporary file is removed.
  ~DemoWriter();
  DemoWriter(const DemoWriter&) = delete;
  DemoWriter& operator=(const DemoWriter&) = delete;

  // Checks and appends one episode: sizes match the metadata, values are
  // finite, the flags are 0/1 and set on the last step only, next obs follow
  // on. The episode's return is the sum of its rewards. On error nothing is
  // written.
  absl::Status Append(const Episode& episode);

  // Writes the episode table and attributes, flushes, and renames the file
  // into place. An error if no episode was appended.
  absl::Status Close();

  const DemoMetadata& metadata() const { return metadata_; }
  int64_t num_episodes() const { return table_.size(); }
  int64_t num_transitions() const { return num_transitions_; }
  const std::filesystem::path& temp_path() const { return temp_path_; }

 private:
  struct Impl;
  DemoWriter(std::filesystem::path path, DemoMetadata metadata, const DemoWriterOptions& options);
  absl::Status CheckEpisode(const Episode& episode) const;
  absl::Status WriteEpisode(const Episode& episode);
  absl::Status Finish();
  void Abandon();

  std::filesystem::path path_, temp_path_;
  DemoMetadata metadata_;
  DemoWriterOptions options_;
  std::unique_ptr<Impl> impl_;  // open HDF5 objects
  EpisodeTable table_;
  std::vector<float> final_obs_;                 // [E, obs_dim]
  std::vector<double> final_qpos_, final_qvel_;  // [E, nq], [E, nv] when every episode has them
  bool has_final_state_ = false;
  int64_t num_transitions_ = 0;
  bool failed_ = false, closed_ = false;
};

// Checks that `next_obs` rows continue `obs` inside an episode and that the
// arrays are finite; shared with converters. `where` prefixes messages.
absl::Status CheckEpisodeArrays(const DemoMetadata& metadata, const Episode& episode,
                                std::string_view where);

}  // namespace irlab
