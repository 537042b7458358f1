// The adversarial round, top to bottom:
//   collect policy rollouts with the VecEnv
//   -> n discriminator updates: expert minibatches from the ExpertStore vs
//      policy samples (from the recent `replay_rounds` rollouts and,
//      optionally, a reservoir of `history_rounds` from all of training)
//   -> relabel the rollout's rewards with the discriminator
//   -> PPO update (entropy bonus configurable)
//   -> log, evaluate and checkpoint.
// AIRL and GAIL differ only in their discriminator (reward_nets.h); GAN-GCL
// replaces the discriminator step by the importance-weighted MaxEnt gradient;
// BC is in bc.cc.
#include <chrono>
#include <cmath>
#include <optional>
#include <thread>

#include "algos/adversarial/adversarial.h"
#include "algos/adversarial/bc.h"
#include "algos/adversarial/disc_batches.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/adversarial/policy_replay.h"
#include "algos/adversarial/reward_nets.h"
#include "algos/adversarial/round_checkpoint.h"
#include "algos/common/compute_threads.h"
#include "algos/common/seed_streams.h"
#include "algos/ppo/checkpoint.h"
#include "algos/ppo/collector.h"
#include "algos/ppo/gae.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"
#include "algos/ppo/rollout.h"
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

// The round's discriminator steps: expert batch vs policy batch (binary
// cross-entropy), updates_per_round times; the stats of the last. Each step's
// batches are drawn (from their own streams: the store's and rng) and
// normalised while the step before runs, beside its g passes (the policy
// batch during the forward pass, the expert batch during the backward pass),
// and AIRL's g and h passes run side by side. Draws happen in the order of
// one step after the other (policy batch, then the step's gradient-penalty
// weights), so that the bits are those of one thread.
struct StepBatches {  // this step's and the next one's, kept from round to round (their buffers)
  NormalizedBatch expert[2], generated[2];
};
absl::StatusOr<DiscriminatorStats> DiscriminatorSteps(
    const AdversarialConfig& cfg, Discriminator& disc, DiscriminatorOptimizer& opt,
    ExpertStore& store, const PolicyReplay& replay, const PolicyState& policy, Rng& rng,
    ThreadPool* threads, StepBatches& batches) {
  const int batch_size = cfg.disc.batch_size, steps = cfg.disc.updates_per_round;
  const bool airl = disc.kind() == DiscriminatorKind::kAirl;
  NormalizedBatch(&expert)[2] = batches.expert;
  NormalizedBatch(&generated)[2] = batches.generated;
  absl::Status expert_status[2];
  auto draw_expert = [&](int slot) {
    expert_status[slot] = SampleExpertBatch(batch_size, store, policy, airl, expert[slot]);
  };
  auto draw_policy = [&](int slot) {
    SamplePolicyBatch(batch_size, cfg.disc.history_fraction, replay, policy, airl, rng,
                      generated[slot]);
  };
  DiscriminatorStats stats;
  if (steps == 0) return stats;
  SideBySide(
      threads, [&] { draw_expert(0); }, [&] { draw_policy(0); });
  std::vector<float> alpha, grads(disc.num_params());
  const std::function<void()> none;
  for (int k = 0; k < steps; ++k) {
    const int now = k % 2, next = 1 - now;
    IRLAB_RETURN_IF_ERROR(expert_status[now]);
    // gradient-penalty mixing weights from the run's own Rng (checkpointed)
    if (cfg.disc.grad_penalty > 0) {
      alpha.resize(batch_size);
      for (float& a : alpha) a = static_cast<float>(rng.Uniform(0, 1));
    }
    const bool more = k + 1 < steps;
    disc.BceLossAndGradient(expert[now].View(), generated[now].View(), cfg.disc.grad_penalty,
                            alpha.data(), grads.data(), &stats, threads,
                            more ? [&] { draw_policy(next); } : none,
                            more ? [&] { draw_expert(next); } : none);
    if (!std::isfinite(stats.loss)) {
      return absl::InternalError(StrCat("non-finite discriminator loss (", stats.loss, ")"));
    }
    opt.Step(disc, grads.data());
  }
  return stats;
}

// GAN-GCL's reward step: maximum likelihood of the expert under
// p(tau) ~ exp(R(tau)), the partition function estimated from the rollout's
// per-env segments with self-normalised weights exp(R - sum log pi) in log
// space: loss = -L * E_expert[r] + log sum_j exp(R_j - log q_j).
absl::StatusOr<DiscriminatorStats> GclStep(const AdversarialConfig& cfg, Discriminator& disc,
                                           DiscriminatorOptimizer& opt, ExpertStore& store,
                                           const Rollout& rollout, const NormalizedBatch& latest,
                                           const PolicyState& policy, double expert_length) {
  NormalizedBatch expert;
  IRLAB_RETURN_IF_ERROR(
      SampleExpertBatch(cfg.disc.batch_size, store, policy, /*need_log_pi=*/false, expert));
  // behaviour log-likelihood of each env's segment: [N]
  std::vector<float> log_q(rollout.N, 0.0f);
  for (int t = 0; t < rollout.T; ++t) {
    for (int j = 0; j < rollout.N; ++j) log_q[j] += rollout.log_probs[size_t(t) * rollout.N + j];
  }
  std::vector<float> grads(disc.num_params());
  DiscriminatorStats stats;
  stats.loss = disc.GclLossAndGradient(expert.View(), latest.View(), rollout.T, rollout.N,
                                       log_q.data(), expert_length, grads.data(), &stats.ess);
  if (!std::isfinite(stats.loss)) {
    return absl::InternalError(StrCat("non-finite GAN-GCL loss (", stats.loss, ")"));
  }
  opt.Step(disc, grads.data());
  return stats;
}

// The mean and the (unbiased) standard deviation of x.
std::pair<double, double> MeanAndStd(const std::vector<float>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  double mean = 0, var = 0;
  for (int64_t k = 0; k < n; ++k) mean += x[k] / double(n);
  for (int64_t k = 0; k < n; ++k) var += (x[k] - mean) * (x[k] - mean);
  return {mean, n > 1 ? std::sqrt(var / (n - 1)) : NAN};
}

}  // namespace

absl::Status TrainAdversarial(const AdversarialConfig& cfg, const fs::path& run_dir, bool resume) {
  const PpoConfig& ppo = cfg.ppo;
  const Algo algo = cfg.algorithm();
  SetComputeThreads(cfg.torch_threads);
  // The random policy's return (the normalised score's zero) needs nothing
  // that follows: its episodes run on a thread of their own while the rest is
  // set up (its own envs and Rng: the same result), joined before first use
  // (and on every early return).
  absl::StatusOr<EvalResult> random_eval;
  std::jthread random_thread([&] {
    random_eval =
        EvaluateRandomPolicy(cfg.env, cfg.env_options, cfg.eval_episodes,
                             StreamSeed(cfg.seed, SeedStream::kRandomPolicy), cfg.threads);
  });
  auto random_return = [&]() -> absl::StatusOr<double> {
    if (random_thread.joinable()) random_thread.join();
    if (!random_eval.ok()) return random_eval.status();
    return random_eval->mean_return;
  };
  IRLAB_ASSIGN_OR_RETURN(auto vec,
                         VecEnv::Make(cfg.env, cfg.num_envs, cfg.env_options, cfg.threads));
  const EnvSpec& spec = vec->spec();
  const int N = cfg.num_envs, T = ppo.rollout_steps;
  const int64_t batch = int64_t(T) * N;

  // ---- demonstrations, and the two returns the normalised score needs
  const fs::path demos = cfg.demos_file;
  IRLAB_ASSIGN_OR_RETURN(
      auto store,
      ExpertStore::Open(demos, cfg.demos, StreamSeed(cfg.seed, SeedStream::kExpertBatches),
                        spec.obs_dim, spec.act_dim));
  if (store->metadata().task != cfg.env) {
    return absl::InvalidArgumentError(StrCat(demos.string(), ": demonstrations are of task '",
                                             store->metadata().task, "', training asks for '",
                                             cfg.env, "'"));
  }
  const double expert_return = store->mean_return();
  auto announce = [&](double random) {
    std::printf("%s on %s: %lld expert transitions, expert return %.1f, random return %.1f\n",
                cfg.algo.c_str(), cfg.env.c_str(), static_cast<long long>(store->size()),
                expert_return, random);
  };
  if (algo == Algo::kBc) {
    IRLAB_ASSIGN_OR_RETURN(const double random, random_return());
    announce(random);
    return TrainBc(cfg, *store, spec, run_dir, expert_return, random);
  }

  // ---- the reward net / discriminator, and the policy samples it learns against
  torch::manual_seed(StreamSeed(cfg.seed, SeedStream::kRewardInit));
  IRLAB_ASSIGN_OR_RETURN(std::unique_ptr<Discriminator> disc,
                         MakeDiscriminator(cfg, spec.obs_dim, spec.act_dim));
  DiscriminatorOptimizer disc_opt(disc->num_params(), cfg.disc.learning_rate);
  PolicyReplay replay(cfg.disc);
  const RoundState round{*disc, disc_opt, *store, replay};

  // ---- the generator: fresh, or exactly where the checkpoint left off
  const fs::path checkpoint = run_dir / "checkpoint.pt";
  PpoTrainState state;
  if (resume) {
    IRLAB_ASSIGN_OR_RETURN(state, LoadPpoCheckpoint(checkpoint, [&](auto& archive) {
                             return ReadRoundState(archive, checkpoint, cfg, round);
                           }));
    IRLAB_RETURN_IF_ERROR(CheckResumable(state, cfg.env, spec, ppo, cfg.num_envs, checkpoint));
    if (state.global_step >= cfg.total_steps) {  // nothing to continue: keep its eval.json
      return absl::FailedPreconditionError(
          StrCat(checkpoint.string(), ": the run finished at env step ", state.global_step,
                 " (total_steps ", cfg.total_steps,
                 "); raise total_steps (--set total_steps=N) to train on"));
    }
    IRLAB_RETURN_IF_ERROR(vec->SetState(state.envs));
    state.reward_scaler.set_gamma(ppo.gamma);
  } else {
    state = NewPpoState(cfg.env, ppo, *vec, cfg.seed);
  }
  ActorCritic& net = *state.policy.net;
  const auto checkpoint_step = resume ? std::optional<int64_t>(state.global_step) : std::nullopt;
  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger,
                         MetricsLogger::Open(run_dir, /*console=*/false, checkpoint_step));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));
  IRLAB_ASSIGN_OR_RETURN(const double random, random_return());
  announce(random);
  auto normalized = [&](double r) { return (r - random) / (expert_return - random); };
  auto evaluate = [&]() {  // deterministic episodes on the true reward
    return EvaluatePolicy(state.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                          /*deterministic=*/true, StreamSeed(cfg.seed, SeedStream::kEvaluation),
                          cfg.threads);
  };

  // the latest evaluation, eval.json's figure
  double last_eval = NAN;

  // ---- BC warm start: the generator begins at the BC fit, logged as step 0
  if (!resume && cfg.bc.warm_start) {
    IRLAB_RETURN_IF_ERROR(WarmStartWithBc(cfg, state.policy));
    IRLAB_ASSIGN_OR_RETURN(EvalResult eval, evaluate());
    last_eval = eval.mean_return;
    IRLAB_RETURN_IF_ERROR(logger.Log(0, {{"eval_return", eval.mean_return},
                                         {"eval_normalized_score", normalized(eval.mean_return)}}));
    std::printf("warm start: eval return %.1f, normalised score %.3f\n", eval.mean_return,
                normalized(eval.mean_return));
  }
  const bool update_obs_norm = !(cfg.bc.warm_start && cfg.bc.freeze_obs_norm);
  if (cfg.bc.freeze_obs_norm && !cfg.bc.warm_start) {
    std::printf(
        "note: bc.freeze_obs_norm applies only with bc.warm_start; the normaliser keeps "
        "learning\n");
  }

  const double gcl_length =
      cfg.disc.gcl_expert_length > 0 ? cfg.disc.gcl_expert_length : spec.horizon;
  Rollout rollout(T, N, spec.obs_dim, spec.act_dim);
  // this round's rollout as the discriminator sees it: GAN-GCL's reward step
  // learns on it; the others' relabel normalises it here (buffers kept from round to round)
  NormalizedBatch latest;
  StepBatches step_batches;
  RolloutCollector collector(*vec, state.policy, state.rng, T, cfg.overlap, update_obs_norm);
  const int64_t iterations = std::max<int64_t>(1, (cfg.total_steps + batch - 1) / batch);
  ProgressBar progress(cfg.algo + " " + cfg.env, cfg.total_steps);
  const auto run_start = Clock::now();
  const int64_t start_step = state.global_step;

  while (state.global_step < cfg.total_steps) {
    const double frac = 1.0 - static_cast<double>(state.iteration) / iterations;
    const double lr = ppo.anneal_lr ? ppo.learning_rate * std::max(frac, 0.0) : ppo.learning_rate;

    // ---- 1. collect policy rollouts (or take the one collected during the last round's updates)
    const auto round_start = Clock::now();
    IRLAB_RETURN_IF_ERROR(collector.Next(rollout));
    state.global_step += batch;
    replay.Add(FromRollout(rollout, spec), state.rng);
    const bool last = state.global_step >= cfg.total_steps;
    const bool checkpoint_now = last || state.global_step / cfg.checkpoint_every !=
                                            (state.global_step - batch) / cfg.checkpoint_every;
    // with overlap the next rollout is collected while steps 2-4 run, except
    // before a checkpoint
    Rng& rng = collector.BeginUpdate(/*synchronous=*/checkpoint_now);
    if (algo == Algo::kGcl) NormalizeSamples(state.policy, replay.latest(), false, latest);

    // ---- 2. discriminator updates: expert vs policy
    DiscriminatorStats disc_stats;
    if (algo == Algo::kGcl) {
      for (int k = 0; k < cfg.disc.updates_per_round; ++k) {
        absl::StatusOr<DiscriminatorStats> step =
            GclStep(cfg, *disc, disc_opt, *store, rollout, latest, state.policy, gcl_length);
        if (!step.ok()) return RunStopped(step.status(), state.global_step, checkpoint);
        disc_stats = *step;
      }
    } else {
      absl::StatusOr<DiscriminatorStats> steps =
          DiscriminatorSteps(cfg, *disc, disc_opt, *store, replay, state.policy, rng,
                             collector.idle_threads(), step_batches);
      if (!steps.ok()) return RunStopped(steps.status(), state.global_step, checkpoint);
      disc_stats = *steps;
    }

    // ---- 3. relabel the rollout with the learned reward
    if (algo == Algo::kGcl) {
      disc->UnshapedReward(latest.View(), rollout.rewards.data());
    } else {
      RelabelSamples(state.policy, *disc, replay.latest(), rollout.rewards.data(),
                     collector.idle_threads(), latest);
    }
    const auto [reward_mean, reward_std] = MeanAndStd(rollout.rewards);
    if (ppo.norm_reward) ScaleRewards(state.reward_scaler, ppo.reward_clip, rollout);

    // ---- 4. PPO on the learned reward (after the discriminator's warm-up rounds)
    UpdateStats update;  // logged as NaN while the policy waits
    update.policy_loss = update.value_loss = update.entropy = update.approx_kl = NAN;
    if (state.iteration >= cfg.disc.warmup_rounds) {
      ComputeGae(rollout.rewards, rollout.values, rollout.next_values, rollout.terminated,
                 rollout.truncated, T, N, ppo.gamma, ppo.gae_lambda, rollout.advantages,
                 rollout.returns);
      auto updated = PpoUpdate(net, *state.adam, rollout, ppo, lr, rng, collector.idle_threads());
      if (!updated.ok()) return RunStopped(updated.status(), state.global_step, checkpoint);
      update = *updated;
    }
    IRLAB_RETURN_IF_ERROR(collector.EndUpdate());
    ++state.iteration;

    // ---- 5. log, evaluate, checkpoint
    MetricsLogger::Scalars scalars = {
        {"disc_loss", disc_stats.loss},
        {"learned_reward_mean", reward_mean},
        {"learned_reward_std", reward_std},
        {"policy_loss", update.policy_loss},
        {"value_loss", update.value_loss},
        {"entropy", update.entropy},
        {"approx_kl", update.approx_kl},
        {"round_seconds", Seconds(round_start)},
        {"steps_per_second", (state.global_step - start_step) / Seconds(run_start)}};
    if (algo == Algo::kGcl) {
      scalars.push_back({"gcl_ess", disc_stats.ess});
    } else {
      scalars.insert(scalars.begin() + 1, {{"disc_expert_acc", disc_stats.expert_acc},
                                           {"disc_policy_acc", disc_stats.policy_acc}});
    }
    if (!rollout.episode_returns.empty()) {
      double mean_return = 0;
      for (double r : rollout.episode_returns) mean_return += r / rollout.episode_returns.size();
      scalars.insert(scalars.begin(), {{"episode_return", mean_return},
                                       {"normalized_score", normalized(mean_return)}});
    }
    if (last || (cfg.eval_every > 0 && state.iteration % cfg.eval_every == 0)) {
      IRLAB_ASSIGN_OR_RETURN(EvalResult eval, evaluate());
      last_eval = eval.mean_return;
      scalars.insert(scalars.begin(), {{"eval_return", eval.mean_return},
                                       {"eval_normalized_score", normalized(eval.mean_return)}});
    }
    if (absl::Status s = logger.Log(state.global_step, scalars); !s.ok()) {
      return RunStopped(s, state.global_step, checkpoint);
    }
    progress.Update(state.global_step, scalars);
    if (checkpoint_now) {
      state.envs = vec->GetState();
      IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(
          checkpoint, state, [&](auto& archive) { WriteRoundState(archive, cfg, round); }));
      IRLAB_RETURN_IF_ERROR(KeepCheckpointCopy(checkpoint, state.global_step));
    }
  }
  progress.Finish();
  if (std::isnan(last_eval)) {  // total_steps = 0: the policy as it starts
    IRLAB_ASSIGN_OR_RETURN(EvalResult eval, evaluate());
    last_eval = eval.mean_return;
  }
  std::printf("%s %s: expert %.1f, random %.1f, %s %.1f -> normalised score %.3f (%.0f s)\n",
              cfg.algo.c_str(), cfg.env.c_str(), expert_return, random, cfg.algo.c_str(), last_eval,
              normalized(last_eval), Seconds(run_start));
  return WriteJsonFile(run_dir / "eval.json",
                       Json{{"algo", cfg.algo},
                            {"env", cfg.env},
                            {"episodes", cfg.eval_episodes},
                            {"deterministic", true},
                            {"return_mean", last_eval},
                            {"expert_return", expert_return},
                            {"expert_episodes", store->episode_indices().size()},
                            {"random_return", random},
                            {"normalized_score", normalized(last_eval)},
                            {"env_steps", state.global_step},
                            {"wall_seconds", Seconds(run_start)}});
}

}  // namespace irlab
