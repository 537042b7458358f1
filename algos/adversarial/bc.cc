// Behaviour cloning. The baseline is written as a policy checkpoint, so eval,
// collect and replay take it like any other.
#include "algos/adversarial/bc.h"

#include <chrono>

#include "algos/ppo/losses.h"
#include "algos/ppo/policy.h"
#include "core/files.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/progress.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {

absl::Status FitBc(const AdversarialConfig& cfg, ExpertStore& store, PolicyState& policy,
                   const std::function<void(int64_t, double)>& on_step) {
  ActorCritic& net = *policy.net;
  const int od = net.obs_dim(), ad = net.act_dim(), B = cfg.bc.batch_size;
  FlatAdam adam(net.flat_params().numel(), cfg.ppo.adam_eps);
  std::vector<float> obs(size_t(B) * od), act(size_t(B) * ad);
  // observation statistics from the demonstrations
  policy.obs_rms = RunningMeanStd(od);
  for (int k = 0; k < 20; ++k) {
    IRLAB_RETURN_IF_ERROR(store.Sample(B, obs.data(), act.data(), nullptr, nullptr));
    policy.obs_rms.Update(obs, B);
  }
  for (int64_t step = 1; step <= cfg.bc.steps; ++step) {
    IRLAB_RETURN_IF_ERROR(store.Sample(B, obs.data(), act.data(), nullptr, nullptr));
    if (policy.norm_obs) policy.obs_rms.Normalize(obs, obs, policy.obs_clip);
    torch::Tensor o = torch::from_blob(obs.data(), {B, od}), a = torch::from_blob(act.data(), {B, ad});
    torch::Tensor loss = -GaussianLogProb(a, net.Mean(o), net.log_std()).mean();
    const double nll = loss.item<double>();
    if (!std::isfinite(nll)) return absl::InternalError(StrCat("non-finite BC loss at step ", step));
    net.flat_grads().zero_();
    loss.backward();
    ClipGradNorm(net.flat_grads(), cfg.ppo.max_grad_norm);
    adam.Step(net.flat_params(), net.flat_grads(), cfg.bc.learning_rate);
    if (step % 1000 == 0 || step == cfg.bc.steps) on_step(step, nll);
  }
  return absl::OkStatus();
}

absl::Status TrainBc(const AdversarialConfig& cfg, ExpertStore& store, const EnvSpec& spec,
                     const std::filesystem::path& run_dir, double expert_return, double random_return) {
  const auto start = std::chrono::steady_clock::now();
  const int od = spec.obs_dim, ad = spec.act_dim;
  PpoTrainState st;
  st.policy.env_name = cfg.env;
  st.policy.actor_hidden = cfg.ppo.actor_hidden;
  st.policy.critic_hidden = cfg.ppo.critic_hidden;
  st.policy.net = std::make_unique<ActorCritic>(od, ad, cfg.ppo.actor_hidden, cfg.ppo.critic_hidden,
                                                cfg.ppo.log_std_init, Rng::DeriveSeed(cfg.seed, 1));
  st.policy.norm_obs = cfg.ppo.norm_obs;
  st.policy.obs_clip = cfg.ppo.obs_clip;
  st.adam = std::make_unique<FlatAdam>(st.policy.net->flat_params().numel(), cfg.ppo.adam_eps);
  st.config_toml = "";

  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger, MetricsLogger::Open(run_dir, false));
  ProgressBar progress("bc " + cfg.env, cfg.bc.steps, "updates");
  IRLAB_RETURN_IF_ERROR(FitBc(cfg, store, st.policy, [&](int64_t step, double nll) {
    logger.Log(step, {{"bc_nll", nll}});
    progress.Update(step);
  }));
  progress.Finish();
  st.iteration = cfg.bc.steps;
  IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(run_dir / "checkpoint.pt", st));
  IRLAB_ASSIGN_OR_RETURN(EvalResult eval, EvaluatePolicy(st.policy, cfg.env, cfg.env_options, cfg.eval_episodes, true,
                                                         Rng::DeriveSeed(cfg.seed, 24), cfg.threads));
  const double score = (eval.mean_return - random_return) / (expert_return - random_return);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  logger.Log(cfg.bc.steps, {{"eval_return", eval.mean_return}, {"eval_normalized_score", score}});
  std::printf("bc %s: expert %.1f, random %.1f, bc %.1f -> normalised score %.3f (%.0f s)\n", cfg.env.c_str(),
              expert_return, random_return, eval.mean_return, score, seconds);
  return WriteJsonFile(run_dir / "eval.json", Json{{"algo", "bc"},
                                                   {"env", cfg.env},
                                                   {"episodes", cfg.eval_episodes},
                                                   {"deterministic", true},
                                                   {"return_mean", eval.mean_return},
                                                   {"expert_return", expert_return},
                                                   {"random_return", random_return},
                                                   {"normalized_score", score},
                                                   {"env_steps", 0},
                                                   {"gradient_steps", cfg.bc.steps},
                                                   {"wall_seconds", seconds}});
}

}  // namespace irlab
