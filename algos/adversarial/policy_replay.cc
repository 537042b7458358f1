#include "algos/adversarial/policy_replay.h"

#include <algorithm>

namespace irlab {

PolicySamples FromRollout(const Rollout& ro, const EnvSpec& spec) {
  PolicySamples s;
  s.obs = ro.raw_obs;
  s.next_obs = ro.raw_next_obs;
  s.act_sampled = ro.actions;
  s.act = ro.actions;
  for (size_t k = 0; k < s.act.size(); ++k) {
    const int j = static_cast<int>(k % spec.act_dim);
    s.act[k] = std::clamp<float>(s.act[k], spec.act_low[j], spec.act_high[j]);
  }
  s.done.assign(ro.terminated.begin(), ro.terminated.end());
  return s;
}

}  // namespace irlab
