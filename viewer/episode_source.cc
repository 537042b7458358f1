#include "viewer/episode_source.h"

#include <algorithm>
#include <cmath>

#include "core/config.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/registry.h"

namespace irlab::viewer {

// --- PolicySource ---

absl::StatusOr<std::unique_ptr<PolicySource>> PolicySource::Create(
    std::unique_ptr<Policy> policy, std::string policy_name, const PolicySourceOptions& options) {
  auto source = std::unique_ptr<PolicySource>(new PolicySource());
  source->options_ = options;
  if (source->options_.task.empty()) {
    if (!policy) return absl::InvalidArgumentError("random actions need a task (--env)");
    source->options_.task = policy->env_name();
  }
  if (options.episodes < 1) return absl::InvalidArgumentError("episodes must be >= 1");
  IRLAB_ASSIGN_OR_RETURN(source->env_, MakeEnv(source->options_.task, options.env_options));
  const EnvSpec& spec = source->env_->spec();
  if (policy && (policy->obs_dim() != spec.obs_dim || policy->act_dim() != spec.act_dim)) {
    return absl::InvalidArgumentError(
        StrCat("policy ", policy_name, " trained on ", policy->env_name(), " (obs ",
               policy->obs_dim(), ", act ", policy->act_dim(), ") does not fit task ", spec.name,
               " (obs ", spec.obs_dim, ", act ", spec.act_dim, ")"));
  }
  source->policy_ = std::move(policy);
  source->policy_name_ = std::move(policy_name);
  source->obs_.resize(spec.obs_dim);
  source->next_obs_.resize(spec.obs_dim);
  source->action_.resize(spec.act_dim);
  IRLAB_RETURN_IF_ERROR(source->Start(0));
  return source;
}

std::string PolicySource::description() const {
  if (!policy_) return "random actions";
  return StrCat("policy ", policy_name_, options_.deterministic ? " (mean)" : " (sampled)");
}

absl::Status PolicySource::Start(int episode) {
  if (episode < 0 || episode >= options_.episodes) {
    return absl::OutOfRangeError(StrCat("episode ", episode, " is out of range: showing ",
                                        options_.episodes, " episode(s), 0 to ",
                                        options_.episodes - 1));
  }
  env_->Reset(Rng::DeriveSeed(options_.seed, episode), obs_);
  rng_.Seed(Rng::DeriveSeed(options_.seed, (uint64_t{1} << 32) + episode));
  readout_ = StepReadout();
  readout_.episode = episode;
  return absl::OkStatus();
}

absl::Status PolicySource::Step() {
  if (readout_.done()) return absl::OkStatus();
  const EnvSpec& spec = env_->spec();
  if (policy_) {
    policy_->Act(obs_, 1, options_.deterministic, rng_, action_);
  } else {
    for (int j = 0; j < spec.act_dim; ++j) {
      const double lo = std::isfinite(spec.act_low[j]) ? spec.act_low[j] : -1.0;
      const double hi = std::isfinite(spec.act_high[j]) ? spec.act_high[j] : 1.0;
      action_[j] = static_cast<float>(rng_.Uniform(lo, hi));
    }
  }
  IRLAB_ASSIGN_OR_RETURN(StepResult result, env_->Step(action_, next_obs_));
  readout_.step += 1;
  readout_.reward = result.reward;
  readout_.episode_return += result.reward;
  readout_.terminated = result.terminated;
  readout_.truncated = result.truncated;
  if (options_.learned) {
    readout_.learned_reward = options_.learned.reward(obs_, action_, next_obs_);
    readout_.learned_return += readout_.learned_reward;
  }
  std::swap(obs_, next_obs_);
  return absl::OkStatus();
}

// --- DemoSource ---

absl::StatusOr<std::unique_ptr<DemoSource>> DemoSource::Open(const std::filesystem::path& path,
                                                             DisplayedReward learned) {
  auto source = std::unique_ptr<DemoSource>(new DemoSource());
  source->learned_ = std::move(learned);
  IRLAB_ASSIGN_OR_RETURN(source->file_, DemoFile::Open(path));
  const DemoFile& file = *source->file_;
  const DemoMetadata& m = file.metadata();
  if (!file.has_state()) {
    return absl::FailedPreconditionError(
        StrCat(path.string(),
               ": no stored states (datasets infos/qpos and infos/qvel); replay "
               "draws the stored qpos/qvel of every step"));
  }
  EnvOptions options;
  if (!m.env_options.empty()) {
    ConfigSchema schema = ConfigSchema::For(options);
    IRLAB_RETURN_IF_ERROR(
        schema.ApplyText(m.env_options, StrCat(path.string(), ": attribute 'env_options'")));
  }
  auto env = MakeEnv(m.task, options);
  if (!env.ok()) {
    return absl::InvalidArgumentError(
        StrCat(path.string(), ": attribute 'task': ", env.status().message()));
  }
  source->env_ = std::move(*env);
  const EnvSpec& spec = source->env_->spec();
  if (spec.nq != m.nq || spec.nv != m.nv || spec.obs_dim != m.obs_dim ||
      spec.act_dim != m.act_dim) {
    return absl::InvalidArgumentError(
        StrCat(path.string(), ": sizes (obs ", m.obs_dim, ", act ", m.act_dim, ", nq ", m.nq,
               ", nv ", m.nv, ") do not match task ", spec.name, " (obs ", spec.obs_dim, ", act ",
               spec.act_dim, ", nq ", spec.nq, ", nv ", spec.nv, ")"));
  }
  if (file.num_episodes() < 1)
    return absl::InvalidArgumentError(StrCat(path.string(), ": no episodes"));
  source->scratch_obs_.resize(spec.obs_dim);
  IRLAB_RETURN_IF_ERROR(source->Start(0));
  return source;
}

std::string DemoSource::description() const {
  return StrCat("demos ", file_->path().filename().string());
}

absl::Status DemoSource::Start(int episode) {
  const int64_t count = file_->num_episodes();
  if (episode < 0 || episode >= count) {
    return absl::OutOfRangeError(StrCat(file_->path().string(), ": episode ", episode,
                                        " is out of range: the file has ", count,
                                        " episode(s), 0 to ", count - 1));
  }
  const DemoMetadata& m = file_->metadata();
  const int64_t start = file_->episodes().start[episode];
  const int64_t t = file_->episodes().length[episode];
  length_ = t;
  obs_.resize(t * m.obs_dim);
  next_obs_.resize(t * m.obs_dim);
  actions_.resize(t * m.act_dim);
  rewards_.resize(t);
  terminals_.resize(t);
  timeouts_.resize(t);
  qpos_.resize((t + 1) * m.nq);
  qvel_.resize((t + 1) * m.nv);
  IRLAB_RETURN_IF_ERROR(file_->Read(DemoField::kObservations, start, t, std::span<float>(obs_)));
  IRLAB_RETURN_IF_ERROR(
      file_->Read(DemoField::kNextObservations, start, t, std::span<float>(next_obs_)));
  IRLAB_RETURN_IF_ERROR(file_->Read(DemoField::kActions, start, t, std::span<float>(actions_)));
  IRLAB_RETURN_IF_ERROR(file_->Read(DemoField::kRewards, start, t, std::span<float>(rewards_)));
  IRLAB_RETURN_IF_ERROR(
      file_->Read(DemoField::kTerminals, start, t, std::span<uint8_t>(terminals_)));
  IRLAB_RETURN_IF_ERROR(file_->Read(DemoField::kTimeouts, start, t, std::span<uint8_t>(timeouts_)));
  IRLAB_RETURN_IF_ERROR(
      file_->Read(DemoField::kQpos, start, t, std::span<double>(qpos_.data(), t * m.nq)));
  IRLAB_RETURN_IF_ERROR(
      file_->Read(DemoField::kQvel, start, t, std::span<double>(qvel_.data(), t * m.nv)));
  has_final_state_ = file_->has_final_state();
  if (has_final_state_) {
    std::vector<double> final_qpos(count * m.nq), final_qvel(count * m.nv);
    IRLAB_RETURN_IF_ERROR(file_->ReadFinalState(final_qpos, final_qvel));
    std::copy_n(&final_qpos[episode * m.nq], m.nq, &qpos_[t * m.nq]);
    std::copy_n(&final_qvel[episode * m.nv], m.nv, &qvel_[t * m.nv]);
  }
  readout_ = StepReadout();
  readout_.episode = episode;
  replay_deviation_ = 0;
  return ShowStored(0);
}

absl::Status DemoSource::ShowStored(int t) {
  const DemoMetadata& m = file_->metadata();
  EnvState state;
  state.qpos.assign(&qpos_[t * m.nq], &qpos_[(t + 1) * m.nq]);
  state.qvel.assign(&qvel_[t * m.nv], &qvel_[(t + 1) * m.nv]);
  // the last applied action (actuator forces in some observations)
  if (t > 0) state.ctrl.assign(&actions_[(t - 1) * m.act_dim], &actions_[t * m.act_dim]);
  state.elapsed_steps = t;
  absl::Status s = env_->SetState(state, scratch_obs_);
  if (!s.ok()) {
    return absl::InvalidArgumentError(StrCat(file_->path().string(), ": episode ", readout_.episode,
                                             " step ", t, ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status DemoSource::Step() {
  if (readout_.done() || readout_.step >= length_) return absl::OkStatus();
  const DemoMetadata& m = file_->metadata();
  const int t = readout_.step;
  // re-simulate the stored action from the stored state (shown right now)
  const std::span<const float> action(&actions_[t * m.act_dim], m.act_dim);
  IRLAB_ASSIGN_OR_RETURN(StepResult result, env_->Step(action, scratch_obs_));
  (void)result;
  const bool last = t + 1 == length_;
  if (!last || has_final_state_) {
    const EnvState after = env_->GetState();
    for (int i = 0; i < m.nq; ++i) {
      replay_deviation_ =
          std::max(replay_deviation_, std::abs(after.qpos[i] - qpos_[(t + 1) * m.nq + i]));
    }
    for (int i = 0; i < m.nv; ++i) {
      replay_deviation_ =
          std::max(replay_deviation_, std::abs(after.qvel[i] - qvel_[(t + 1) * m.nv + i]));
    }
    // draw the stored next state itself
    IRLAB_RETURN_IF_ERROR(ShowStored(t + 1));
  }
  readout_.step = t + 1;
  readout_.reward = rewards_[t];
  readout_.episode_return += rewards_[t];
  readout_.terminated = terminals_[t] != 0;
  readout_.truncated = timeouts_[t] != 0 || (last && terminals_[t] == 0);
  if (learned_) {
    readout_.learned_reward =
        learned_.reward(std::span<const float>(&obs_[t * m.obs_dim], m.obs_dim), action,
                        std::span<const float>(&next_obs_[t * m.obs_dim], m.obs_dim));
    readout_.learned_return += readout_.learned_reward;
  }
  return absl::OkStatus();
}

}  // namespace irlab::viewer
