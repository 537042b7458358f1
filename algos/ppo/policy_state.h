// What acting needs: the actor-critic and its observation normaliser. The
// policy/* entries of a checkpoint (checkpoint.h); Policy (policy.h) wraps one
// for commands that only act.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "algos/ppo/networks.h"
#include "algos/ppo/normalizer.h"

namespace irlab {

struct PolicyState {
  std::string env_name;
  std::vector<int> actor_hidden, critic_hidden;
  std::unique_ptr<ActorCritic> net;
  RunningMeanStd obs_rms;
  bool norm_obs = true;
  double obs_clip = 10.0;
};

// Normalises raw observations [n, obs_dim] with the policy's normaliser into
// out (copies when off); out may be raw itself.
void NormalizeObs(const PolicyState& policy, std::span<const float> raw, std::span<float> out);

}  // namespace irlab
