#include "envs/vec_env.h"

#include <algorithm>

#include "core/rng.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/registry.h"

namespace irlab {

absl::StatusOr<std::unique_ptr<VecEnv>> VecEnv::Make(std::string_view task, int num_envs,
                                                     const EnvOptions& options, int num_threads) {
  if (num_envs < 1)
    return absl::InvalidArgumentError(StrCat("num_envs must be >= 1, got ", num_envs));
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < num_envs; ++i) {
    IRLAB_ASSIGN_OR_RETURN(auto env, MakeEnv(task, options));
    envs.push_back(std::move(env));
  }
  return std::unique_ptr<VecEnv>(new VecEnv(std::move(envs), std::clamp(num_threads, 1, num_envs)));
}

VecEnv::VecEnv(std::vector<std::unique_ptr<Env>> envs, int num_threads)
    : envs_(std::move(envs)),
      pool_(num_threads),
      obs_dim_(envs_[0]->spec().obs_dim),
      act_dim_(envs_[0]->spec().act_dim) {
  const size_t n = envs_.size();
  episode_count_.assign(n, 0);
  episode_seed_.assign(n, 0);
  obs_.assign(n * obs_dim_, 0.f);
  final_obs_.assign(n * obs_dim_, 0.f);
  rewards_.assign(n, 0.f);
  terminated_.assign(n, 0);
  truncated_.assign(n, 0);
  infos_.resize(n);
  running_return_.assign(n, 0.0);
  episode_return_.assign(n, 0.0);
  running_length_.assign(n, 0);
  episode_length_.assign(n, 0);
  errors_.resize(n);
  final_states_.resize(n);
}

void VecEnv::ResetEnv(int i) {
  episode_seed_[i] = Rng::DeriveSeed(Rng::DeriveSeed(seed_, i), episode_count_[i]++);
  envs_[i]->Reset(episode_seed_[i], std::span<float>(obs_).subspan(i * obs_dim_, obs_dim_));
  running_return_[i] = 0.0;
  running_length_[i] = 0;
}

void VecEnv::Reset(uint64_t seed) {
  seed_ = seed;
  std::fill(episode_count_.begin(), episode_count_.end(), 0);
  pool_.ParallelFor(num_envs(), [this](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) ResetEnv(static_cast<int>(i));
  });
}

absl::Status VecEnv::Step(std::span<const float> actions) {
  if (actions.size() != envs_.size() * act_dim_) {
    return absl::InvalidArgumentError(StrCat(spec().name, ": expected ", envs_.size(), " x ",
                                             act_dim_, " actions, got ", actions.size()));
  }
  // Envs are claimed one at a time: their step costs differ (contacts, resets),
  // and fixed halves would leave one thread waiting on the other.
  pool_.ParallelForEach(num_envs(), [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      const int i = static_cast<int>(j);
      std::span<float> obs = std::span<float>(obs_).subspan(i * obs_dim_, obs_dim_);
      auto result = envs_[i]->Step(actions.subspan(i * act_dim_, act_dim_), obs);
      if (!result.ok()) {
        errors_[i] = result.status();
        continue;
      }
      rewards_[i] = static_cast<float>(result->reward);
      terminated_[i] = result->terminated;
      truncated_[i] = result->truncated;
      infos_[i] = result->info;
      running_return_[i] += result->reward;
      ++running_length_[i];
      if (result->terminated || result->truncated) {
        std::copy(obs.begin(), obs.end(), final_obs_.begin() + i * obs_dim_);
        episode_return_[i] = running_return_[i];
        episode_length_[i] = running_length_[i];
        if (keep_final_states_) final_states_[i] = envs_[i]->GetState();
        ResetEnv(i);
      }
    }
  });
  for (auto& e : errors_) {
    if (!e.ok()) {
      absl::Status first = std::move(e);
      for (auto& other : errors_) other = absl::OkStatus();
      return first;
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab

namespace irlab {

VecEnvState VecEnv::GetState() const {
  VecEnvState s;
  s.seed = seed_;
  for (const auto& env : envs_) s.envs.push_back(env->GetState());
  s.episode_count = episode_count_;
  s.running_return = running_return_;
  s.running_length = running_length_;
  return s;
}

absl::Status VecEnv::SetState(const VecEnvState& state) {
  const size_t n = envs_.size();
  if (state.envs.size() != n || state.episode_count.size() != n ||
      state.running_return.size() != n || state.running_length.size() != n) {
    return absl::InvalidArgumentError(StrCat(spec().name, ": saved state is for ",
                                             state.envs.size(), " envs, this VecEnv has ", n));
  }
  for (size_t i = 0; i < n; ++i) {
    IRLAB_RETURN_IF_ERROR(
        envs_[i]->SetState(state.envs[i], std::span<float>(obs_).subspan(i * obs_dim_, obs_dim_)));
    episode_seed_[i] = Rng::DeriveSeed(Rng::DeriveSeed(state.seed, i), state.episode_count[i] - 1);
  }
  seed_ = state.seed;
  episode_count_ = state.episode_count;
  running_return_ = state.running_return;
  running_length_ = state.running_length;
  return absl::OkStatus();
}

}  // namespace irlab
