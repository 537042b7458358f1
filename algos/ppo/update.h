// The PPO update at its arithmetic cost: epochs x minibatches of the clipped
// surrogate, with the actor-critic's forward and backward passes written out
// (algos/nn) instead of recorded by autograd. LibTorch's autograd over the
// same losses (losses.h) is the reference the tests hold it to.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "algos/ppo/config.h"
#include "algos/ppo/networks.h"
#include "core/rng.h"

namespace irlab {

struct Rollout;
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

struct UpdateStats {
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_frac = 0, grad_norm = 0;
  double explained_variance = 0;
  int updates = 0;
};

// Epochs x minibatches of PPO on ro (advantages and returns filled): per
// epoch a permutation from rng, then per minibatch the loss and gradient, the
// global-norm clip and an Adam step. An error if a loss is not finite
// (nothing is then changed further). pool: idle threads to share each
// minibatch step with (see PpoLossAndGradient), or none.
absl::StatusOr<UpdateStats> PpoUpdate(ActorCritic& net, FlatAdam& adam, const Rollout& ro,
                                      const PpoConfig& cfg, double lr, Rng& rng,
                                      ThreadPool* pool = nullptr);

}  // namespace irlab
