// PPO on the true reward, top to bottom: collect a rollout with the VecEnv ->
// GAE -> epochs x minibatches of clipped-surrogate updates -> log/checkpoint.
// The algorithm follows algorithms.md's MuJoCo recipe; the plumbing keeps
// tensor ops few (flat parameters, C++-side sampling) since per-op overhead,
// not arithmetic, is what small PPO batches pay for.
#include <chrono>
#include <cmath>
#include <numbers>
#include <optional>

#include "algos/common/compute_threads.h"
#include "algos/common/seed_streams.h"
#include "algos/ppo/checkpoint.h"
#include "algos/ppo/gae.h"
#include "algos/ppo/rollout.h"
#include "algos/ppo/update.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/prefetch.h"
#include "algos/ppo/ppo.h"
#include "core/files.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/progress.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

absl::Status CheckResumable(const PpoTrainState& s, const ExpertConfig& cfg, const EnvSpec& spec,
                            const fs::path& path) {
  const PolicyState& p = s.policy;
  if (p.env_name != cfg.env) {
    return absl::FailedPreconditionError(
        StrCat(path.string(), ": checkpoint is for task ", p.env_name, ", the config asks for ", cfg.env));
  }
  if (p.net->obs_dim() != spec.obs_dim || p.net->act_dim() != spec.act_dim ||
      p.actor_hidden != cfg.ppo.actor_hidden || p.critic_hidden != cfg.ppo.critic_hidden) {
    return absl::FailedPreconditionError(
        StrCat(path.string(), ": the config changes the network shape (obs/act dims or hidden widths)"));
  }
  if (s.envs.envs.size() != static_cast<size_t>(cfg.num_envs)) {
    return absl::FailedPreconditionError(StrCat(path.string(), ": checkpoint has ", s.envs.envs.size(),
                                                " envs, the config asks for ", cfg.num_envs));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TrainExpert(const ExpertConfig& cfg, const fs::path& run_dir, bool resume,
                         const RewardRelabel& relabel) {
  const PpoConfig& ppo = cfg.ppo;
  SetComputeThreads(cfg.torch_threads);
  IRLAB_ASSIGN_OR_RETURN(auto vec, VecEnv::Make(cfg.env, cfg.num_envs, cfg.env_options, cfg.threads));
  const EnvSpec& spec = vec->spec();
  const int N = cfg.num_envs, T = ppo.rollout_steps, od = spec.obs_dim, ad = spec.act_dim;
  const int64_t batch = int64_t(T) * N;
  if (ppo.minibatches > batch) {
    return absl::InvalidArgumentError(StrCat("ppo.minibatches (", ppo.minibatches,
                                             ") exceeds the rollout size ", batch));
  }
  const int64_t iterations = (cfg.total_steps + batch - 1) / batch;
  const fs::path checkpoint = run_dir / "checkpoint.pt";

  // ---- state: fresh, or exactly where the checkpoint left off
  PpoTrainState st;
  if (resume) {
    IRLAB_ASSIGN_OR_RETURN(st, LoadPpoCheckpoint(checkpoint));
    IRLAB_RETURN_IF_ERROR(CheckResumable(st, cfg, spec, checkpoint));
    IRLAB_RETURN_IF_ERROR(vec->SetState(st.envs));
    st.reward_scaler.set_gamma(ppo.gamma);
  } else {
    st = NewPpoState(cfg.env, ppo, *vec, cfg.seed);
  }
  ActorCritic& net = *st.policy.net;
  ExpertConfig resolved = cfg;  // run/config in the checkpoint: the task's options (model digest) included
  st.config_toml = ConfigSchema::For(resolved).ToToml();
  const auto checkpoint_step = resume ? std::optional<int64_t>(st.global_step) : std::nullopt;
  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger, MetricsLogger::Open(run_dir, false, checkpoint_step));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));

  Rollout ro(T, N, od, ad);
  std::vector<float> next_obs(size_t(N) * od);
  std::optional<RolloutPrefetcher> prefetcher;  // overlap: the next rollout collected during the update
  if (cfg.overlap) prefetcher.emplace(st.policy, T, N);
  NormalizeObs(st.policy, vec->obs(), next_obs);
  ProgressBar progress("expert " + cfg.env, cfg.total_steps);
  const auto run_start = Clock::now();
  const int64_t start_step = st.global_step;
  EvalResult final_eval;  // the latest evaluation; at the end, of the final policy

  while (st.global_step < cfg.total_steps) {
    const double frac = 1.0 - static_cast<double>(st.iteration) / iterations;
    const double lr = ppo.anneal_lr ? ppo.learning_rate * std::max(frac, 0.0) : ppo.learning_rate;

    // ---- collect T steps from each of the N envs, then scale the rewards
    const auto collect_start = Clock::now();
    if (prefetcher && prefetcher->ready()) {
      prefetcher->TakeInto(ro);
    } else {
      IRLAB_RETURN_IF_ERROR(CollectRollout(*vec, st.policy, st.rng, true, next_obs, ro));
    }
    if (relabel) IRLAB_RETURN_IF_ERROR(relabel(ro));
    if (ppo.norm_reward) ScaleRewards(ppo, st.reward_scaler, ro);
    st.global_step += batch;
    const double collect_seconds = Seconds(collect_start);

    // ---- advantages, then epochs x minibatches of PPO updates
    ComputeGae(ro.rewards, ro.values, ro.next_values, ro.terminated, ro.truncated, T, N, ppo.gamma,
               ppo.gae_lambda, ro.advantages, ro.returns);
    const bool last = st.global_step >= cfg.total_steps;
    const bool checkpoint_now =
        last || st.global_step / cfg.checkpoint_every != (st.global_step - batch) / cfg.checkpoint_every;
    const auto update_start = Clock::now();
    // With overlap the next rollout is collected meanwhile, except before a
    // checkpoint (which then holds no half-used rollout, so resume is exact).
    // The two threads draw from separate streams: the update from one forked
    // off st.rng here, the collection from st.rng.
    const bool prefetch = cfg.overlap && !checkpoint_now;
    Rng update_rng(cfg.overlap ? st.rng.NextU64() : 0);
    if (prefetch) prefetcher->Start(*vec, st.policy, st.rng, true, next_obs);
    // without a collection running, the VecEnv's threads share each minibatch step
    auto update = PpoUpdate(net, *st.adam, ro, ppo, lr, cfg.overlap ? update_rng : st.rng,
                            prefetch ? nullptr : &vec->pool());
    if (prefetch) IRLAB_RETURN_IF_ERROR(prefetcher->Join(st.policy));
    if (!update.ok()) {
      return absl::InternalError(StrCat(update.status().message(), " at env step ", st.global_step,
                                        "; training stopped, ", LastGoodCheckpoint(checkpoint)));
    }
    const double update_seconds = Seconds(update_start);
    ++st.iteration;

    // ---- log and checkpoint
    const UpdateStats& u = *update;
    MetricsLogger::Scalars scalars = {
        {"lr", lr}, {"policy_loss", u.policy_loss}, {"value_loss", u.value_loss}, {"entropy", u.entropy},
        {"approx_kl", u.approx_kl}, {"clip_frac", u.clip_frac}, {"grad_norm", u.grad_norm},
        {"explained_variance", u.explained_variance}, {"updates", static_cast<double>(u.updates)},
        {"collect_seconds", collect_seconds}, {"update_seconds", update_seconds},
        {"steps_per_second", (st.global_step - start_step) / Seconds(run_start)}};
    if (!ro.episode_returns.empty()) {
      double r = 0, l = 0;
      for (size_t k = 0; k < ro.episode_returns.size(); ++k) {
        r += ro.episode_returns[k];
        l += ro.episode_lengths[k];
      }
      scalars.insert(scalars.begin(), {{"episode_return", r / ro.episode_returns.size()},
                                       {"episode_length", l / ro.episode_returns.size()}});
    }
    // deterministic evaluation on the true reward every eval_every rollouts and at the end
    if (cfg.eval_episodes > 0 && (last || (cfg.eval_every > 0 && st.iteration % cfg.eval_every == 0))) {
      IRLAB_ASSIGN_OR_RETURN(final_eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                        true, StreamSeed(cfg.seed, SeedStream::kExpertEval), cfg.threads));
      scalars.insert(scalars.begin(), {{"eval_return", final_eval.mean_return},
                                       {"eval_length", final_eval.mean_length}});
    }
    if (absl::Status s = logger.Log(st.global_step, scalars); !s.ok()) {
      return absl::UnavailableError(StrCat(s.message(), " at env step ", st.global_step,
                                           "; training stopped, ", LastGoodCheckpoint(checkpoint)));
    }
    progress.Update(st.global_step, scalars);

    if (checkpoint_now) {
      st.envs = vec->GetState();
      IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(checkpoint, st));
      IRLAB_RETURN_IF_ERROR(KeepCheckpointCopy(checkpoint, st.global_step));
      if (!last && cfg.pause_at_steps > 0 && st.global_step >= cfg.pause_at_steps) {
        std::printf("paused at env step %lld; continue with --resume\n", static_cast<long long>(st.global_step));
        return absl::OkStatus();
      }
    }
  }
  progress.Finish();

  // ---- final deterministic evaluation on the true reward
  if (cfg.eval_episodes > 0) {
    if (final_eval.returns.empty()) {  // a resumed run that had no step left to train
      IRLAB_ASSIGN_OR_RETURN(final_eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                        true, StreamSeed(cfg.seed, SeedStream::kExpertEval), cfg.threads));
    }
    const EvalResult& eval = final_eval;  // normally evaluated and logged in the last iteration
    std::printf("eval %s: return %.1f +- %.1f over %d episodes (length %.0f); %.1f s wall clock\n",
                cfg.env.c_str(), eval.mean_return, eval.std_return, cfg.eval_episodes, eval.mean_length,
                Seconds(run_start));
    IRLAB_RETURN_IF_ERROR(WriteJsonFile(run_dir / "eval.json",
                                        Json{{"env", cfg.env},
                                             {"episodes", cfg.eval_episodes},
                                             {"deterministic", true},
                                             {"return_mean", eval.mean_return},
                                             {"return_std", eval.std_return},
                                             {"length_mean", eval.mean_length},
                                             {"env_steps", st.global_step},
                                             {"wall_seconds", Seconds(run_start)}}));
  }
  return absl::OkStatus();
}

}  // namespace irlab
