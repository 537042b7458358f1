#include "algos/adversarial/policy_replay.h"

#include <algorithm>

namespace irlab {

PolicySamples FromRollout(const Rollout& rollout, const EnvSpec& spec) {
  PolicySamples samples;
  samples.obs = rollout.raw_obs;
  samples.next_obs = rollout.raw_next_obs;
  samples.act_sampled = rollout.actions;
  samples.act = rollout.actions;
  for (size_t k = 0; k < samples.act.size(); ++k) {
    const int j = static_cast<int>(k % spec.act_dim);
    samples.act[k] = std::clamp<float>(samples.act[k], spec.act_low[j], spec.act_high[j]);
  }
  samples.done.assign(rollout.terminated.begin(), rollout.terminated.end());
  return samples;
}

}  // namespace irlab
