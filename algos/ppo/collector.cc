#include "algos/ppo/collector.h"

namespace irlab {

RolloutCollector::RolloutCollector(VecEnv& vec, PolicyState& policy, Rng& rng, int T, bool overlap,
                                   bool update_obs_norm)
    : vec_(vec),
      policy_(policy),
      rng_(rng),
      overlap_(overlap),
      update_obs_norm_(update_obs_norm),
      current_obs_(size_t(vec.num_envs()) * vec.spec().obs_dim) {
  NormalizeObs(policy, vec.obs(), current_obs_);
  if (overlap) {
    const ActorCritic& net = *policy.net;
    acting_.net = std::make_unique<ActorCritic>(net.obs_dim(), net.act_dim(), policy.actor_hidden,
                                                policy.critic_hidden, 0.0, 0);
    acting_.norm_obs = policy.norm_obs;
    acting_.obs_clip = policy.obs_clip;
    next_.emplace(T, vec.num_envs(), net.obs_dim(), net.act_dim());
  }
}

RolloutCollector::~RolloutCollector() {
  if (thread_.joinable()) thread_.join();
}

absl::Status RolloutCollector::Next(Rollout& ro) {
  if (ready_) {
    std::swap(ro, *next_);
    ready_ = false;
    return absl::OkStatus();
  }
  return CollectRollout(vec_, policy_, rng_, update_obs_norm_, current_obs_, ro);
}

Rng& RolloutCollector::BeginUpdate(bool synchronous) {
  if (!overlap_) return rng_;
  // the update's stream is forked first: the collection draws from rng_ after it
  update_rng_ = Rng(rng_.NextU64());
  if (!synchronous) {
    std::copy_n(policy_.net->params(), policy_.net->num_params(), acting_.net->params());
    acting_.obs_rms = policy_.obs_rms;
    collecting_ = true;
    thread_ = std::thread([this] {
      collected_ = CollectRollout(vec_, acting_, rng_, update_obs_norm_, current_obs_, *next_);
    });
  }
  return update_rng_;
}

absl::Status RolloutCollector::EndUpdate() {
  if (!collecting_) return absl::OkStatus();
  thread_.join();
  collecting_ = false;
  policy_.obs_rms = acting_.obs_rms;
  ready_ = collected_.ok();
  return collected_;
}

}  // namespace irlab
