// Behaviour cloning. The baseline is written as a policy checkpoint, so eval,
// collect and replay take it like any other.
#include "algos/adversarial/bc.h"

#include <chrono>
#include <cmath>
#include <numbers>

#include "algos/common/seed_streams.h"
#include "algos/nn/adam.h"
#include "algos/ppo/policy.h"
#include "core/files.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/progress.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {

double BcLossAndGradient(const ActorCritic& net, const float* obs, const float* actions, int batch,
                         nn::MlpScratch& scratch, float* grads) {
  const int A = net.act_dim();
  const float* log_std = net.log_std();
  const float* mean = nn::Forward(net.actor(), net.params(), obs, batch, scratch);  // [B, A]
  std::vector<float> inv_std(A), d_mean(size_t(batch) * A);
  std::vector<double> d_log_std(A, 0.0);
  for (int j = 0; j < A; ++j) inv_std[j] = std::exp(-log_std[j]);
  // loss = -(1/B) sum_i log N(a_i; mean_i, std): d/d mean = -(z / std) / B, d/d log std = -(z^2 -
  // 1) / B
  double nll = 0;
  for (int i = 0; i < batch; ++i) {
    float log_prob = 0;
    for (int j = 0; j < A; ++j) {
      const float z = (actions[i * A + j] - mean[i * A + j]) * inv_std[j];
      log_prob += GaussianLogDensity(z, log_std[j]);
      d_mean[i * A + j] = -z * inv_std[j] / batch;
      d_log_std[j] -= (z * z - 1.0f) / batch;
    }
    nll -= log_prob;
  }
  std::fill(grads, grads + net.num_params(), 0.0f);
  nn::Backward(net.actor(), net.params(), scratch, d_mean.data(), grads, /*accumulate=*/false,
               /*dx=*/nullptr);
  for (int j = 0; j < A; ++j) grads[net.log_std_offset() + j] = static_cast<float>(d_log_std[j]);
  return nll / batch;
}

absl::Status FitBc(const AdversarialConfig& cfg, ExpertStore& store, PolicyState& policy,
                   const std::function<absl::Status(int64_t, double)>& on_step) {
  ActorCritic& net = *policy.net;
  const int obs_dim = net.obs_dim(), act_dim = net.act_dim(), batch_size = cfg.bc.batch_size;
  FlatAdam adam(net.flat_params().numel(), cfg.ppo.adam_eps);
  std::vector<float> obs(size_t(batch_size) * obs_dim), act(size_t(batch_size) * act_dim);
  // observation statistics from the demonstrations
  policy.obs_rms = RunningMeanStd(obs_dim);
  for (int k = 0; k < 20; ++k) {
    IRLAB_RETURN_IF_ERROR(store.Sample(batch_size, obs.data(), act.data(), nullptr, nullptr));
    policy.obs_rms.Update(obs, batch_size);
  }
  std::vector<float> grads(net.num_params());
  nn::MlpScratch scratch;
  for (int64_t step = 1; step <= cfg.bc.steps; ++step) {
    IRLAB_RETURN_IF_ERROR(store.Sample(batch_size, obs.data(), act.data(), nullptr, nullptr));
    if (policy.norm_obs) policy.obs_rms.Normalize(obs, obs, policy.obs_clip);
    const double nll =
        BcLossAndGradient(net, obs.data(), act.data(), batch_size, scratch, grads.data());
    if (!std::isfinite(nll))
      return absl::InternalError(StrCat("non-finite BC loss at step ", step));
    nn::ClipNorm(grads.data(), net.num_params(), cfg.ppo.max_grad_norm);
    adam.Step(net.params(), grads.data(), cfg.bc.learning_rate);
    if (step % 1000 == 0 || step == cfg.bc.steps) IRLAB_RETURN_IF_ERROR(on_step(step, nll));
  }
  return absl::OkStatus();
}

absl::Status WarmStartWithBc(const AdversarialConfig& cfg, PolicyState& policy) {
  const auto start = std::chrono::steady_clock::now();
  ActorCritic& net = *policy.net;
  IRLAB_ASSIGN_OR_RETURN(auto store, ExpertStore::Open(cfg.demos_file, cfg.demos,
                                                       StreamSeed(cfg.seed, SeedStream::kBcBatches),
                                                       net.obs_dim(), net.act_dim()));
  double nll = NAN;
  IRLAB_RETURN_IF_ERROR(FitBc(cfg, *store, policy, [&](int64_t, double x) {
    nll = x;
    return absl::OkStatus();
  }));
  float* log_std = net.log_std();
  for (int j = 0; j < net.act_dim(); ++j) {
    log_std[j] = std::max(log_std[j], static_cast<float>(cfg.bc.warm_start_log_std));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("warm start: BC fit, %lld steps, final NLL %.3f, %.1f s; log std raised to >= %.2f\n",
              static_cast<long long>(cfg.bc.steps), nll, seconds, cfg.bc.warm_start_log_std);
  return absl::OkStatus();
}

absl::Status TrainBc(const AdversarialConfig& cfg, ExpertStore& store, const EnvSpec& spec,
                     const std::filesystem::path& run_dir, double expert_return,
                     double random_return) {
  const auto start = std::chrono::steady_clock::now();
  const int obs_dim = spec.obs_dim, act_dim = spec.act_dim;
  PpoTrainState state;
  state.policy.env_name = cfg.env;
  state.policy.actor_hidden = cfg.ppo.actor_hidden;
  state.policy.critic_hidden = cfg.ppo.critic_hidden;
  state.policy.net = std::make_unique<ActorCritic>(obs_dim, act_dim, cfg.ppo.actor_hidden,
                                                   cfg.ppo.critic_hidden, cfg.ppo.log_std_init,
                                                   StreamSeed(cfg.seed, SeedStream::kNetworkInit));
  state.policy.norm_obs = cfg.ppo.norm_obs;
  state.policy.obs_clip = cfg.ppo.obs_clip;
  state.adam =
      std::make_unique<FlatAdam>(state.policy.net->flat_params().numel(), cfg.ppo.adam_eps);
  state.config_toml = "";

  IRLAB_ASSIGN_OR_RETURN(MetricsLogger logger, MetricsLogger::Open(run_dir, /*console=*/false));
  ProgressBar progress("bc " + cfg.env, cfg.bc.steps, "updates");
  IRLAB_RETURN_IF_ERROR(FitBc(cfg, store, state.policy, [&](int64_t step, double nll) {
    IRLAB_RETURN_IF_ERROR(logger.Log(step, {{"bc_nll", nll}}));
    progress.Update(step);
    return absl::OkStatus();
  }));
  progress.Finish();
  state.iteration = cfg.bc.steps;
  IRLAB_RETURN_IF_ERROR(SavePpoCheckpoint(run_dir / "checkpoint.pt", state));
  IRLAB_ASSIGN_OR_RETURN(
      EvalResult eval, EvaluatePolicy(state.policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                                      /*deterministic=*/true,
                                      StreamSeed(cfg.seed, SeedStream::kEvaluation), cfg.threads));
  const double score = (eval.mean_return - random_return) / (expert_return - random_return);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  IRLAB_RETURN_IF_ERROR(logger.Log(
      cfg.bc.steps, {{"eval_return", eval.mean_return}, {"eval_normalized_score", score}}));
  std::printf("bc %s: expert %.1f, random %.1f, bc %.1f -> normalised score %.3f (%.0f s)\n",
              cfg.env.c_str(), expert_return, random_return, eval.mean_return, score, seconds);
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
