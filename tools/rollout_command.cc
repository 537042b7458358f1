// irlab rollout: a scripted or random policy on a task through the VecEnv;
// prints each episode's return and the env steps per second.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/config.h"
#include "core/files.h"
#include "core/metrics.h"
#include "core/progress.h"
#include "core/rng.h"
#include "core/run_info.h"
#include "core/strings.h"
#include "envs/registry.h"
#include "envs/vec_env.h"
#include "tools/cli_util.h"

namespace irlab {
namespace {

struct RolloutConfig {
  std::string env = "HalfCheetah";  // task name (irlab envs lists them)
  std::string policy = "random";    // random: uniform in the action range; sine: open-loop gait
  int episodes = 4;                 // episodes to finish before stopping
  int num_envs = 4;                 // environments stepped together
  int threads = 2;                  // VecEnv threads
  int64_t seed = 0;                 // seeds env resets and the random policy
  EnvOptions env_options;

  void Bind(ConfigBinder& b) {
    b.Field("env", env, "task name");
    b.Field("policy", policy, "random or sine (open-loop sinusoidal gait)")
        .OneOf({"random", "sine"});
    b.Field("episodes", episodes, "episodes to run").Range(1, 1e6);
    b.Field("num_envs", num_envs, "environments stepped together").Range(1, 1024);
    b.Field("threads", threads, "VecEnv worker threads").Range(1, 256);
    b.Field("seed", seed, "random seed").Min(0);
    b.Section("env_options", env_options);
  }
};

// Fills actions [N, act_dim] for env step t.
void ChooseActions(const RolloutConfig& cfg, const EnvSpec& spec, int64_t t, Rng& rng,
                   std::vector<float>& actions) {
  const int n = static_cast<int>(actions.size()) / spec.act_dim;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < spec.act_dim; ++j) {
      const double lo = std::isfinite(spec.act_low[j]) ? spec.act_low[j] : -1.0;
      const double hi = std::isfinite(spec.act_high[j]) ? spec.act_high[j] : 1.0;
      double a;
      if (cfg.policy == "random") {
        a = rng.Uniform(lo, hi);
      } else {
        // a travelling wave along the joints, ~2 Hz
        const double phase = 2 * std::numbers::pi * (2.0 * t * spec.dt) + j * std::numbers::pi / 3;
        a = 0.5 * (lo + hi) + 0.5 * (hi - lo) * std::sin(phase);
      }
      actions[i * spec.act_dim + j] = static_cast<float>(a);
    }
  }
}

}  // namespace

int RolloutCommand(const Args& args) {
  std::string env, policy, config_file, out;
  int episodes = 0;
  int64_t seed = -1;
  std::vector<std::string> sets;
  FlagParser flags("rollout",
                   "Runs a random or scripted policy and prints each episode's return and the\n"
                   "environment steps per second. With --out, writes the resolved config and\n"
                   "per-episode metrics (CSV, JSONL) there.");
  flags.Add("env", &env, "task name (default HalfCheetah)");
  flags.Add("policy", &policy, "random or sine");
  flags.Add("episodes", &episodes, "episodes to run (default 4)");
  flags.Add("seed", &seed, "random seed (default 0)");
  flags.Add("config", &config_file, "TOML file overriding the defaults");
  flags.Add("set", &sets, "key=value override, e.g. --set env_options.horizon=200");
  flags.Add("out", &out, "run directory for config and metrics (optional)");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;

  RolloutConfig cfg;
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "policy", "policy", policy, given);
  AddFlagOverride(flags, "episodes", "episodes", StrCat(episodes), given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);
  if (absl::Status s = LoadConfig(cfg, config_file, sets, given); !s.ok())
    return Fail("rollout", s);
  if (absl::Status s = PinTaskModel(cfg.env, cfg.env_options); !s.ok()) return Fail("rollout", s);

  auto vec = VecEnv::Make(cfg.env, cfg.num_envs, cfg.env_options, cfg.threads);
  if (!vec.ok()) return Fail("rollout", vec.status());
  VecEnv& envs = **vec;
  const EnvSpec& spec = envs.spec();

  std::optional<MetricsLogger> logger;
  if (!out.empty()) {
    if (absl::Status s = EnsureDirectory(out); !s.ok()) return Fail("rollout", s);
    if (absl::Status s = WriteRunInfo(out, "rollout", args); !s.ok()) return Fail("rollout", s);
    const std::string toml = ConfigSchema::For(cfg).ToToml();
    if (absl::Status s = WriteFileAtomically(std::filesystem::path(out) / "config.toml", toml);
        !s.ok()) {
      return Fail("rollout", s);
    }
    auto opened = MetricsLogger::Open(out, /*console=*/false);
    if (!opened.ok()) return Fail("rollout", opened.status());
    logger.emplace(std::move(*opened));
  }

  std::printf("%s: obs %d, act %d, dt %g, horizon %d; %s policy, %d envs on %d threads\n",
              spec.name.c_str(), spec.obs_dim, spec.act_dim, spec.dt, spec.horizon,
              cfg.policy.c_str(), cfg.num_envs, cfg.threads);
  Rng rng(Rng::DeriveSeed(cfg.seed, 1u << 20));
  std::vector<float> actions(cfg.num_envs * spec.act_dim);
  envs.Reset(cfg.seed);
  ProgressBar progress("rollout", cfg.episodes, "episodes");
  std::vector<double> returns;
  int64_t steps = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t t = 0; static_cast<int>(returns.size()) < cfg.episodes; ++t) {
    ChooseActions(cfg, spec, t, rng, actions);
    if (absl::Status s = envs.Step(actions); !s.ok()) return Fail("rollout", s);
    steps += cfg.num_envs;
    for (int i = 0; i < cfg.num_envs && static_cast<int>(returns.size()) < cfg.episodes; ++i) {
      if (!envs.terminated()[i] && !envs.truncated()[i]) continue;
      returns.push_back(envs.episode_returns()[i]);
      std::printf("episode %3zu  env %d  return %10.2f  length %5d  %s\n", returns.size(), i,
                  envs.episode_returns()[i], envs.episode_lengths()[i],
                  envs.terminated()[i] ? "terminated" : "truncated");
      if (logger) {
        const absl::Status s =
            logger->Log(steps, {{"episode_return", envs.episode_returns()[i]},
                                {"episode_length", double(envs.episode_lengths()[i])}});
        if (!s.ok()) return Fail("rollout", s);
      }
      progress.Update(static_cast<int64_t>(returns.size()));
    }
  }
  progress.Finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double mean = 0, var = 0;
  for (double r : returns) mean += r / returns.size();
  for (double r : returns) var += (r - mean) * (r - mean) / returns.size();
  std::printf("mean return %.2f +- %.2f over %zu episodes\n", mean, std::sqrt(var), returns.size());
  std::printf("%lld env steps in %.2f s: %.0f env steps/s\n", static_cast<long long>(steps),
              seconds, steps / seconds);
  return 0;
}

}  // namespace irlab
