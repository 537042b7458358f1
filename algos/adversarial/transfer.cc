// `irlab transfer`: PPO from scratch on a frozen learned reward, in (possibly
// changed) dynamics; the true return there is what is reported.
#include "algos/adversarial/adversarial.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/ppo.h"
#include "algos/ppo/rollout.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/registry.h"

namespace irlab {

absl::Status TransferReward(const std::filesystem::path& reward_run, const ExpertConfig& cfg,
                            const std::filesystem::path& run_dir) {
  IRLAB_ASSIGN_OR_RETURN(LearnedReward reward, LoadLearnedReward(reward_run));
  IRLAB_ASSIGN_OR_RETURN(auto probe, MakeEnv(cfg.env, cfg.env_options));
  const EnvSpec& spec = probe->spec();
  IRLAB_RETURN_IF_ERROR(CheckRewardFits(reward, reward_run, cfg.env, spec.obs_dim, spec.act_dim));
  std::printf("transferring the %s reward learned on %s to %s\n", reward.config.algo.c_str(),
              reward.policy.env_name.c_str(), cfg.env.c_str());
  auto relabel = [&](Rollout& ro) -> absl::Status {
    const std::vector<float> r = ScoreTransitions(reward, ro.raw_obs, ro.actions, ro.raw_next_obs, ro.terminated,
                                                  spec.act_low, spec.act_high);
    std::copy(r.begin(), r.end(), ro.rewards.begin());
    return absl::OkStatus();
  };
  return TrainExpert(cfg, run_dir, false, relabel);
}

}  // namespace irlab
