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

#include "algos/adversarial/adversarial.h"
#include "algos/adversarial/bc.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/adversarial/policy_replay.h"
#include "algos/adversarial/reward_nets.h"
#include "algos/common/compute_threads.h"
#include "algos/common/seed_streams.h"
#include "algos/ppo/gae.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/prefetch.h"
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
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Transitions normalised with the policy's observation statistics, as the
// discriminator sees them, with log pi(a|s) under the current policy for AIRL.
struct NormalizedBatch {
  std::vector<float> obs, next_obs, act, done, log_pi;
  TransitionBatch View() const {
    return {.size = static_cast<int>(done.size()), .obs = obs.data(), .act = act.data(),
            .next_obs = next_obs.data(), .done = done.data(), .log_pi = log_pi.empty() ? nullptr : log_pi.data()};
  }
};

// act: as applied (clipped); act_for_log_pi: as sampled.
void Normalize(const PolicyState& policy, std::span<const float> obs, std::span<const float> next_obs,
               std::span<const float> act, std::span<const float> act_for_log_pi, std::span<const float> done,
               bool need_log_pi, NormalizedBatch& out) {
  const int n = static_cast<int>(done.size());
  out.obs.resize(obs.size());
  out.next_obs.resize(next_obs.size());
  NormalizeObs(policy, obs, out.obs);
  NormalizeObs(policy, next_obs, out.next_obs);
  out.act.assign(act.begin(), act.end());
  out.done.assign(done.begin(), done.end());
  out.log_pi.clear();
  if (need_log_pi) {
    out.log_pi.resize(n);
    nn::MlpScratch scratch;
    policy.net->LogProb(out.obs.data(), act_for_log_pi.data(), n, out.log_pi.data(), scratch);
  }
}

// An expert batch of cfg.disc.batch_size from the store, normalised.
absl::Status SampleExpert(const AdversarialConfig& cfg, ExpertStore& store, const PolicyState& policy, bool log_pi,
                          NormalizedBatch& out) {
  const int B = cfg.disc.batch_size, od = policy.net->obs_dim(), ad = policy.net->act_dim();
  std::vector<float> obs(size_t(B) * od), next(size_t(B) * od), act(size_t(B) * ad), done(B);
  std::vector<uint8_t> terminated(B);
  IRLAB_RETURN_IF_ERROR(store.Sample(B, obs.data(), act.data(), next.data(), terminated.data()));
  for (int k = 0; k < B; ++k) done[k] = terminated[k];
  Normalize(policy, obs, next, act, act, done, log_pi, out);
  return absl::OkStatus();
}

using DiscStats = DiscriminatorStats;

// One discriminator step: expert batch vs policy batch (binary cross-entropy).
// With an idle pool the two batches are drawn (from their own streams: the
// store's and rng) and normalised side by side, and AIRL's g and h passes run
// side by side: the same bits as on one thread.
absl::StatusOr<DiscStats> DiscriminatorStep(const AdversarialConfig& cfg, Discriminator& disc,
                                            DiscriminatorOptimizer& opt, ExpertStore& store,
                                            const PolicyReplay& replay, const PolicyState& policy, Rng& rng,
                                            ThreadPool* pool) {
  const int B = cfg.disc.batch_size, od = policy.net->obs_dim(), ad = policy.net->act_dim();
  const bool airl = disc.kind() == DiscriminatorKind::kAirl;
  NormalizedBatch expert, pol;
  absl::Status expert_status;
  // policy batch: its first history_fraction from the history (when there is
  // one), the rest from the recent rollouts, each uniform over its rollouts
  auto policy_batch = [&] {
    std::vector<float> p_obs(size_t(B) * od), p_next(size_t(B) * od), p_act(size_t(B) * ad),
        p_sampled(size_t(B) * ad), p_done(B);
    const int from_history =
        replay.history.empty() ? 0 : static_cast<int>(std::lround(B * cfg.disc.history_fraction));
    for (int k = 0; k < B; ++k) {
      const PolicySamples& s = k < from_history ? replay.history[rng.UniformInt(replay.history.size())]
                                                : replay.recent[rng.UniformInt(replay.recent.size())];
      const size_t i = rng.UniformInt(s.done.size());
      std::copy_n(&s.obs[i * od], od, &p_obs[size_t(k) * od]);
      std::copy_n(&s.next_obs[i * od], od, &p_next[size_t(k) * od]);
      std::copy_n(&s.act[i * ad], ad, &p_act[size_t(k) * ad]);
      std::copy_n(&s.act_sampled[i * ad], ad, &p_sampled[size_t(k) * ad]);
      p_done[k] = s.done[i];
    }
    Normalize(policy, p_obs, p_next, p_act, p_sampled, p_done, airl, pol);
  };
  SideBySide(
      pool, [&] { expert_status = SampleExpert(cfg, store, policy, airl, expert); }, policy_batch);
  IRLAB_RETURN_IF_ERROR(expert_status);
  // gradient-penalty mixing weights from the run's own Rng (checkpointed)
  std::vector<float> alpha;
  if (cfg.disc.grad_penalty > 0) {
    alpha.resize(B);
    for (float& a : alpha) a = static_cast<float>(rng.Uniform(0, 1));
  }
  std::vector<float> grads(disc.num_params());
  DiscStats st;
  disc.BceLossAndGradient(expert.View(), pol.View(), cfg.disc.grad_penalty, alpha.data(), grads.data(), &st,
                          pool);
  if (!std::isfinite(st.loss)) return absl::InternalError(StrCat("non-finite discriminator loss (", st.loss, ")"));
  opt.Step(disc, grads.data());
  return st;
}

// GAN-GCL's reward step: maximum likelihood of the expert under
// p(tau) ~ exp(R(tau)), the partition function estimated from the rollout's
// per-env segments with self-normalised weights exp(R - sum log pi) in log
// space: loss = -L * E_expert[r] + log sum_j exp(R_j - log q_j).
absl::StatusOr<DiscStats> GclStep(const AdversarialConfig& cfg, Discriminator& disc, DiscriminatorOptimizer& opt,
                                  ExpertStore& store, const Rollout& ro, const PolicySamples& samples,
                                  const PolicyState& policy, double expert_length) {
  NormalizedBatch expert, pol;
  IRLAB_RETURN_IF_ERROR(SampleExpert(cfg, store, policy, false, expert));
  Normalize(policy, samples.obs, samples.next_obs, samples.act, samples.act, samples.done, false, pol);
  // behaviour log-likelihood of each env's segment: [N]
  std::vector<float> log_q(ro.N, 0.0f);
  for (int t = 0; t < ro.T; ++t) {
    for (int j = 0; j < ro.N; ++j) log_q[j] += ro.log_probs[size_t(t) * ro.N + j];
  }
  std::vector<float> grads(disc.num_params());
  DiscStats st;
  st.loss = disc.GclLossAndGradient(expert.View(), pol.View(), ro.T, ro.N, log_q.data(), expert_length,
                                    grads.data(), &st.ess);
  if (!std::isfinite(st.loss)) return absl::InternalError(StrCat("non-finite GAN-GCL loss (", st.loss, ")"));
  opt.Step(disc, grads.data());
  return st;
}

// A failed step ends the run: where, and which checkpoint is the last good one.
absl::Status Stopped(const absl::Status& why, int64_t step, const fs::path& checkpoint) {
  return absl::InternalError(
      StrCat(why.message(), " at env step ", step, "; training stopped, ", LastGoodCheckpoint(checkpoint)));
}

absl::Status CheckResumable(const PpoTrainState& s, const AdversarialConfig& cfg, const fs::path& path) {
  if (s.policy.env_name != cfg.env) {
    return absl::FailedPreconditionError(
        StrCat(path.string(), ": checkpoint is for task ", s.policy.env_name, ", the config asks for ", cfg.env));
  }
  if (s.policy.actor_hidden != cfg.ppo.actor_hidden || s.policy.critic_hidden != cfg.ppo.critic_hidden ||
      s.envs.envs.size() != static_cast<size_t>(cfg.num_envs)) {
    return absl::FailedPreconditionError(
        StrCat(path.string(), ": the config changes the network shape or the number of envs"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TrainAdversarial(const AdversarialConfig& cfg, const fs::path& run_dir, bool resume) {
  const fs::path demos = cfg.demos_file;
  const PpoConfig& ppo = cfg.ppo;
  SetComputeThreads(cfg.torch_threads);
  IRLAB_ASSIGN_OR_RETURN(auto vec, VecEnv::Make(cfg.env, cfg.num_envs, cfg.env_options, cfg.threads));
  const EnvSpec& spec = vec->spec();
  const int N = cfg.num_envs, T = ppo.rollout_steps, od = spec.obs_dim, ad = spec.act_dim;
  const int64_t batch = int64_t(T) * N;

  // ---- demonstrations, and the two returns the normalised score needs
  const uint64_t store_seed = StreamSeed(cfg.seed, SeedStream::kExpertBatches);
  IRLAB_ASSIGN_OR_RETURN(auto store, ExpertStore::Open(demos, cfg.demos, store_seed, od, ad));
  if (store->metadata().task != cfg.env) {
    return absl::InvalidArgumentError(StrCat(demos.string(), ": demonstrations are of task '",
                                             store->metadata().task, "', training asks for '", cfg.env, "'"));
  }
  const double expert_return = store->mean_return();
  IRLAB_ASSIGN_OR_RETURN(EvalResult random, EvaluateRandomPolicy(cfg.env, cfg.env_options, cfg.eval_episodes,
                                                                 StreamSeed(cfg.seed, SeedStream::kRandomPolicy), cfg.threads));
  auto normalized = [&](double r) { return (r - random.mean_return) / (expert_return - random.mean_return); };
  std::printf("%s on %s: %lld expert transitions, expert return %.1f, random return %.1f\n", cfg.algo.c_str(),
              cfg.env.c_str(), static_cast<long long>(store->size()), expert_return, random.mean_return);
  if (cfg.algorithm() == Algo::kBc) return TrainBc(cfg, *store, spec, run_dir, expert_return, random.mean_return);

  // ---- the reward net / discriminator
  torch::manual_seed(StreamSeed(cfg.seed, SeedStream::kRewardInit));
  IRLAB_ASSIGN_OR_RETURN(std::unique_ptr<Discriminator> disc, MakeDiscriminator(cfg, od, ad));
  DiscriminatorOptimizer disc_opt(disc->num_params(), cfg.disc.learning_rate);

  // ---- the generator: fresh, or exactly where the checkpoint left off
  const fs::path checkpoint = run_dir / "checkpoint.pt";
  PpoTrainState st;
  int64_t expert_batches = 0;  // drawn so far (the store is fast-forwarded on resume)
  PolicyReplay replay(cfg.disc);
  if (resume) {
    bool has_replay = false;
    IRLAB_ASSIGN_OR_RETURN(st, LoadPpoCheckpoint(checkpoint, [&](torch::serialize::InputArchive& a) -> absl::Status {
                             IRLAB_RETURN_IF_ERROR(ReadDiscriminator(a, checkpoint, *disc, &disc_opt, &expert_batches));
                             IRLAB_ASSIGN_OR_RETURN(has_replay, ReadReplay(a, checkpoint, od, ad, replay));
                             return absl::OkStatus();
                           }));
    IRLAB_RETURN_IF_ERROR(CheckResumable(st, cfg, checkpoint));
    if (st.global_step >= cfg.total_steps) {  // nothing to continue: keep its eval.json
      return absl::FailedPreconditionError(StrCat(checkpoint.string(), ": the run finished at env step ",
                                                  st.global_step, " (total_steps ", cfg.total_steps,
                                                  "); raise total_steps (--set total_steps=N) to train on"));
    }
    IRLAB_RETURN_IF_ERROR(vec->SetState(st.envs));
    st.reward_scaler.set_gamma(ppo.gamma);
    std::vector<float> sink(size_t(cfg.disc.batch_size) * (3 * od + ad));
    std::vector<uint8_t> term(cfg.disc.batch_size);
    for (int64_t k = 0; k < expert_batches; ++k) {
      IRLAB_RETURN_IF_ERROR(store->Sample(cfg.disc.batch_size, sink.data(), sink.data() + size_t(cfg.disc.batch_size) * od,
                                          sink.data() + size_t(cfg.disc.batch_size) * (od + ad), term.data()));
    }
    if (!has_replay && (cfg.disc.replay_rounds > 1 || cfg.disc.history_rounds > 0)) {
      std::printf("note: %s is an older checkpoint without (all of) the policy-sample replay; "
                  "the missing part restarts empty\n", checkpoint.c_str());
    }
  } else {
    st = NewPpoState(cfg.env, ppo, *vec, cfg.seed);
    if (cfg.bc.warm_start) {
      // its own stream of demonstrations, so the discriminator's (and resume) are untouched
      IRLAB_ASSIGN_OR_RETURN(auto bc_store, ExpertStore::Open(demos, cfg.demos, StreamSeed(cfg.seed, SeedStream::kBcBatches), od, ad));
      const auto bc_start = Clock::now();
      double nll = NAN;
      IRLAB_RETURN_IF_ERROR(FitBc(cfg, *bc_store, st.policy, [&](int64_t, double x) {
        nll = x;
        return absl::OkStatus();
      }));
      float* log_std = st.policy.net->log_std();
      for (int j = 0; j < ad; ++j) log_std[j] = std::max(log_std[j], static_cast<float>(cfg.bc.warm_start_log_std));
      std::printf("warm start: BC fit, %lld steps, final NLL %.3f, %.1f s; log std raised to >= %.2f\n",
                  static_cast<long long>(cfg.bc.steps), nll, Seconds(bc_start), cfg.bc.warm_start_log_std);
    }
  }
  ActorCritic& net = *st.policy.net;
  const auto checkpoint_step = resume ? std::optional<int64_t>(st.global_step) : std::nullopt;
  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger, MetricsLogger::Open(run_dir, false, checkpoint_step));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));
  if (!resume && cfg.bc.warm_start) {  // where the warm start leaves the policy
    IRLAB_ASSIGN_OR_RETURN(EvalResult eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                           true, StreamSeed(cfg.seed, SeedStream::kEvaluation), cfg.threads));
    IRLAB_RETURN_IF_ERROR(logger.Log(0, {{"eval_return", eval.mean_return},
                                         {"eval_normalized_score", normalized(eval.mean_return)}}));
    std::printf("warm start: eval return %.1f, normalised score %.3f\n", eval.mean_return,
                normalized(eval.mean_return));
  }
  const bool gcl = cfg.algorithm() == Algo::kGcl;
  const double gcl_length = cfg.disc.gcl_expert_length > 0 ? cfg.disc.gcl_expert_length : spec.horizon;

  Rollout ro(T, N, od, ad);
  std::vector<float> next_obs(size_t(N) * od);
  NormalizeObs(st.policy, vec->obs(), next_obs);
  const int64_t iterations = std::max<int64_t>(1, (cfg.total_steps + batch - 1) / batch);
  ProgressBar progress(cfg.algo + " " + cfg.env, cfg.total_steps);
  const auto run_start = Clock::now();
  const int64_t start_step = st.global_step;
  double last_eval = NAN;

  const bool update_obs_norm = !(cfg.bc.warm_start && cfg.bc.freeze_obs_norm);
  if (cfg.bc.freeze_obs_norm && !cfg.bc.warm_start) {
    std::printf("note: bc.freeze_obs_norm applies only with bc.warm_start; the normaliser keeps learning\n");
  }
  std::optional<RolloutPrefetcher> prefetcher;  // overlap: the next rollout collected during the updates
  if (cfg.overlap) prefetcher.emplace(st.policy, T, N);
  while (st.global_step < cfg.total_steps) {
    const double frac = 1.0 - static_cast<double>(st.iteration) / iterations;
    const double lr = ppo.anneal_lr ? ppo.learning_rate * std::max(frac, 0.0) : ppo.learning_rate;

    // ---- 1. collect policy rollouts (or take the one collected during the last round's updates)
    const auto round_start = Clock::now();
    if (prefetcher && prefetcher->ready()) {
      prefetcher->TakeInto(ro);
    } else {
      IRLAB_RETURN_IF_ERROR(CollectRollout(*vec, st.policy, st.rng, update_obs_norm, next_obs, ro));
    }
    st.global_step += batch;
    replay.Add(FromRollout(ro, spec), st.rng);
    const bool last = st.global_step >= cfg.total_steps;
    const bool checkpoint_now =
        last || st.global_step / cfg.checkpoint_every != (st.global_step - batch) / cfg.checkpoint_every;
    // With overlap the next rollout is collected while steps 2-4 run, except
    // before a checkpoint (which then holds no half-used rollout, so resume is
    // exact). The updates then draw from a stream forked off st.rng here, the
    // collection from st.rng.
    const bool prefetch = cfg.overlap && !checkpoint_now;
    Rng forked(cfg.overlap ? st.rng.NextU64() : 0);
    Rng& rng = cfg.overlap ? forked : st.rng;
    if (prefetch) prefetcher->Start(*vec, st.policy, st.rng, update_obs_norm, next_obs);

    // ---- 2. discriminator updates: expert vs policy
    DiscStats disc_stats;
    for (int k = 0; k < cfg.disc.updates_per_round; ++k) {
      absl::StatusOr<DiscStats> step =
          gcl ? GclStep(cfg, *disc, disc_opt, *store, ro, replay.latest(), st.policy, gcl_length)
                            : DiscriminatorStep(cfg, *disc, disc_opt, *store, replay, st.policy, rng,
                                               prefetch ? nullptr : &vec->pool());
      if (!step.ok()) {
        return Stopped(step.status(), st.global_step, checkpoint);
      }
      disc_stats = *step;
      ++expert_batches;
    }

    // ---- 3. relabel the rollout with the learned reward
    const PolicySamples& now = replay.latest();
    NormalizedBatch all;
    Normalize(st.policy, now.obs, now.next_obs, now.act, now.act_sampled, now.done,
              disc->kind() == DiscriminatorKind::kAirl, all);
    if (gcl) {
      disc->LearnedReward(all.View(), ro.rewards.data());
    } else {
      disc->GeneratorReward(all.View(), ro.rewards.data(), prefetch ? nullptr : &vec->pool());
    }
    double reward_mean = 0, reward_var = 0;
    for (int64_t k = 0; k < batch; ++k) reward_mean += ro.rewards[k] / double(batch);
    for (int64_t k = 0; k < batch; ++k) reward_var += (ro.rewards[k] - reward_mean) * (ro.rewards[k] - reward_mean);
    const double reward_std = batch > 1 ? std::sqrt(reward_var / (batch - 1)) : NAN;
    if (ppo.norm_reward) ScaleRewards(ppo, st.reward_scaler, ro);

    // ---- 4. PPO on the learned reward (after the discriminator's warm-up rounds)
    UpdateStats update;  // logged as NaN while the policy waits
    update.policy_loss = update.value_loss = update.entropy = update.approx_kl = NAN;
    if (st.iteration >= cfg.disc.warmup_rounds) {
      ComputeGae(ro.rewards, ro.values, ro.next_values, ro.terminated, ro.truncated, T, N, ppo.gamma,
                 ppo.gae_lambda, ro.advantages, ro.returns);
      auto updated = PpoUpdate(net, *st.adam, ro, ppo, lr, rng, prefetch ? nullptr : &vec->pool());
      if (!updated.ok()) {
        return Stopped(updated.status(), st.global_step, checkpoint);
      }
      update = *updated;
    }
    if (prefetch) IRLAB_RETURN_IF_ERROR(prefetcher->Join(st.policy));
    ++st.iteration;

    // ---- 5. log, evaluate, checkpoint
    MetricsLogger::Scalars scalars = {
        {"disc_loss", disc_stats.loss}, {"learned_reward_mean", reward_mean},
        {"learned_reward_std", reward_std}, {"policy_loss", update.policy_loss},
        {"value_loss", update.value_loss}, {"entropy", update.entropy}, {"approx_kl", update.approx_kl},
        {"round_seconds", Seconds(round_start)},
        {"steps_per_second", (st.global_step - start_step) / Seconds(run_start)}};
    if (gcl) {
      scalars.push_back({"gcl_ess", disc_stats.ess});
    } else {
      scalars.insert(scalars.begin() + 1, {{"disc_expert_acc", disc_stats.expert_acc},
                                           {"disc_policy_acc", disc_stats.policy_acc}});
    }
    if (!ro.episode_returns.empty()) {
      double r = 0;
      for (double x : ro.episode_returns) r += x / ro.episode_returns.size();
      scalars.insert(scalars.begin(), {{"episode_return", r}, {"normalized_score", normalized(r)}});
    }
    if (last || (cfg.eval_every > 0 && st.iteration % cfg.eval_every == 0)) {
      IRLAB_ASSIGN_OR_RETURN(EvalResult eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                             true, StreamSeed(cfg.seed, SeedStream::kEvaluation), cfg.threads));
      last_eval = eval.mean_return;
      scalars.insert(scalars.begin(), {{"eval_return", eval.mean_return}, {"eval_normalized_score",
                                                                            normalized(eval.mean_return)}});
    }
    if (absl::Status s = logger.Log(st.global_step, scalars); !s.ok()) {
      return Stopped(s, st.global_step, checkpoint);
    }
    progress.Update(st.global_step, scalars);
    if (checkpoint_now) {
      st.envs = vec->GetState();
      IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(checkpoint, st, [&](torch::serialize::OutputArchive& a) {
        WriteDiscriminator(a, cfg, *disc, disc_opt, expert_batches);
        WriteReplay(a, replay);
      }));
      IRLAB_RETURN_IF_ERROR(KeepCheckpointCopy(checkpoint, st.global_step));
    }
  }
  progress.Finish();
  std::printf("%s %s: expert %.1f, random %.1f, %s %.1f -> normalised score %.3f (%.0f s)\n", cfg.algo.c_str(),
              cfg.env.c_str(), expert_return, random.mean_return, cfg.algo.c_str(), last_eval,
              normalized(last_eval), Seconds(run_start));
  return WriteJsonFile(run_dir / "eval.json", Json{{"algo", cfg.algo},
                                                   {"env", cfg.env},
                                                   {"episodes", cfg.eval_episodes},
                                                   {"deterministic", true},
                                                   {"return_mean", last_eval},
                                                   {"expert_return", expert_return},
                                                   {"expert_episodes", store->episode_indices().size()},
                                                   {"random_return", random.mean_return},
                                                   {"normalized_score", normalized(last_eval)},
                                                   {"env_steps", st.global_step},
                                                   {"wall_seconds", Seconds(run_start)}});
}

}  // namespace irlab
