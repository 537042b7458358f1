// PPO on the true reward, top to bottom: collect a rollout with the VecEnv ->
// GAE -> epochs x minibatches of clipped-surrogate updates -> log/checkpoint.
// The algorithm follows algorithms.md's MuJoCo recipe; the plumbing keeps
// per-sample work in plain loops over flat buffers (the minibatch step's
// forward and backward passes are in update.cc).
#include <chrono>
#include <cmath>
#include <optional>

#include "algos/common/compute_threads.h"
#include "algos/common/seed_streams.h"
#include "algos/nn/adam.h"
#include "algos/ppo/checkpoint.h"
#include "algos/ppo/collector.h"
#include "algos/ppo/gae.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"
#include "algos/ppo/rollout.h"
#include "algos/ppo/update.h"
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
double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

}  // namespace

absl::StatusOr<UpdateStats> PpoUpdate(ActorCritic& net, FlatAdam& adam, const Rollout& rollout,
                                      const PpoConfig& cfg, double lr, Rng& rng,
                                      ThreadPool* threads) {
  const int64_t batch = rollout.size();
  const int obs_dim = rollout.obs_dim, act_dim = rollout.act_dim;
  // the rollout in this epoch's order: minibatches are then contiguous slices
  std::vector<float> obs(batch * obs_dim), actions(batch * act_dim), log_probs(batch),
      advantages(batch), returns(batch), values(batch);
  std::vector<int64_t> order(batch);
  std::vector<float> grads(net.num_params());
  PpoScratch scratch;
  UpdateStats stats;
  for (int epoch = 0; epoch < cfg.epochs; ++epoch) {
    for (int64_t k = 0; k < batch; ++k) order[k] = k;
    for (int64_t k = batch - 1; k > 0; --k) std::swap(order[k], order[rng.UniformInt(k + 1)]);
    for (int64_t k = 0; k < batch; ++k) {
      const int64_t from = order[k];
      std::copy_n(&rollout.obs[from * obs_dim], obs_dim, &obs[k * obs_dim]);
      std::copy_n(&rollout.actions[from * act_dim], act_dim, &actions[k * act_dim]);
      log_probs[k] = rollout.log_probs[from];
      advantages[k] = rollout.advantages[from];
      returns[k] = rollout.returns[from];
      values[k] = rollout.values[from];
    }
    double epoch_kl = 0;
    for (int mb = 0; mb < cfg.minibatches; ++mb) {
      const int64_t begin = batch * mb / cfg.minibatches,
                    size = batch * (mb + 1) / cfg.minibatches - begin;
      const PpoMinibatch minibatch{.size = static_cast<int>(size),
                                   .obs = &obs[begin * obs_dim],
                                   .actions = &actions[begin * act_dim],
                                   .old_log_probs = &log_probs[begin],
                                   .advantages = &advantages[begin],
                                   .returns = &returns[begin],
                                   .old_values = &values[begin]};
      const PpoLossTerms loss =
          PpoLossAndGradient(net, minibatch, cfg, scratch, grads.data(), threads);
      if (!std::isfinite(loss.total)) {
        return absl::InternalError(
            StrCat("non-finite PPO loss (", loss.total, ") in epoch ", epoch, ", minibatch ", mb));
      }
      stats.grad_norm = nn::ClipNorm(grads.data(), net.num_params(), cfg.max_grad_norm);
      adam.Step(net.params(), grads.data(), lr);
      stats.policy_loss = loss.policy;
      stats.value_loss = loss.value;
      stats.entropy = loss.entropy;
      stats.clip_frac = loss.clip_frac;
      epoch_kl += loss.approx_kl / cfg.minibatches;
      ++stats.updates;
    }
    stats.approx_kl = epoch_kl;
    if (cfg.target_kl > 0 && epoch_kl > cfg.target_kl) break;
  }
  double mean_ret = 0, var_ret = 0, var_res = 0;
  for (int64_t k = 0; k < batch; ++k) mean_ret += rollout.returns[k] / batch;
  for (int64_t k = 0; k < batch; ++k) {
    var_ret += (rollout.returns[k] - mean_ret) * (rollout.returns[k] - mean_ret);
    var_res += (rollout.returns[k] - rollout.values[k]) * (rollout.returns[k] - rollout.values[k]);
  }
  stats.explained_variance = var_ret > 0 ? 1 - var_res / var_ret : NAN;
  return stats;
}

absl::Status TrainExpert(const PpoRunConfig& cfg, const fs::path& run_dir, bool resume,
                         const RewardRelabel& relabel) {
  const PpoConfig& ppo = cfg.ppo;
  SetComputeThreads(cfg.torch_threads);
  IRLAB_ASSIGN_OR_RETURN(auto vec,
                         VecEnv::Make(cfg.env, cfg.num_envs, cfg.env_options, cfg.threads));
  const EnvSpec& spec = vec->spec();
  const int N = cfg.num_envs, T = ppo.rollout_steps;
  const int64_t batch = int64_t(T) * N;
  if (ppo.minibatches > batch) {
    return absl::InvalidArgumentError(
        StrCat("ppo.minibatches (", ppo.minibatches, ") exceeds the rollout size ", batch));
  }
  const int64_t iterations = (cfg.total_steps + batch - 1) / batch;
  const fs::path checkpoint = run_dir / "checkpoint.pt";

  // ---- state: fresh, or exactly where the checkpoint left off
  PpoTrainState state;
  if (resume) {
    IRLAB_ASSIGN_OR_RETURN(state, LoadPpoCheckpoint(checkpoint));
    IRLAB_RETURN_IF_ERROR(CheckResumable(state, cfg.env, spec, ppo, cfg.num_envs, checkpoint));
    IRLAB_RETURN_IF_ERROR(vec->SetState(state.envs));
    state.reward_scaler.set_gamma(ppo.gamma);
  } else {
    state = NewPpoState(cfg.env, ppo, *vec, cfg.seed);
  }
  ActorCritic& net = *state.policy.net;
  PpoRunConfig resolved = cfg;  // run/config in the checkpoint: the task's options (model digest)
  state.config_toml = ConfigSchema::For(resolved).ToToml();
  const auto checkpoint_step = resume ? std::optional<int64_t>(state.global_step) : std::nullopt;
  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger,
                         MetricsLogger::Open(run_dir, /*console=*/false, checkpoint_step));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));
  auto evaluate = [&]() {  // deterministic episodes on the true reward
    return EvaluatePolicy(state.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                          /*deterministic=*/true, StreamSeed(cfg.seed, SeedStream::kExpertEval),
                          cfg.threads);
  };

  Rollout rollout(T, N, spec.obs_dim, spec.act_dim);
  RolloutCollector collector(*vec, state.policy, state.rng, T, cfg.overlap,
                             /*update_obs_norm=*/true);
  ProgressBar progress("expert " + cfg.env, cfg.total_steps);
  const auto run_start = Clock::now();
  const int64_t start_step = state.global_step;
  EvalResult final_eval;  // the latest evaluation; at the end, of the final policy

  while (state.global_step < cfg.total_steps) {
    const double frac = 1.0 - static_cast<double>(state.iteration) / iterations;
    const double lr = ppo.anneal_lr ? ppo.learning_rate * std::max(frac, 0.0) : ppo.learning_rate;

    // ---- 1. collect T steps from each of the N envs, then scale the rewards
    const auto collect_start = Clock::now();
    IRLAB_RETURN_IF_ERROR(collector.Next(rollout));
    if (relabel) IRLAB_RETURN_IF_ERROR(relabel(rollout));
    if (ppo.norm_reward) ScaleRewards(state.reward_scaler, ppo.reward_clip, rollout);
    state.global_step += batch;
    const double collect_seconds = Seconds(collect_start);

    // ---- 2. advantages and value targets (termination and truncation apart)
    ComputeGae(rollout.rewards, rollout.values, rollout.next_values, rollout.terminated,
               rollout.truncated, T, N, ppo.gamma, ppo.gae_lambda, rollout.advantages,
               rollout.returns);

    // ---- 3. epochs x minibatches of PPO updates (with overlap, the next
    // rollout is collected meanwhile, except before a checkpoint)
    const bool last = state.global_step >= cfg.total_steps;
    const bool checkpoint_now = last || state.global_step / cfg.checkpoint_every !=
                                            (state.global_step - batch) / cfg.checkpoint_every;
    const auto update_start = Clock::now();
    Rng& update_rng = collector.BeginUpdate(/*synchronous=*/checkpoint_now);
    auto update =
        PpoUpdate(net, *state.adam, rollout, ppo, lr, update_rng, collector.idle_threads());
    IRLAB_RETURN_IF_ERROR(collector.EndUpdate());
    if (!update.ok()) return RunStopped(update.status(), state.global_step, checkpoint);
    const double update_seconds = Seconds(update_start);
    ++state.iteration;

    // ---- 4. log, evaluate (every eval_every rollouts and at the end), checkpoint
    MetricsLogger::Scalars scalars = {
        {"lr", lr},
        {"policy_loss", update->policy_loss},
        {"value_loss", update->value_loss},
        {"entropy", update->entropy},
        {"approx_kl", update->approx_kl},
        {"clip_frac", update->clip_frac},
        {"grad_norm", update->grad_norm},
        {"explained_variance", update->explained_variance},
        {"updates", static_cast<double>(update->updates)},
        {"collect_seconds", collect_seconds},
        {"update_seconds", update_seconds},
        {"steps_per_second", (state.global_step - start_step) / Seconds(run_start)}};
    if (!rollout.episode_returns.empty()) {
      double sum_return = 0, sum_length = 0;
      for (size_t k = 0; k < rollout.episode_returns.size(); ++k) {
        sum_return += rollout.episode_returns[k];
        sum_length += rollout.episode_lengths[k];
      }
      const double episodes = rollout.episode_returns.size();
      scalars.insert(scalars.begin(), {{"episode_return", sum_return / episodes},
                                       {"episode_length", sum_length / episodes}});
    }
    if (cfg.eval_episodes > 0 &&
        (last || (cfg.eval_every > 0 && state.iteration % cfg.eval_every == 0))) {
      IRLAB_ASSIGN_OR_RETURN(final_eval, evaluate());
      scalars.insert(scalars.begin(), {{"eval_return", final_eval.mean_return},
                                       {"eval_length", final_eval.mean_length}});
    }
    if (absl::Status s = logger.Log(state.global_step, scalars); !s.ok()) {
      return RunStopped(s, state.global_step, checkpoint);
    }
    progress.Update(state.global_step, scalars);

    if (checkpoint_now) {
      state.envs = vec->GetState();
      IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(checkpoint, state));
      IRLAB_RETURN_IF_ERROR(KeepCheckpointCopy(checkpoint, state.global_step));
      if (!last && cfg.pause_at_steps > 0 && state.global_step >= cfg.pause_at_steps) {
        std::printf("paused at env step %lld; continue with --resume\n",
                    static_cast<long long>(state.global_step));
        return absl::OkStatus();
      }
    }
  }
  progress.Finish();

  // ---- the final deterministic evaluation (normally that of the last iteration)
  if (cfg.eval_episodes > 0) {
    if (final_eval.returns.empty()) {  // a resumed run that had no step left to train
      IRLAB_ASSIGN_OR_RETURN(final_eval, evaluate());
    }
    std::printf("eval %s: return %.1f +- %.1f over %d episodes (length %.0f); %.1f s wall clock\n",
                cfg.env.c_str(), final_eval.mean_return, final_eval.std_return, cfg.eval_episodes,
                final_eval.mean_length, Seconds(run_start));
    IRLAB_RETURN_IF_ERROR(
        WriteJsonFile(run_dir / "eval.json", Json{{"env", cfg.env},
                                                  {"episodes", cfg.eval_episodes},
                                                  {"deterministic", true},
                                                  {"return_mean", final_eval.mean_return},
                                                  {"return_std", final_eval.std_return},
                                                  {"length_mean", final_eval.mean_length},
                                                  {"env_steps", state.global_step},
                                                  {"wall_seconds", Seconds(run_start)}}));
  }
  return absl::OkStatus();
}

}  // namespace irlab
