// The policy samples the discriminator learns against: every rollout's raw
// transitions, the recent ones and, optionally, a reservoir of older ones, kept
// in the checkpoint (round_checkpoint.h) so that a resumed run draws what an
// uninterrupted one would.
#pragma once

#include <deque>
#include <vector>

#include "algos/adversarial/config.h"
#include "algos/ppo/rollout.h"
#include "core/reservoir.h"
#include "core/rng.h"
#include "envs/env.h"

namespace irlab {

// Raw policy transitions kept for the discriminator.
struct PolicySamples {
  std::vector<float> obs, next_obs;  // [n, obs_dim] raw
  std::vector<float> act;            // [n, act_dim] as applied (clipped)
  std::vector<float> act_sampled;    // [n, act_dim] as sampled (for log pi)
  std::vector<float> done;           // [n] terminated
};

// A rollout's transitions with the actions clipped to the task's range.
PolicySamples FromRollout(const Rollout& ro, const EnvSpec& spec);

// Where the discriminator's policy samples come from: the last `replay_rounds`
// rollouts and, with `history_rounds` > 0, a reservoir of rollouts from all of
// training (each rollout so far equally likely to be in it), so that the
// reward keeps being told apart from the old policies too, not only the
// current one.
struct PolicyReplay {
  explicit PolicyReplay(const DiscriminatorConfig& disc)
      : recent_rounds(disc.replay_rounds), history(static_cast<size_t>(disc.history_rounds)) {}

  int recent_rounds;
  std::deque<PolicySamples> recent;
  Reservoir<PolicySamples> history;

  const PolicySamples& latest() const { return recent.back(); }

  void Add(PolicySamples s, Rng& rng) {
    history.Offer(s, rng);
    recent.push_back(std::move(s));
    while (static_cast<int>(recent.size()) > recent_rounds) recent.pop_front();
  }
};

}  // namespace irlab
