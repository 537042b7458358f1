// ExpertStore: random minibatches of expert transitions for the
// discriminator, from a demonstration file of any size in bounded memory.
//
// In memory mode the selected transitions are loaded once and batches are
// drawn uniformly with replacement. In stream mode a background thread reads
// blocks of whole chunks in a shuffled order (reshuffled every pass) and a
// fixed-size shuffle pool is drawn from uniformly; after each batch the
// oldest batch_size / reuse pooled transitions are replaced by the next ones
// read. Which block arrives when depends only on the seed and the number of
// samples drawn, never on thread timing, so both modes are deterministic for
// a seed. Next observations are taken from the following row (at an episode's
// end from episodes/final_observation), so next_observations is never
// decoded: a block costs observations, actions and terminals only.
//
// Selection, applied in both modes (the GAIL protocol):
//   num_trajectories  N episodes: the first N (subset = "first") or N chosen
//                     by the seed ("random");
//   subsample         every k-th step of each kept episode, from an offset
//                     drawn uniformly in [0, min(k, length)) per episode.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/config.h"
#include "core/rng.h"
#include "data/demo_format.h"

namespace irlab {

struct ExpertStoreConfig {
  std::string mode = "auto";      // auto: memory if the selection fits memory_mib, else stream
  int64_t memory_mib = 256;       // bound on the store's buffers (pool, blocks, HDF5 caches)
  int num_trajectories = 0;       // keep N episodes; 0 keeps all
  std::string subset = "first";   // which N: "first" (as GAIL) or "random" (by the seed)
  int subsample = 1;              // keep every k-th step, random offset per episode (GAIL: 20)
  bool state_only = false;        // load no actions (state-only discriminators)
  bool next_observations = true;  // also load s' (AIRL's shaping term h(s'))
  double reuse = 1.0;             // stream: draws per pooled transition before it is replaced
  int prefetch_blocks = 2;        // stream: blocks the background thread reads ahead

  void Bind(ConfigBinder& b) {
    b.Field("mode", mode, "auto, memory or stream").OneOf({"auto", "memory", "stream"});
    b.Field("memory_mib", memory_mib, "memory bound of the store's buffers, MiB").Range(8, 1 << 20);
    b.Field("num_trajectories", num_trajectories, "expert episodes to use (0: all)").Min(0);
    b.Field("subset", subset, "which episodes: first or random").OneOf({"first", "random"});
    b.Field("subsample", subsample, "keep every k-th step (random offset per episode)")
        .Range(1, 1e6);
    b.Field("state_only", state_only, "serve no actions");
    b.Field("next_observations", next_observations, "serve next observations too");
    b.Field("reuse", reuse, "stream: draws per pooled transition before replacement")
        .Range(0.01, 1e6);
    b.Field("prefetch_blocks", prefetch_blocks, "stream: blocks read ahead").Range(1, 64);
  }
};

class ExpertStore {
 public:
  // Opens `path`. expected_obs_dim / expected_act_dim > 0 (the task's) make a
  // mismatching file an error. Stream mode fills the pool before returning.
  static absl::StatusOr<std::unique_ptr<ExpertStore>> Open(const std::filesystem::path& path,
                                                           const ExpertStoreConfig& config,
                                                           uint64_t seed, int expected_obs_dim = 0,
                                                           int expected_act_dim = 0);
  ~ExpertStore();
  ExpertStore(const ExpertStore&) = delete;
  ExpertStore& operator=(const ExpertStore&) = delete;

  // Draws batch_size transitions (uniformly, with replacement) into
  //   obs       [batch_size, obs_dim]
  //   act       [batch_size, act_dim]   (nullptr to skip; must be nullptr if state_only)
  //   next_obs  [batch_size, obs_dim]   (nullptr to skip; must be nullptr without
  //   next_observations) terminal  [batch_size]            1 where the task ended after the step
  //   (nullptr to skip)
  // Errors only for I/O failures of the stream (the file changed or broke).
  absl::Status Sample(int batch_size, float* obs, float* act, float* next_obs, uint8_t* terminal);

  // Where the draws have got to: with it, a store opened the same way (same
  // file, config and seed) continues exactly (checkpoints keep it).
  struct DrawState {
    Rng::State rng;             // which transitions the next batch takes
    int64_t batches = 0;        // Sample calls so far
    int64_t rows_refilled = 0;  // stream: pool rows replaced since Open
    double debt = 0.0;          // stream: the part of a row owed to the pool
  };
  DrawState draw_state() const;
  // Continues from `state` (a freshly opened store only). Stream mode seeks:
  // it refills the pool from the block holding its position on, reading none
  // of the blocks the draws had passed. An error for a state no store could
  // have reached.
  absl::Status RestoreDrawState(const DrawState& state);
  // Draws and drops `batches` batches of batch_size: how resume caught up
  // before checkpoints kept the DrawState.
  absl::Status Skip(int64_t batches, int batch_size);

  const DemoMetadata& metadata() const { return metadata_; }
  int obs_dim() const { return metadata_.obs_dim; }
  int act_dim() const { return metadata_.act_dim; }
  bool streaming() const { return streaming_; }
  // Transitions and episodes selected (after num_trajectories and subsample).
  int64_t size() const { return selected_rows_; }
  const std::vector<int64_t>& episode_indices() const { return episode_indices_; }
  // Mean and std of the selected episodes' returns (the R_expert of normalised scores).
  double mean_return() const { return mean_return_; }
  double std_return() const { return std_return_; }
  // Bytes of sample buffers the store holds (pool + blocks), <= memory_mib.
  int64_t buffer_bytes() const { return buffer_bytes_; }
  // Stream mode: blocks read from the file since Open, those read ahead
  // included; 0 in memory mode.
  int64_t blocks_read() const;

 private:
  struct Stream;
  ExpertStore() = default;

  // Rows [n, width] of the transitions held in memory (or the stream's pool).
  struct Rows {
    std::vector<float> obs, act, next_obs;
    std::vector<uint8_t> terminal;
    int64_t size = 0;
  };
  void Gather(const Rows& rows, int batch_size, float* obs, float* act, float* next_obs,
              uint8_t* terminal);

  DemoMetadata metadata_;
  ExpertStoreConfig config_;
  bool streaming_ = false;
  int64_t selected_rows_ = 0;
  std::vector<int64_t> episode_indices_;
  double mean_return_ = 0.0, std_return_ = 0.0;
  int64_t buffer_bytes_ = 0;
  Rows memory_;                     // memory mode: every selected transition
  std::unique_ptr<Stream> stream_;  // stream mode
  Rng draw_rng_;                    // which transitions a batch takes
  int64_t batches_ = 0;             // Sample calls so far
};

}  // namespace irlab
