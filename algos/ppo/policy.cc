#include "algos/ppo/policy.h"

#include <cmath>
#include <functional>

#include "algos/ppo/checkpoint.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/registry.h"
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
  ActWith(*state_, obs, n, deterministic, rng, actions);
}

void ActWith(const PolicyState& state, std::span<const float> obs, int n, bool deterministic,
             Rng& rng, std::span<float> actions) {
  const int od = state.net->obs_dim(), ad = state.net->act_dim();
  IRLAB_CHECK(static_cast<int>(obs.size()) == n * od && static_cast<int>(actions.size()) == n * ad,
              "Act: wrong buffer sizes");
  std::vector<float> normalized(obs.begin(), obs.end());
  if (state.norm_obs) state.obs_rms.Normalize(obs, normalized, state.obs_clip);
  std::vector<float> mean(size_t(n) * ad);
  nn::MlpScratch scratch, unused;
  state.net->Forward(normalized.data(), n, mean.data(), nullptr, scratch, unused);
  const float* m = mean.data();
  const float* log_std = state.net->log_std();
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < ad; ++j) {
      const float noise = deterministic ? 0.f : static_cast<float>(rng.Normal());
      actions[i * ad + j] = m[i * ad + j] + std::exp(log_std[j]) * noise;
    }
  }
}

namespace {

// Runs `episodes` whole episodes with `act` choosing actions [n, act_dim] for raw
// obs; with `score`, also sums its rewards over each episode.
absl::StatusOr<EvalResult> RunEpisodes(
    const std::string& task, const EnvOptions& options, int episodes, uint64_t seed, int threads,
    int obs_dim, int act_dim, const std::string& who,
    const std::function<void(std::span<const float>, int, std::span<float>)>& act,
    const TransitionScorer& score = {}) {
  if (episodes < 1) return absl::InvalidArgumentError("evaluation needs at least one episode");
  // one env per episode, each run to its end: the set of episodes (and so the
  // result) does not depend on which env finishes first
  const int num_envs = std::min(episodes, 16);
  IRLAB_ASSIGN_OR_RETURN(auto vec, VecEnv::Make(task, num_envs, options, threads));
  if (obs_dim > 0 && (vec->spec().obs_dim != obs_dim || vec->spec().act_dim != act_dim)) {
    return absl::InvalidArgumentError(
        StrCat("policy for ", who, " (obs ", obs_dim, ", act ", act_dim, ") does not fit ", task,
               " (obs ", vec->spec().obs_dim, ", act ", vec->spec().act_dim, ")"));
  }
  EvalResult result;
  const int od = vec->spec().obs_dim;
  std::vector<float> actions(num_envs * vec->spec().act_dim);
  std::vector<float> obs, next_obs, scored(num_envs);
  std::vector<double> scored_sum(num_envs);
  int started = 0;
  while (started < episodes) {
    const int batch = std::min(num_envs, episodes - started);
    vec->Reset(Rng::DeriveSeed(seed, started));
    std::vector<bool> done(num_envs, false);
    for (int i = batch; i < num_envs; ++i) done[i] = true;
    std::fill(scored_sum.begin(), scored_sum.end(), 0.0);
    int remaining = batch;
    while (remaining > 0) {
      act(vec->obs(), num_envs, actions);
      if (score) obs.assign(vec->obs().begin(), vec->obs().end());
      IRLAB_RETURN_IF_ERROR(vec->Step(actions));
      if (score) {
        next_obs.assign(vec->obs().begin(), vec->obs().end());
        for (int i = 0; i < num_envs; ++i) {
          if (!(vec->terminated()[i] || vec->truncated()[i])) continue;
          std::copy_n(vec->final_obs().begin() + i * od, od, next_obs.begin() + i * od);
        }
        score(obs, actions, next_obs, vec->terminated(), scored);
        for (int i = 0; i < num_envs; ++i) scored_sum[i] += scored[i];
      }
      for (int i = 0; i < num_envs; ++i) {
        if (done[i] || !(vec->terminated()[i] || vec->truncated()[i])) continue;
        done[i] = true;
        --remaining;
        result.returns.push_back(vec->episode_returns()[i]);
        result.lengths.push_back(vec->episode_lengths()[i]);
        if (score) result.scored_returns.push_back(scored_sum[i]);
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
  if (score) {
    double scored_total = 0;
    for (double r : result.scored_returns) scored_total += r;
    result.mean_scored_return = scored_total / n;
  }
  return result;
}

}  // namespace

absl::StatusOr<EvalResult> EvaluatePolicy(const PolicyState& policy, const std::string& task,
                                          const EnvOptions& options, int episodes,
                                          bool deterministic, uint64_t seed, int threads,
                                          const TransitionScorer& score) {
  Rng rng(Rng::DeriveSeed(seed, 7));
  return RunEpisodes(
      task, options, episodes, seed, threads, policy.net->obs_dim(), policy.net->act_dim(),
      policy.env_name,
      [&](std::span<const float> obs, int n, std::span<float> actions) {
        ActWith(policy, obs, n, deterministic, rng, actions);
      },
      score);
}

absl::StatusOr<EvalResult> EvaluateRandomPolicy(const std::string& task, const EnvOptions& options,
                                                int episodes, uint64_t seed, int threads) {
  IRLAB_ASSIGN_OR_RETURN(auto probe, MakeEnv(task, options));
  const EnvSpec spec = probe->spec();
  Rng rng(Rng::DeriveSeed(seed, 8));
  return RunEpisodes(task, options, episodes, seed, threads, 0, 0, "random",
                     [&](std::span<const float>, int n, std::span<float> actions) {
                       for (int i = 0; i < n; ++i) {
                         for (int j = 0; j < spec.act_dim; ++j) {
                           actions[i * spec.act_dim + j] =
                               static_cast<float>(rng.Uniform(spec.act_low[j], spec.act_high[j]));
                         }
                       }
                     });
}

}  // namespace irlab
