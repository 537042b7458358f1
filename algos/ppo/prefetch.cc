#include "algos/ppo/prefetch.h"

namespace irlab {

RolloutPrefetcher::RolloutPrefetcher(const PolicyState& policy, int T, int N)
    : next_(T, N, policy.net->obs_dim(), policy.net->act_dim()) {
  acting_.net = std::make_unique<ActorCritic>(policy.net->obs_dim(), policy.net->act_dim(),
                                              policy.actor_hidden, policy.critic_hidden, 0.0, 0);
  acting_.norm_obs = policy.norm_obs;
  acting_.obs_clip = policy.obs_clip;
}

RolloutPrefetcher::~RolloutPrefetcher() {
  if (collector_.joinable()) collector_.join();
}

void RolloutPrefetcher::Start(VecEnv& vec, const PolicyState& policy, Rng& rng,
                              bool update_obs_norm, std::vector<float>& current_obs) {
  std::copy_n(policy.net->params(), policy.net->num_params(), acting_.net->params());
  acting_.obs_rms = policy.obs_rms;
  ready_ = false;
  collector_ = std::thread([&, update_obs_norm] {
    collected_ = CollectRollout(vec, acting_, rng, update_obs_norm, current_obs, next_);
  });
}

absl::Status RolloutPrefetcher::Join(PolicyState& policy) {
  collector_.join();
  policy.obs_rms = acting_.obs_rms;
  ready_ = collected_.ok();
  return collected_;
}

void RolloutPrefetcher::TakeInto(Rollout& ro) {
  std::swap(ro, next_);
  ready_ = false;
}

}  // namespace irlab
