// Where each rollout of a training loop comes from. Synchronously, it is
// collected when asked for. With overlap (both cores busy), the next rollout
// is collected on a second thread while the caller updates the networks: a
// copy of the acting policy, taken when the collection starts, acts (so the
// rollout is one update behind), and the observation normaliser goes on
// learning in the copy and is handed back when the update ends.
//
//   collector.Next(ro);                          // collect (or take the prefetched one)
//   Rng& rng = collector.BeginUpdate(sync);      // with overlap: start the next one
//   Update(..., rng, collector.idle_threads());
//   collector.EndUpdate();                       // join it
#pragma once

#include <optional>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "algos/ppo/policy_state.h"
#include "algos/ppo/rollout.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "envs/vec_env.h"

namespace irlab {

class RolloutCollector {
 public:
  // Rollouts of T steps from every env of `vec`, acted by `policy` and drawn
  // from `rng` (the training Rng). The first observation acted on is vec's
  // current one, normalised with the policy as it is now. With
  // update_obs_norm the normaliser folds in every new observation.
  RolloutCollector(VecEnv& vec, PolicyState& policy, Rng& rng, int T, bool overlap,
                   bool update_obs_norm);
  ~RolloutCollector();
  RolloutCollector(const RolloutCollector&) = delete;
  RolloutCollector& operator=(const RolloutCollector&) = delete;

  // The next rollout into ro: the one collected during the last update, or one collected now.
  absl::Status Next(Rollout& ro);

  // Before the update. With overlap the next rollout starts collecting, unless
  // `synchronous` (before a checkpoint, which then holds no half-used
  // rollout, so resume is exact). Returns the Rng the update draws from: with
  // overlap a stream forked off the training Rng here, else the training Rng.
  Rng& BeginUpdate(bool synchronous);
  // The VecEnv's threads while no collection runs (the update may share its
  // steps with them), else null.
  ThreadPool* idle_threads() const { return collecting_ ? nullptr : &vec_.pool(); }
  // After the update: waits for the collection; its error, if any.
  absl::Status EndUpdate();

 private:
  VecEnv& vec_;
  PolicyState& policy_;
  Rng& rng_;
  const bool overlap_, update_obs_norm_;
  std::vector<float> current_obs_;  // [N, obs_dim] normalised, the next to act on
  Rng update_rng_;                  // with overlap: the update's stream

  // overlap only
  PolicyState acting_;  // the copy that acts during the update
  std::optional<Rollout> next_;
  std::thread thread_;
  absl::Status collected_;
  bool collecting_ = false, ready_ = false;
};

}  // namespace irlab
