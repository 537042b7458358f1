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
#include <deque>

#include "algos/adversarial/adversarial.h"
#include "algos/adversarial/bc.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/adversarial/reward_nets.h"
#include "algos/common/compute_threads.h"
#include "algos/ppo/gae.h"
#include "algos/ppo/losses.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/rollout.h"
#include "core/files.h"
#include "core/metrics.h"
#include "core/progress.h"
#include "core/reservoir.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Raw policy transitions kept for the discriminator.
struct PolicySamples {
  std::vector<float> obs, next_obs;  // [n, obs_dim] raw
  std::vector<float> act;            // [n, act_dim] as applied (clipped)
  std::vector<float> act_sampled;    // [n, act_dim] as sampled (for log pi)
  std::vector<float> done;           // [n] terminated
};

PolicySamples FromRollout(const Rollout& ro, const EnvSpec& spec) {
  PolicySamples s;
  s.obs = ro.raw_obs;
  s.next_obs = ro.raw_next_obs;
  s.act_sampled = ro.actions;
  s.act = ro.actions;
  for (size_t k = 0; k < s.act.size(); ++k) {
    const int j = static_cast<int>(k % spec.act_dim);
    s.act[k] = std::clamp<float>(s.act[k], spec.act_low[j], spec.act_high[j]);
  }
  s.done.assign(ro.terminated.begin(), ro.terminated.end());
  return s;
}

// Where the discriminator's policy samples come from: the last `replay_rounds`
// rollouts and, with `history_rounds` > 0, a reservoir of rollouts from all of
// training (each rollout so far equally likely to be in it), so that the
// reward keeps being told apart from the old policies too, not only the
// current one.
struct PolicyReplay {
  explicit PolicyReplay(const DiscriminatorConfig& disc)
      : recent_rounds(disc.replay_rounds), history(static_cast<size_t>(disc.history_rounds)) {}

  int recent_rounds;
  std::deque<PolicySamples> recent;
  Reservoir<PolicySamples> history;

  const PolicySamples& latest() const { return recent.back(); }

  void Add(PolicySamples s, Rng& rng) {
    history.Offer(s, rng);
    recent.push_back(std::move(s));
    while (static_cast<int>(recent.size()) > recent_rounds) recent.pop_front();
  }
};

// Both parts of the replay are in the checkpoint, so that a resumed run draws
// the same policy samples as an uninterrupted one.
template <typename Rounds>
void WriteRounds(torch::serialize::OutputArchive& a, const std::string& prefix, const Rounds& rounds) {
  a.write(prefix + "/rounds", torch::tensor({static_cast<int64_t>(rounds.size())}, torch::kInt64));
  for (size_t k = 0; k < rounds.size(); ++k) {
    auto put = [&](const char* name, const std::vector<float>& v) {
      torch::Tensor t = torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())});
      a.write(StrCat(prefix, "/", k, "/", name), t.clone());
    };
    put("obs", rounds[k].obs);
    put("next_obs", rounds[k].next_obs);
    put("act", rounds[k].act);
    put("act_sampled", rounds[k].act_sampled);
    put("done", rounds[k].done);
  }
}

void WriteReplay(torch::serialize::OutputArchive& a, const PolicyReplay& replay) {
  WriteRounds(a, "replay", replay.recent);
  WriteRounds(a, "history", replay.history.items());
  a.write("history/offered", torch::tensor({replay.history.offered()}, torch::kInt64));
}

// false when the checkpoint has no `prefix` entries (an older one: that part
// of the replay restarts empty).
template <typename Rounds>
absl::StatusOr<bool> ReadRounds(torch::serialize::InputArchive& a, const fs::path& path, const std::string& prefix,
                                int od, int ad, Rounds& out) {
  torch::Tensor rounds;
  if (!a.try_read(prefix + "/rounds", rounds)) return false;
  if (rounds.numel() != 1 || !TensorFitsStorage(rounds)) {
    return absl::DataLossError(StrCat(path.string(), ": bad '", prefix, "/rounds' entry"));
  }
  for (int64_t k = 0; k < rounds.item<int64_t>(); ++k) {
    PolicySamples s;
    auto get = [&](const char* name, std::vector<float>& v, int64_t width) -> absl::Status {
      const std::string key = StrCat(prefix, "/", k, "/", name);
      torch::Tensor t;
      if (!a.try_read(key, t) || t.dim() != 1 || t.scalar_type() != torch::kFloat || !TensorFitsStorage(t)) {
        return absl::DataLossError(StrCat(path.string(), ": no valid '", key, "' entry"));
      }
      if (!s.done.empty() && t.numel() != static_cast<int64_t>(s.done.size()) * width) {
        return absl::DataLossError(StrCat(path.string(), ": '", key, "' has ", t.numel(), " values, expected ",
                                          s.done.size() * width));
      }
      t = t.contiguous();
      v.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
      return absl::OkStatus();
    };
    IRLAB_RETURN_IF_ERROR(get("done", s.done, 1));
    IRLAB_RETURN_IF_ERROR(get("obs", s.obs, od));
    IRLAB_RETURN_IF_ERROR(get("next_obs", s.next_obs, od));
    IRLAB_RETURN_IF_ERROR(get("act", s.act, ad));
    IRLAB_RETURN_IF_ERROR(get("act_sampled", s.act_sampled, ad));
    out.push_back(std::move(s));
  }
  return true;
}

absl::StatusOr<bool> ReadReplay(torch::serialize::InputArchive& a, const fs::path& path, int od, int ad,
                                PolicyReplay& replay) {
  IRLAB_ASSIGN_OR_RETURN(bool has_recent, ReadRounds(a, path, "replay", od, ad, replay.recent));
  std::vector<PolicySamples> history;
  IRLAB_ASSIGN_OR_RETURN(bool has_history, ReadRounds(a, path, "history", od, ad, history));
  if (has_history) {
    torch::Tensor offered;
    if (!a.try_read("history/offered", offered) || offered.numel() != 1 ||
        !replay.history.Restore(std::move(history), offered.item<int64_t>())) {
      return absl::DataLossError(StrCat(path.string(), ": its 'history' of policy samples does not fit ",
                                        "disc.history_rounds = ", replay.history.capacity()));
    }
  }
  return has_recent && has_history;
}

// Normalised transitions for the discriminator (log pi filled for AIRL).
Transitions MakeTransitions(const PolicyState& policy, std::vector<float> obs, std::vector<float> next_obs,
                            std::vector<float> act, const std::vector<float>& act_for_log_pi,
                            std::vector<float> done, bool need_log_pi) {
  const int64_t n = static_cast<int64_t>(done.size());
  const int od = policy.net->obs_dim(), ad = policy.net->act_dim();
  NormalizeObs(policy, obs, obs);
  NormalizeObs(policy, next_obs, next_obs);
  Transitions t;
  t.obs = torch::from_blob(obs.data(), {n, od}).clone();
  t.next_obs = torch::from_blob(next_obs.data(), {n, od}).clone();
  t.act = torch::from_blob(act.data(), {n, ad}).clone();
  t.done = torch::from_blob(done.data(), {n}).clone();
  if (need_log_pi) {
    torch::NoGradGuard no_grad;
    torch::Tensor a = torch::from_blob(const_cast<float*>(act_for_log_pi.data()), {n, ad});
    t.log_pi = GaussianLogProb(a, policy.net->Mean(t.obs), policy.net->log_std());
  }
  return t;
}

struct DiscStats {
  double loss = 0, expert_acc = 0, policy_acc = 0;
};

// One discriminator step: expert batch vs policy batch (binary cross-entropy).
absl::StatusOr<DiscStats> DiscriminatorStep(const AdversarialConfig& cfg, Discriminator& disc,
                                            torch::optim::Adam& opt, ExpertStore& store,
                                            const PolicyReplay& replay, const PolicyState& policy, Rng& rng) {
  const int B = cfg.disc.batch_size, od = policy.net->obs_dim(), ad = policy.net->act_dim();
  const bool airl = disc.kind() == DiscriminatorKind::kAirl;
  // expert batch
  std::vector<float> e_obs(size_t(B) * od), e_next(size_t(B) * od), e_act(size_t(B) * ad), e_done(B);
  std::vector<uint8_t> e_term(B);
  IRLAB_RETURN_IF_ERROR(store.Sample(B, e_obs.data(), e_act.data(), e_next.data(), e_term.data()));
  for (int k = 0; k < B; ++k) e_done[k] = e_term[k];
  // policy batch: its first history_fraction from the history (when there is
  // one), the rest from the recent rollouts, each uniform over its rollouts
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
  Transitions expert = MakeTransitions(policy, e_obs, e_next, e_act, e_act, e_done, airl);
  Transitions pol = MakeTransitions(policy, p_obs, p_next, p_act, p_sampled, p_done, airl);

  torch::Tensor e_logits = disc.Logits(expert), p_logits = disc.Logits(pol);
  torch::Tensor loss = DiscriminatorLoss(e_logits, p_logits);
  if (cfg.disc.grad_penalty > 0) {
    // zero-centred penalty on interpolates of expert and policy inputs
    // mixing weights from the run's own Rng (checkpointed), not LibTorch's global generator
    std::vector<float> mix_weights(B);
    for (float& a : mix_weights) a = static_cast<float>(rng.Uniform(0, 1));
    torch::Tensor alpha = torch::from_blob(mix_weights.data(), {B, 1}).clone();
    Transitions mix;
    mix.obs = (alpha * expert.obs + (1 - alpha) * pol.obs).requires_grad_(true);
    mix.next_obs = (alpha * expert.next_obs + (1 - alpha) * pol.next_obs).requires_grad_(true);
    mix.act = (alpha * expert.act + (1 - alpha) * pol.act).requires_grad_(true);
    mix.done = pol.done;
    if (airl) mix.log_pi = alpha.squeeze(1) * expert.log_pi + (1 - alpha.squeeze(1)) * pol.log_pi;
    torch::Tensor out = disc.Logits(mix).sum();
    // allow_unused: a state-only reward never reads the actions
    auto grads = torch::autograd::grad({out}, {mix.obs, mix.next_obs, mix.act}, {}, true, true, true);
    torch::Tensor sq = torch::zeros({B});
    for (const torch::Tensor& g : grads) {
      if (g.defined()) sq = sq + g.square().sum(1);
    }
    loss = loss + cfg.disc.grad_penalty * sq.mean();
  }
  const double value = loss.item<double>();
  if (!std::isfinite(value)) return absl::InternalError(StrCat("non-finite discriminator loss (", value, ")"));
  opt.zero_grad();
  loss.backward();
  opt.step();
  DiscStats st;
  st.loss = value;
  st.expert_acc = (e_logits > 0).to(torch::kFloat).mean().item<double>();
  st.policy_acc = (p_logits < 0).to(torch::kFloat).mean().item<double>();
  return st;
}

// GAN-GCL's reward step: maximum likelihood of the expert under
// p(tau) ~ exp(R(tau)), the partition function estimated from the rollout's
// per-env segments with self-normalised weights exp(R - sum log pi) in log
// space: loss = -L * E_expert[r] + log sum_j exp(R_j - log q_j).
absl::StatusOr<DiscStats> GclStep(const AdversarialConfig& cfg, Discriminator& disc, torch::optim::Adam& opt,
                                  ExpertStore& store, const Rollout& ro, const PolicySamples& samples,
                                  const PolicyState& policy, double expert_length) {
  const int B = cfg.disc.batch_size, od = policy.net->obs_dim(), ad = policy.net->act_dim();
  std::vector<float> e_obs(size_t(B) * od), e_next(size_t(B) * od), e_act(size_t(B) * ad), e_done(B);
  std::vector<uint8_t> e_term(B);
  IRLAB_RETURN_IF_ERROR(store.Sample(B, e_obs.data(), e_act.data(), e_next.data(), e_term.data()));
  for (int k = 0; k < B; ++k) e_done[k] = e_term[k];
  Transitions expert = MakeTransitions(policy, e_obs, e_next, e_act, e_act, e_done, false);
  Transitions pol = MakeTransitions(policy, samples.obs, samples.next_obs, samples.act, samples.act,
                                    samples.done, false);
  // per-env segment returns R_j and behaviour log-likelihoods log q_j: [N]
  torch::Tensor r = disc.reward().Forward(pol).view({ro.T, ro.N});
  torch::Tensor log_q = torch::from_blob(const_cast<float*>(ro.log_probs.data()), {ro.T, ro.N}).sum(0);
  // segments are T steps, expert trajectories expert_length: scale to per-trajectory terms
  torch::Tensor loss = -expert_length * disc.reward().Forward(expert).mean() +
                       LogPartition(r.sum(0), log_q) * (expert_length / ro.T);
  const double value = loss.item<double>();
  if (!std::isfinite(value)) return absl::InternalError(StrCat("non-finite GAN-GCL loss (", value, ")"));
  opt.zero_grad();
  loss.backward();
  opt.step();
  DiscStats st;
  st.loss = value;
  torch::NoGradGuard no_grad;
  torch::Tensor w = ImportanceWeights(r.sum(0), log_q);
  st.expert_acc = 1.0 / (w.square().sum().item<double>());  // effective sample size of the weights
  st.policy_acc = NAN;
  return st;
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
  const uint64_t store_seed = Rng::DeriveSeed(cfg.seed, 21);
  IRLAB_ASSIGN_OR_RETURN(auto store, ExpertStore::Open(demos, cfg.demos, store_seed, od, ad));
  if (store->metadata().task != cfg.env) {
    return absl::InvalidArgumentError(StrCat(demos.string(), ": demonstrations are of task '",
                                             store->metadata().task, "', training asks for '", cfg.env, "'"));
  }
  const double expert_return = store->mean_return();
  IRLAB_ASSIGN_OR_RETURN(EvalResult random, EvaluateRandomPolicy(cfg.env, cfg.env_options, cfg.eval_episodes,
                                                                 Rng::DeriveSeed(cfg.seed, 22), cfg.threads));
  auto normalized = [&](double r) { return (r - random.mean_return) / (expert_return - random.mean_return); };
  std::printf("%s on %s: %lld expert transitions, expert return %.1f, random return %.1f\n", cfg.algo.c_str(),
              cfg.env.c_str(), static_cast<long long>(store->size()), expert_return, random.mean_return);
  if (cfg.algo == "bc") return TrainBc(cfg, *store, spec, run_dir, expert_return, random.mean_return);

  // ---- the reward net / discriminator
  torch::manual_seed(Rng::DeriveSeed(cfg.seed, 23));
  IRLAB_ASSIGN_OR_RETURN(std::unique_ptr<Discriminator> disc, MakeDiscriminator(cfg, od, ad));
  torch::optim::Adam disc_opt(disc->Parameters(), torch::optim::AdamOptions(cfg.disc.learning_rate));

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
      IRLAB_ASSIGN_OR_RETURN(auto bc_store, ExpertStore::Open(demos, cfg.demos, Rng::DeriveSeed(cfg.seed, 25), od, ad));
      const auto bc_start = Clock::now();
      double nll = NAN;
      IRLAB_RETURN_IF_ERROR(FitBc(cfg, *bc_store, st.policy, [&](int64_t, double x) { nll = x; }));
      torch::NoGradGuard no_grad;
      torch::Tensor log_std = st.policy.net->log_std();  // a handle on the policy's parameters
      log_std.clamp_min_(cfg.bc.warm_start_log_std);
      std::printf("warm start: BC fit, %lld steps, final NLL %.3f, %.1f s; log std raised to >= %.2f\n",
                  static_cast<long long>(cfg.bc.steps), nll, Seconds(bc_start), cfg.bc.warm_start_log_std);
    }
  }
  ActorCritic& net = *st.policy.net;
  const auto checkpoint_step = resume ? std::optional<int64_t>(st.global_step) : std::nullopt;
  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger, MetricsLogger::Open(run_dir, true, checkpoint_step));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));
  if (!resume && cfg.bc.warm_start) {  // where the warm start leaves the policy
    IRLAB_ASSIGN_OR_RETURN(EvalResult eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                           true, Rng::DeriveSeed(cfg.seed, 24), cfg.threads));
    logger.Log(0, {{"eval_return", eval.mean_return}, {"eval_normalized_score", normalized(eval.mean_return)}});
    std::printf("warm start: eval return %.1f, normalised score %.3f\n", eval.mean_return,
                normalized(eval.mean_return));
  }
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
  while (st.global_step < cfg.total_steps) {
    const double frac = 1.0 - static_cast<double>(st.iteration) / iterations;
    const double lr = ppo.anneal_lr ? ppo.learning_rate * std::max(frac, 0.0) : ppo.learning_rate;

    // ---- 1. collect policy rollouts
    const auto round_start = Clock::now();
    IRLAB_RETURN_IF_ERROR(CollectRollout(*vec, st.policy, st.rng, update_obs_norm, next_obs, ro));
    st.global_step += batch;
    replay.Add(FromRollout(ro, spec), st.rng);

    // ---- 2. discriminator updates: expert vs policy
    DiscStats disc_stats;
    for (int k = 0; k < cfg.disc.updates_per_round; ++k) {
      absl::StatusOr<DiscStats> step =
          cfg.algo == "gcl" ? GclStep(cfg, *disc, disc_opt, *store, ro, replay.latest(), st.policy, gcl_length)
                            : DiscriminatorStep(cfg, *disc, disc_opt, *store, replay, st.policy, st.rng);
      if (!step.ok()) {
        return absl::InternalError(StrCat(step.status().message(), " at env step ", st.global_step,
                                          "; training stopped, ", LastGoodCheckpoint(checkpoint)));
      }
      disc_stats = *step;
      ++expert_batches;
    }

    // ---- 3. relabel the rollout with the learned reward
    const PolicySamples& now = replay.latest();
    Transitions all = MakeTransitions(st.policy, now.obs, now.next_obs, now.act, now.act_sampled, now.done,
                                      disc->kind() == DiscriminatorKind::kAirl);
    torch::Tensor learned = cfg.algo == "gcl" ? disc->LearnedReward(all) : disc->GeneratorReward(all);
    std::copy(learned.data_ptr<float>(), learned.data_ptr<float>() + batch, ro.rewards.begin());
    const double reward_mean = learned.mean().item<double>(), reward_std = learned.std().item<double>();
    if (ppo.norm_reward) ScaleRewards(ppo, st.reward_scaler, ro);

    // ---- 4. PPO on the learned reward (after the discriminator's warm-up rounds)
    UpdateStats update;  // logged as NaN while the policy waits
    update.policy_loss = update.value_loss = update.entropy = update.approx_kl = NAN;
    if (st.iteration >= cfg.disc.warmup_rounds) {
      ComputeGae(ro.rewards, ro.values, ro.next_values, ro.terminated, ro.truncated, T, N, ppo.gamma,
                 ppo.gae_lambda, ro.advantages, ro.returns);
      auto updated = PpoUpdate(net, *st.adam, ro, ppo, lr, st.rng);
      if (!updated.ok()) {
        return absl::InternalError(StrCat(updated.status().message(), " at env step ", st.global_step,
                                          "; training stopped, ", LastGoodCheckpoint(checkpoint)));
      }
      update = *updated;
    }
    ++st.iteration;

    // ---- 5. log, evaluate, checkpoint
    const bool last = st.global_step >= cfg.total_steps;
    MetricsLogger::Scalars scalars = {
        {"disc_loss", disc_stats.loss}, {"disc_expert_acc", disc_stats.expert_acc},
        {"disc_policy_acc", disc_stats.policy_acc}, {"learned_reward_mean", reward_mean},
        {"learned_reward_std", reward_std}, {"policy_loss", update.policy_loss},
        {"value_loss", update.value_loss}, {"entropy", update.entropy}, {"approx_kl", update.approx_kl},
        {"round_seconds", Seconds(round_start)},
        {"steps_per_second", (st.global_step - start_step) / Seconds(run_start)}};
    if (!ro.episode_returns.empty()) {
      double r = 0;
      for (double x : ro.episode_returns) r += x / ro.episode_returns.size();
      scalars.insert(scalars.begin(), {{"episode_return", r}, {"normalized_score", normalized(r)}});
    }
    if (last || (cfg.eval_every > 0 && st.iteration % cfg.eval_every == 0)) {
      IRLAB_ASSIGN_OR_RETURN(EvalResult eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                             true, Rng::DeriveSeed(cfg.seed, 24), cfg.threads));
      last_eval = eval.mean_return;
      scalars.insert(scalars.begin(), {{"eval_return", eval.mean_return}, {"eval_normalized_score",
                                                                            normalized(eval.mean_return)}});
    }
    logger.Log(st.global_step, scalars);
    progress.Update(st.global_step);
    if (last || st.global_step / cfg.checkpoint_every != (st.global_step - batch) / cfg.checkpoint_every) {
      st.envs = vec->GetState();
      IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(checkpoint, st, [&](torch::serialize::OutputArchive& a) {
        WriteDiscriminator(a, cfg, *disc, disc_opt, expert_batches);
        WriteReplay(a, replay);
      }));
      fs::copy_file(checkpoint, run_dir / "checkpoints" / StrCat("step_", st.global_step, ".pt"),
                    fs::copy_options::overwrite_existing);
    }
  }
  progress.Finish();
  std::printf("%s %s: expert %.1f, random %.1f, %s %.1f -> normalised score %.3f (%.0f s)\n", cfg.algo.c_str(),
              cfg.env.c_str(), expert_return, random.mean_return, cfg.algo.c_str(), last_eval,
              normalized(last_eval), Seconds(run_start));
  return WriteFileAtomically(
      run_dir / "eval.json",
      StrCat("{\"algo\": \"", cfg.algo, "\", \"env\": \"", cfg.env, "\", \"episodes\": ", cfg.eval_episodes,
             ", \"deterministic\": true, \"return_mean\": ", last_eval, ", \"expert_return\": ", expert_return,
             ", \"random_return\": ", random.mean_return, ", \"normalized_score\": ", normalized(last_eval),
             ", \"env_steps\": ", st.global_step, ", \"wall_seconds\": ", Seconds(run_start), "}\n"));
}

}  // namespace irlab
