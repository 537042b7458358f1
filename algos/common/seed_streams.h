// The independent random streams of a training run, each derived from the
// run's seed as Rng::DeriveSeed(seed, stream). The numbers are part of what a
// seed means: changing one changes every result of that seed.
#pragma once

#include <cstdint>

#include "core/rng.h"

namespace irlab {

enum class SeedStream : uint64_t {
  kNetworkInit = 1,     // the actor-critic's initial weights
  kTraining = 2,        // the training Rng: actions, minibatch order, replay draws
  kEnvReset = 3,        // the VecEnv's first reset
  kExpertEval = 4,      // PPO's final evaluation episodes (`irlab expert`, transfer)
  kExpertBatches = 21,  // the ExpertStore's draws for the discriminator
  kRandomPolicy = 22,   // the random policy's episodes (R_random)
  kRewardInit = 23,     // the discriminator's initial weights
  kEvaluation = 24,     // `irlab train`'s evaluation episodes
  kBcBatches = 25,      // the BC warm start's draws of demonstrations
};

inline uint64_t StreamSeed(int64_t seed, SeedStream stream) {
  return Rng::DeriveSeed(static_cast<uint64_t>(seed), static_cast<uint64_t>(stream));
}

}  // namespace irlab
