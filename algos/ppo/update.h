// One minibatch step of PPO at its arithmetic cost: the clipped surrogate and
// the value loss, with the actor-critic's forward and backward passes written
// out (algos/nn) instead of recorded by autograd. LibTorch's autograd over the
// same losses (losses.h) is the reference the tests hold it to. The epochs x
// minibatches around it are in train_expert.cc (PpoUpdate).
#pragma once

#include <cstdint>
#include <vector>

#include "algos/ppo/config.h"
#include "algos/ppo/networks.h"

namespace irlab {

class ThreadPool;

// One minibatch of M samples, row-major.
struct PpoMinibatch {
  int size = 0;                          // M
  const float* obs = nullptr;            // [M, obs] normalised observations
  const float* actions = nullptr;        // [M, act] as sampled
  const float* old_log_probs = nullptr;  // [M] log pi_old(a|s)
  const float* advantages = nullptr;     // [M] (normalised here when cfg.norm_adv)
  const float* returns = nullptr;        // [M] value targets
  const float* old_values = nullptr;     // [M] V_old(s)
};

// The terms of PPO's loss, as losses.h's PpoLoss defines them.
struct PpoLossTerms {
  double total = 0, policy = 0, value = 0, entropy = 0, approx_kl = 0, clip_frac = 0;
};

// Buffers of one minibatch step, reused across steps.
struct PpoScratch {
  nn::MlpScratch actor, critic;
  std::vector<float> d_mean, d_value, log_ratio, z;
};

// The loss of one minibatch and its gradient with respect to every parameter
// of `net`, written into grads [P]. With a pool of two or more threads the
// actor's and the critic's parts run on two of them; the result is the same
// bits either way.
PpoLossTerms PpoLossAndGradient(const ActorCritic& net, const PpoMinibatch& mb,
                                const PpoConfig& cfg, PpoScratch& scratch, float* grads,
                                ThreadPool* pool = nullptr);

}  // namespace irlab
