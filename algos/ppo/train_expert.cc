// PPO on the true reward, top to bottom: collect a rollout with the VecEnv ->
// GAE -> epochs x minibatches of clipped-surrogate updates -> log/checkpoint.
// The algorithm follows algorithms.md's MuJoCo recipe; the plumbing keeps
// tensor ops few (flat parameters, C++-side sampling) since per-op overhead,
// not arithmetic, is what small PPO batches pay for.
#include <chrono>
#include <cmath>
#include <numbers>

#include "algos/ppo/checkpoint.h"
#include "algos/ppo/gae.h"
#include "algos/ppo/losses.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"
#include "core/files.h"
#include "core/metrics.h"
#include "core/progress.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// Rollout storage, time-major: index [t * N + i].
struct Rollout {
  std::vector<float> obs;          // [T, N, obs_dim] normalised observations acted on
  std::vector<float> actions;      // [T, N, act_dim] unclipped samples
  std::vector<float> log_probs;    // [T, N]
  std::vector<float> values;       // [T, N]
  std::vector<float> next_values;  // [T, N] V(s_{t+1}); V(final obs) where truncated
  std::vector<float> rewards;      // [T, N] scaled rewards
  std::vector<uint8_t> terminated, truncated;  // [T, N]
  std::vector<float> advantages, returns;      // [T, N]

  Rollout(int T, int N, int obs_dim, int act_dim)
      : obs(size_t(T) * N * obs_dim), actions(size_t(T) * N * act_dim), log_probs(size_t(T) * N),
        values(size_t(T) * N), next_values(size_t(T) * N), rewards(size_t(T) * N),
        terminated(size_t(T) * N), truncated(size_t(T) * N), advantages(size_t(T) * N),
        returns(size_t(T) * N) {}
};

// Normalises raw observations [n, obs_dim] into `out` (copies when off).
void NormalizeObs(const PolicyState& p, std::span<const float> raw, std::span<float> out) {
  if (p.norm_obs) {
    p.obs_rms.Normalize(raw, out, p.obs_clip);
  } else {
    std::copy(raw.begin(), raw.end(), out.begin());
  }
}

// Values of normalised observations [n, obs_dim].
std::vector<float> Values(ActorCritic& net, std::span<float> obs, int n) {
  c10::InferenceMode guard;
  torch::Tensor v = net.Value(torch::from_blob(obs.data(), {n, net.obs_dim()}));
  return std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + n);
}

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

absl::Status TrainExpert(const ExpertConfig& cfg, const fs::path& run_dir, bool resume) {
  const PpoConfig& ppo = cfg.ppo;
  torch::set_num_threads(cfg.torch_threads);
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
    st.policy.env_name = cfg.env;
    st.policy.actor_hidden = ppo.actor_hidden;
    st.policy.critic_hidden = ppo.critic_hidden;
    st.policy.net = std::make_unique<ActorCritic>(od, ad, ppo.actor_hidden, ppo.critic_hidden,
                                                  ppo.log_std_init, Rng::DeriveSeed(cfg.seed, 1));
    st.policy.obs_rms = RunningMeanStd(od);
    st.policy.norm_obs = ppo.norm_obs;
    st.policy.obs_clip = ppo.obs_clip;
    st.adam = std::make_unique<FlatAdam>(st.policy.net->flat_params().numel(), ppo.adam_eps);
    st.reward_scaler = RewardScaler(N, ppo.gamma);
    st.rng.Seed(Rng::DeriveSeed(cfg.seed, 2));
    vec->Reset(Rng::DeriveSeed(cfg.seed, 3));
    if (ppo.norm_obs) st.policy.obs_rms.Update(vec->obs(), N);
  }
  ActorCritic& net = *st.policy.net;
  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger, MetricsLogger::Open(run_dir, true));
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));

  Rollout ro(T, N, od, ad);
  std::vector<float> next_obs(size_t(N) * od), final_obs(size_t(N) * od), raw_rewards(N);
  std::vector<uint8_t> done(N);
  NormalizeObs(st.policy, vec->obs(), next_obs);
  const double half_log_2pi = 0.5 * std::log(2 * std::numbers::pi);
  ProgressBar progress("expert " + cfg.env, cfg.total_steps);
  const auto run_start = Clock::now();
  const int64_t start_step = st.global_step;

  while (st.global_step < cfg.total_steps) {
    const double frac = 1.0 - static_cast<double>(st.iteration) / iterations;
    const double lr = ppo.anneal_lr ? ppo.learning_rate * std::max(frac, 0.0) : ppo.learning_rate;

    // ---- collect T steps from each of the N envs
    const auto collect_start = Clock::now();
    std::vector<double> finished_returns, finished_lengths;
    const float* log_std = net.log_std().data_ptr<float>();
    for (int t = 0; t < T; ++t) {
      float* obs_t = &ro.obs[size_t(t) * N * od];
      float* act_t = &ro.actions[size_t(t) * N * ad];
      std::copy(next_obs.begin(), next_obs.end(), obs_t);
      {
        c10::InferenceMode guard;
        torch::Tensor obs_tensor = torch::from_blob(obs_t, {N, od});
        torch::Tensor mean = net.Mean(obs_tensor);  // [N, ad]
        torch::Tensor value = net.Value(obs_tensor);  // [N]
        const float* m = mean.data_ptr<float>();
        std::copy(value.data_ptr<float>(), value.data_ptr<float>() + N, &ro.values[size_t(t) * N]);
        // a = mean + std * eps, log pi(a|s) from eps directly
        for (int i = 0; i < N; ++i) {
          double log_prob = 0;
          for (int j = 0; j < ad; ++j) {
            const double eps = st.rng.Normal();
            act_t[i * ad + j] = m[i * ad + j] + std::exp(log_std[j]) * static_cast<float>(eps);
            log_prob += -0.5 * eps * eps - log_std[j] - half_log_2pi;
          }
          ro.log_probs[size_t(t) * N + i] = static_cast<float>(log_prob);
        }
      }
      IRLAB_RETURN_IF_ERROR(vec->Step(std::span<const float>(act_t, size_t(N) * ad)));

      for (int i = 0; i < N; ++i) {
        const size_t k = size_t(t) * N + i;
        ro.terminated[k] = vec->terminated()[i];
        ro.truncated[k] = vec->truncated()[i];
        done[i] = ro.terminated[k] || ro.truncated[k];
        raw_rewards[i] = vec->rewards()[i];
        if (done[i]) {
          finished_returns.push_back(vec->episode_returns()[i]);
          finished_lengths.push_back(vec->episode_lengths()[i]);
        }
      }
      if (ppo.norm_reward) st.reward_scaler.Scale(raw_rewards, done, ppo.reward_clip);
      std::copy(raw_rewards.begin(), raw_rewards.end(), &ro.rewards[size_t(t) * N]);
      if (ppo.norm_obs) st.policy.obs_rms.Update(vec->obs(), N);
      NormalizeObs(st.policy, vec->obs(), next_obs);

      // bootstrap targets: V(final obs) for time-limit endings
      bool any_truncated = false;
      for (int i = 0; i < N; ++i) any_truncated |= ro.truncated[size_t(t) * N + i] != 0;
      if (any_truncated) {
        NormalizeObs(st.policy, vec->final_obs(), final_obs);
        const std::vector<float> v = Values(net, final_obs, N);
        for (int i = 0; i < N; ++i) ro.next_values[size_t(t) * N + i] = v[i];
      }
    }
    const std::vector<float> last_values = Values(net, next_obs, N);
    for (int t = 0; t < T; ++t) {
      for (int i = 0; i < N; ++i) {
        const size_t k = size_t(t) * N + i;
        if (ro.truncated[k]) continue;  // already V(final obs)
        ro.next_values[k] = t + 1 < T ? ro.values[k + N] : last_values[i];
      }
    }
    st.global_step += batch;
    const double collect_seconds = Seconds(collect_start);

    // ---- advantages
    ComputeGae(ro.rewards, ro.values, ro.next_values, ro.terminated, ro.truncated, T, N, ppo.gamma,
               ppo.gae_lambda, ro.advantages, ro.returns);

    // ---- epochs x minibatches of PPO updates
    const auto update_start = Clock::now();
    torch::Tensor b_obs = torch::from_blob(ro.obs.data(), {batch, od});
    torch::Tensor b_act = torch::from_blob(ro.actions.data(), {batch, ad});
    torch::Tensor b_logp = torch::from_blob(ro.log_probs.data(), {batch});
    torch::Tensor b_adv = torch::from_blob(ro.advantages.data(), {batch});
    torch::Tensor b_ret = torch::from_blob(ro.returns.data(), {batch});
    torch::Tensor b_val = torch::from_blob(ro.values.data(), {batch});
    std::vector<int64_t> order(batch);
    double pg_loss = 0, v_loss = 0, entropy = 0, approx_kl = 0, clip_frac = 0, grad_norm = 0;
    int updates = 0;
    bool early_stop = false;
    for (int epoch = 0; epoch < ppo.epochs && !early_stop; ++epoch) {
      // a fresh permutation, applied once per epoch; minibatches are then slices
      for (int64_t k = 0; k < batch; ++k) order[k] = k;
      for (int64_t k = batch - 1; k > 0; --k) std::swap(order[k], order[st.rng.UniformInt(k + 1)]);
      torch::Tensor perm = torch::from_blob(order.data(), {batch}, torch::kInt64);
      torch::Tensor e_obs = b_obs.index_select(0, perm), e_act = b_act.index_select(0, perm);
      torch::Tensor e_logp = b_logp.index_select(0, perm), e_adv = b_adv.index_select(0, perm);
      torch::Tensor e_ret = b_ret.index_select(0, perm), e_val = b_val.index_select(0, perm);
      double epoch_kl = 0;
      for (int mb = 0; mb < ppo.minibatches; ++mb) {
        const int64_t begin = batch * mb / ppo.minibatches, size = batch * (mb + 1) / ppo.minibatches - begin;
        torch::Tensor obs = e_obs.narrow(0, begin, size);
        torch::Tensor mean = net.Mean(obs);
        torch::Tensor log_prob = GaussianLogProb(e_act.narrow(0, begin, size), mean, net.log_std());
        torch::Tensor value = net.Value(obs);
        PpoLoss loss = ComputePpoLoss(log_prob, e_logp.narrow(0, begin, size), e_adv.narrow(0, begin, size),
                                      value, e_val.narrow(0, begin, size), e_ret.narrow(0, begin, size),
                                      GaussianEntropy(net.log_std()), ppo);
        const double total = loss.total.item<double>();
        if (!std::isfinite(total)) {
          return absl::InternalError(StrCat("non-finite PPO loss at env step ", st.global_step,
                                            " (iteration ", st.iteration, "); training stopped, the last "
                                            "good checkpoint is ", checkpoint.string()));
        }
        net.flat_grads().zero_();
        loss.total.backward();
        grad_norm = ClipGradNorm(net.flat_grads(), ppo.max_grad_norm);
        st.adam->Step(net.flat_params(), net.flat_grads(), lr);
        pg_loss = loss.policy.item<double>();
        v_loss = loss.value.item<double>();
        entropy = loss.entropy.item<double>();
        clip_frac = loss.clip_frac.item<double>();
        epoch_kl += loss.approx_kl.item<double>() / ppo.minibatches;
        ++updates;
      }
      approx_kl = epoch_kl;
      early_stop = ppo.target_kl > 0 && approx_kl > ppo.target_kl;
    }
    const double update_seconds = Seconds(update_start);
    ++st.iteration;

    // ---- log and checkpoint
    double var_ret = 0, var_res = 0, mean_ret = 0;
    for (int64_t k = 0; k < batch; ++k) mean_ret += ro.returns[k] / batch;
    for (int64_t k = 0; k < batch; ++k) {
      var_ret += (ro.returns[k] - mean_ret) * (ro.returns[k] - mean_ret);
      const double res = ro.returns[k] - ro.values[k];
      var_res += res * res;
    }
    MetricsLogger::Scalars scalars = {
        {"lr", lr}, {"policy_loss", pg_loss}, {"value_loss", v_loss}, {"entropy", entropy},
        {"approx_kl", approx_kl}, {"clip_frac", clip_frac}, {"grad_norm", grad_norm},
        {"explained_variance", var_ret > 0 ? 1 - var_res / var_ret : NAN},
        {"updates", static_cast<double>(updates)},
        {"collect_seconds", collect_seconds}, {"update_seconds", update_seconds},
        {"steps_per_second", (st.global_step - start_step) / Seconds(run_start)}};
    if (!finished_returns.empty()) {
      double r = 0, l = 0;
      for (size_t k = 0; k < finished_returns.size(); ++k) {
        r += finished_returns[k];
        l += finished_lengths[k];
      }
      scalars.insert(scalars.begin(), {{"episode_return", r / finished_returns.size()},
                                       {"episode_length", l / finished_returns.size()}});
    }
    logger.Log(st.global_step, scalars);
    progress.Update(st.global_step);

    const bool last = st.global_step >= cfg.total_steps;
    if (last || st.global_step / cfg.checkpoint_every != (st.global_step - batch) / cfg.checkpoint_every) {
      st.envs = vec->GetState();
      IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(checkpoint, st));
      fs::copy_file(checkpoint, run_dir / "checkpoints" / StrCat("step_", st.global_step, ".pt"),
                    fs::copy_options::overwrite_existing);
      if (!last && cfg.pause_at_steps > 0 && st.global_step >= cfg.pause_at_steps) {
        std::printf("paused at env step %lld; continue with --resume\n", static_cast<long long>(st.global_step));
        return absl::OkStatus();
      }
    }
  }
  progress.Finish();

  // ---- final deterministic evaluation on the true reward
  if (cfg.eval_episodes > 0) {
    Policy policy(std::make_unique<PolicyState>(std::move(st.policy)));
    IRLAB_ASSIGN_OR_RETURN(EvalResult eval, EvaluatePolicy(policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                                           true, Rng::DeriveSeed(cfg.seed, 4), cfg.threads));
    std::printf("eval %s: return %.1f +- %.1f over %d episodes (length %.0f); %.1f s wall clock\n",
                cfg.env.c_str(), eval.mean_return, eval.std_return, cfg.eval_episodes, eval.mean_length,
                Seconds(run_start));
    IRLAB_RETURN_IF_ERROR(WriteFileAtomically(
        run_dir / "eval.json",
        StrCat("{\"env\": \"", cfg.env, "\", \"episodes\": ", cfg.eval_episodes, ", \"deterministic\": true, ",
               "\"return_mean\": ", eval.mean_return, ", \"return_std\": ", eval.std_return,
               ", \"length_mean\": ", eval.mean_length, ", \"env_steps\": ", st.global_step,
               ", \"wall_seconds\": ", Seconds(run_start), "}\n")));
  }
  return absl::OkStatus();
}

}  // namespace irlab
