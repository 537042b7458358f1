// The irlab demonstration file: one HDF5 file of expert transitions, flat
// (D4RL style) for fast random access, with an episode table and the raw
// MuJoCo state of every step for exact replay. Plain HDF5 types only, every
// dataset chunked (16 KiB - 512 KiB chunks) with shuffle + deflate +
// Fletcher-32, so h5py, MATLAB or HDFView read it without irlab.
//
//   /                        root attributes (kAttr* below)
//   /observations            float32 [N, obs_dim]  obs the action was taken in
//   /actions                 float32 [N, act_dim]
//   /rewards                 float32 [N]
//   /next_observations       float32 [N, obs_dim]  obs after the step
//   /terminals               uint8   [N]  1: the task ended at this step
//   /timeouts                uint8   [N]  1: the time limit ended the episode here
//   /episode_ids             int64   [N]  episode of each transition (0-based)
//   /infos/qpos              float64 [N, nq]  state before the step (when nq > 0)
//   /infos/qvel              float64 [N, nv]
//   /episodes/start          int64   [E]  first transition of each episode
//   /episodes/length         int64   [E]
//   /episodes/return         float64 [E]  sum of the episode's rewards
//   /episodes/seed           uint64  [E]  reset seed (0 when unknown)
//   /episodes/final_observation float32 [E, obs_dim]  next obs of the last step
//   /episodes/final_qpos     float64 [E, nq]  state after the last step (optional)
//   /episodes/final_qvel     float64 [E, nv]
//
// Episodes are stored back to back: episode e is rows [start[e], start[e] +
// length[e]); its last row has terminals or timeouts set, no other row does,
// and next_observations[t] == observations[t + 1] inside an episode (so
// readers may take next obs from observations and final_observation).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab {

inline constexpr char kDemoFormatName[] = "irlab-demos";
// Bumped on any change a reader must know about.
inline constexpr int64_t kDemoFormatVersion = 1;

namespace demo_keys {
inline constexpr char kObservations[] = "observations";
inline constexpr char kActions[] = "actions";
inline constexpr char kRewards[] = "rewards";
inline constexpr char kNextObservations[] = "next_observations";
inline constexpr char kTerminals[] = "terminals";
inline constexpr char kTimeouts[] = "timeouts";
inline constexpr char kEpisodeIds[] = "episode_ids";
inline constexpr char kQpos[] = "infos/qpos";
inline constexpr char kQvel[] = "infos/qvel";
inline constexpr char kEpisodeStart[] = "episodes/start";
inline constexpr char kEpisodeLength[] = "episodes/length";
inline constexpr char kEpisodeReturn[] = "episodes/return";
inline constexpr char kEpisodeSeed[] = "episodes/seed";
inline constexpr char kEpisodeFinalObservation[] = "episodes/final_observation";
inline constexpr char kEpisodeFinalQpos[] = "episodes/final_qpos";
inline constexpr char kEpisodeFinalQvel[] = "episodes/final_qvel";

// Root attributes (strings are fixed-width, integers int64, reals float64).
inline constexpr char kAttrFormat[] = "format";                 // kDemoFormatName
inline constexpr char kAttrFormatVersion[] = "format_version";  // kDemoFormatVersion
inline constexpr char kAttrTask[] = "task";                     // irlab task name
inline constexpr char kAttrObsDim[] = "obs_dim";
inline constexpr char kAttrActDim[] = "act_dim";
inline constexpr char kAttrNq[] = "nq";
inline constexpr char kAttrNv[] = "nv";
inline constexpr char kAttrDt[] = "dt";                   // seconds per env step
inline constexpr char kAttrHorizon[] = "horizon";         // steps before truncation
inline constexpr char kAttrActLow[] = "act_low";          // float64 [act_dim]
inline constexpr char kAttrActHigh[] = "act_high";        // float64 [act_dim]
inline constexpr char kAttrEnvOptions[] = "env_options";  // TOML of the task options used
inline constexpr char kAttrPolicyRun[] = "policy_run";    // run that produced the policy
inline constexpr char kAttrConfigHash[] = "config_hash";  // that run's config hash (hex)
inline constexpr char kAttrSource[] = "source";           // how the file was made
inline constexpr char kAttrCreated[] = "created";         // ISO 8601 UTC
inline constexpr char kAttrIrlabVersion[] = "irlab_version";
inline constexpr char kAttrNumTransitions[] = "num_transitions";
inline constexpr char kAttrNumEpisodes[] = "num_episodes";
}  // namespace demo_keys

// The layouts irlab reads and writes.
enum class DemoLayout {
  kIrlab,   // the format above
  kMinari,  // Farama Minari: one group episode_{id} per episode (observations T + 1 rows)
  kD4rl,    // D4RL: flat observations / actions / rewards / terminals / timeouts (+ infos/)
};
absl::StatusOr<DemoLayout> ParseDemoLayout(std::string_view name);
std::string_view DemoLayoutName(DemoLayout layout);

// What a file says about itself (its root attributes).
struct DemoMetadata {
  std::string task;                       // task name, as `irlab envs` lists it
  int obs_dim = 0;                        // observation size
  int act_dim = 0;                        // action size
  int nq = 0, nv = 0;                     // raw state sizes; 0: no infos/qpos, infos/qvel
  double dt = 0.0;                        // seconds per env step (0 if unknown)
  int horizon = 0;                        // steps before truncation (0 if unknown)
  std::vector<double> act_low, act_high;  // [act_dim] action range (empty if unknown)
  std::string env_options;                // TOML of the EnvOptions used ("" for defaults)
  std::string policy_run;                 // run directory of the expert ("" if not irlab)
  std::string config_hash;                // hex hash of that run's resolved config
  std::string source;                     // e.g. "irlab collect", "convert from minari: x"
  // Filled in by the writer (and read back):
  std::string created;        // ISO 8601 UTC creation time
  std::string irlab_version;  // the irlab that wrote the file
  int64_t format_version = kDemoFormatVersion;
};

// The episode table: row e describes episode e.
struct EpisodeTable {
  std::vector<int64_t> start;   // [E] first transition
  std::vector<int64_t> length;  // [E] steps
  std::vector<double> ret;      // [E] undiscounted return
  std::vector<uint64_t> seed;   // [E] reset seed, 0 when unknown
  int64_t size() const { return static_cast<int64_t>(start.size()); }
};

// The irlab version string compiled in ("0.1.0").
std::string_view IrlabVersion();

}  // namespace irlab
