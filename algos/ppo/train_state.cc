#include "algos/ppo/train_state.h"

#include "algos/common/seed_streams.h"
#include "core/strings.h"

namespace irlab {

void NormalizeObs(const PolicyState& p, std::span<const float> raw, std::span<float> out) {
  if (p.norm_obs) {
    p.obs_rms.Normalize(raw, out, p.obs_clip);
  } else if (raw.data() != out.data()) {
    std::copy(raw.begin(), raw.end(), out.begin());
  }
}

PpoTrainState NewPpoState(const std::string& env, const PpoConfig& cfg, VecEnv& vec,
                          uint64_t seed) {
  const int obs_dim = vec.spec().obs_dim, act_dim = vec.spec().act_dim, n = vec.num_envs();
  PpoTrainState state;
  state.policy.env_name = env;
  state.policy.actor_hidden = cfg.actor_hidden;
  state.policy.critic_hidden = cfg.critic_hidden;
  state.policy.net =
      std::make_unique<ActorCritic>(obs_dim, act_dim, cfg.actor_hidden, cfg.critic_hidden,
                                    cfg.log_std_init, StreamSeed(seed, SeedStream::kNetworkInit));
  state.policy.obs_rms = RunningMeanStd(obs_dim);
  state.policy.norm_obs = cfg.norm_obs;
  state.policy.obs_clip = cfg.obs_clip;
  state.adam = std::make_unique<FlatAdam>(state.policy.net->flat_params().numel(), cfg.adam_eps);
  state.reward_scaler = RewardScaler(n, cfg.gamma);
  state.rng.Seed(StreamSeed(seed, SeedStream::kTraining));
  vec.Reset(StreamSeed(seed, SeedStream::kEnvReset));
  if (cfg.norm_obs) state.policy.obs_rms.Update(vec.obs(), n);
  return state;
}

absl::Status CheckResumable(const PpoTrainState& state, const std::string& env, const EnvSpec& spec,
                            const PpoConfig& cfg, int num_envs, const std::filesystem::path& path) {
  const PolicyState& p = state.policy;
  if (p.env_name != env) {
    return absl::FailedPreconditionError(StrCat(path.string(), ": checkpoint is for task ",
                                                p.env_name, ", the config asks for ", env));
  }
  if (p.net->obs_dim() != spec.obs_dim || p.net->act_dim() != spec.act_dim ||
      p.actor_hidden != cfg.actor_hidden || p.critic_hidden != cfg.critic_hidden) {
    return absl::FailedPreconditionError(StrCat(
        path.string(), ": the config changes the network shape (obs/act dims or hidden widths)"));
  }
  if (state.envs.envs.size() != static_cast<size_t>(num_envs)) {
    return absl::FailedPreconditionError(StrCat(path.string(), ": checkpoint has ",
                                                state.envs.envs.size(),
                                                " envs, the config asks for ", num_envs));
  }
  return absl::OkStatus();
}

}  // namespace irlab
