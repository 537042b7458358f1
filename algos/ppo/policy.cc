#include "algos/ppo/policy.h"

#include <cmath>

#include "algos/ppo/checkpoint.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/vec_env.h"

namespace irlab {

absl::StatusOr<std::unique_ptr<Policy>> Policy::Load(const std::filesystem::path& run_or_file) {
  IRLAB_ASSIGN_OR_RETURN(PolicyState state, LoadPolicy(CheckpointPath(run_or_file)));
  return std::make_unique<Policy>(std::make_unique<PolicyState>(std::move(state)));
}

Policy::Policy(std::unique_ptr<PolicyState> state) : state_(std::move(state)) {}
Policy::~Policy() = default;

const std::string& Policy::env_name() const { return state_->env_name; }
int Policy::obs_dim() const { return state_->net->obs_dim(); }
int Policy::act_dim() const { return state_->net->act_dim(); }

void Policy::Act(std::span<const float> obs, int n, bool deterministic, Rng& rng,
                 std::span<float> actions) const {
  const int od = obs_dim(), ad = act_dim();
  IRLAB_CHECK(static_cast<int>(obs.size()) == n * od && static_cast<int>(actions.size()) == n * ad,
              "Act: wrong buffer sizes");
  std::vector<float> normalized(obs.begin(), obs.end());
  if (state_->norm_obs) state_->obs_rms.Normalize(obs, normalized, state_->obs_clip);
  c10::InferenceMode guard;
  torch::Tensor mean = state_->net->Mean(torch::from_blob(normalized.data(), {n, od}));
  const float* m = mean.data_ptr<float>();
  const float* log_std = state_->net->log_std().data_ptr<float>();
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < ad; ++j) {
      const float noise = deterministic ? 0.f : static_cast<float>(rng.Normal());
      actions[i * ad + j] = m[i * ad + j] + std::exp(log_std[j]) * noise;
    }
  }
}

absl::StatusOr<EvalResult> EvaluatePolicy(const Policy& policy, const std::string& task,
                                          const EnvOptions& options, int episodes,
                                          bool deterministic, uint64_t seed, int threads) {
  if (episodes < 1) return absl::InvalidArgumentError("evaluation needs at least one episode");
  // one env per episode, each run to its end: the set of episodes (and so the
  // result) does not depend on which env finishes first
  const int num_envs = std::min(episodes, 16);
  IRLAB_ASSIGN_OR_RETURN(auto vec, VecEnv::Make(task, num_envs, options, threads));
  if (vec->spec().obs_dim != policy.obs_dim() || vec->spec().act_dim != policy.act_dim()) {
    return absl::InvalidArgumentError(StrCat("policy for ", policy.env_name(), " (obs ", policy.obs_dim(),
                                             ", act ", policy.act_dim(), ") does not fit ", task, " (obs ",
                                             vec->spec().obs_dim, ", act ", vec->spec().act_dim, ")"));
  }
  EvalResult result;
  Rng rng(Rng::DeriveSeed(seed, 7));
  std::vector<float> actions(num_envs * policy.act_dim());
  int started = 0;
  while (started < episodes) {
    const int batch = std::min(num_envs, episodes - started);
    vec->Reset(Rng::DeriveSeed(seed, started));
    std::vector<bool> done(num_envs, false);
    for (int i = batch; i < num_envs; ++i) done[i] = true;
    int remaining = batch;
    while (remaining > 0) {
      policy.Act(vec->obs(), num_envs, deterministic, rng, actions);
      IRLAB_RETURN_IF_ERROR(vec->Step(actions));
      for (int i = 0; i < num_envs; ++i) {
        if (done[i] || !(vec->terminated()[i] || vec->truncated()[i])) continue;
        done[i] = true;
        --remaining;
        result.returns.push_back(vec->episode_returns()[i]);
        result.lengths.push_back(vec->episode_lengths()[i]);
      }
    }
    started += batch;
  }
  double sum = 0, sq = 0, len = 0;
  for (size_t k = 0; k < result.returns.size(); ++k) {
    sum += result.returns[k];
    sq += result.returns[k] * result.returns[k];
    len += result.lengths[k];
  }
  const double n = static_cast<double>(result.returns.size());
  result.mean_return = sum / n;
  result.std_return = std::sqrt(std::max(0.0, sq / n - result.mean_return * result.mean_return));
  result.mean_length = len / n;
  return result;
}

}  // namespace irlab
