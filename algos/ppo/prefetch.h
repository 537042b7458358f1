// Both cores busy: the next rollout is collected on a second thread while the
// caller updates the networks. A copy of the acting policy, taken when the
// collection starts, acts (so the update may change the policy meanwhile: the
// rollout is one update behind); the observation normaliser goes on learning
// in the copy and is handed back when the collection is joined.
#pragma once

#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "algos/ppo/checkpoint.h"
#include "algos/ppo/rollout.h"

namespace irlab {

class RolloutPrefetcher {
 public:
  // For rollouts of T steps x N envs of `policy`'s network shape.
  RolloutPrefetcher(const PolicyState& policy, int T, int N);
  ~RolloutPrefetcher();

  // Starts collecting the next rollout from `vec` with `policy` as it is now,
  // drawing from rng and advancing current_obs. Until Join, the caller must
  // touch none of vec, rng and current_obs.
  void Start(VecEnv& vec, const PolicyState& policy, Rng& rng, bool update_obs_norm,
             std::vector<float>& current_obs);
  // Waits for the collection; the policy's normaliser becomes the copy's.
  // The collection's error, if any.
  absl::Status Join(PolicyState& policy);
  // A joined rollout is waiting; TakeInto swaps it into ro.
  bool ready() const { return ready_; }
  void TakeInto(Rollout& ro);

 private:
  PolicyState acting_;
  Rollout next_;
  std::thread collector_;
  absl::Status collected_;
  bool ready_ = false;
};

}  // namespace irlab
