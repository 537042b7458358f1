// The discriminator's minibatches: expert transitions from the ExpertStore and
// policy transitions from the replay, normalised with the policy's observation
// statistics as the discriminator sees them, with log pi(a|s) under the
// current policy where AIRL's logits need it.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "algos/adversarial/policy_replay.h"
#include "algos/adversarial/reward_nets.h"
#include "algos/ppo/policy_state.h"
#include "core/rng.h"
#include "core/thread_pool.h"
#include "data/expert_store.h"

namespace irlab {

struct NormalizedBatch {
  std::vector<float> obs, next_obs;  // [n, obs_dim] normalised
  std::vector<float> act;            // [n, act_dim] as applied
  std::vector<float> done;           // [n] terminated
  std::vector<float> log_pi;         // [n] log pi(a|s), or empty
  nn::MlpScratch actor;              // the policy's pass for log pi, kept for the next batch
  TransitionBatch View() const;
};

// A policy's raw transitions, normalised (log pi from their sampled actions).
void NormalizeSamples(const PolicyState& policy, const PolicySamples& samples, bool need_log_pi,
                      NormalizedBatch& out);

// The generator's reward of a policy's raw samples (the rollout just
// collected) into rewards [n]: disc's GeneratorReward of them, normalised,
// with log pi of the sampled actions where AIRL needs it. With a pool of two
// threads the policy's log pi runs beside the discriminator's f (the same
// bits as on one thread). work holds the normalised samples and log pi
// afterwards (its act and done are left alone); its buffers are reused.
void RelabelSamples(const PolicyState& policy, const Discriminator& disc,
                    const PolicySamples& samples, float* rewards, ThreadPool* pool,
                    NormalizedBatch& work);

// `size` expert transitions drawn from the store (log pi of the expert's actions).
absl::Status SampleExpertBatch(int size, ExpertStore& store, const PolicyState& policy,
                               bool need_log_pi, NormalizedBatch& out);

// `size` policy transitions, each from a rollout drawn uniformly: the first
// history_fraction of them from the history (when there is one), the rest
// from the recent rollouts.
void SamplePolicyBatch(int size, double history_fraction, const PolicyReplay& replay,
                       const PolicyState& policy, bool need_log_pi, Rng& rng, NormalizedBatch& out);

}  // namespace irlab
