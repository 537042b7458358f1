// irlab eval: the true return of any trained policy.
#include <cstdio>

#include "algos/ppo/policy.h"
#include "core/strings.h"
#include "envs/options.h"
#include "tools/cli_util.h"

namespace irlab {

int EvalCommand(const Args& args) {
  std::string run, env;
  int episodes = 10, threads = 2;
  int64_t seed = 12345;
  bool deterministic = false;
  std::vector<std::string> sets;
  FlagParser flags("eval",
                   "Runs a policy checkpoint for whole episodes and prints the mean +- std\n"
                   "of the true return and the episode length.");
  flags.Add("run", &run, "run directory (its checkpoint.pt) or a checkpoint file");
  flags.Add("episodes", &episodes, "episodes to run");
  flags.Add("deterministic", &deterministic, "act with the policy's mean instead of sampling");
  flags.Add("env", &env, "task to evaluate on (default: the policy's own)");
  flags.Add("seed", &seed, "seed for episode starts and action noise");
  flags.Add("threads", &threads, "VecEnv threads");
  flags.Add("set", &sets, "env option override, e.g. --set horizon=500 (on top of the run's own)");
  flags.Require("run");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (episodes < 1 || threads < 1) {
    std::fprintf(stderr, "irlab eval: --episodes and --threads must be >= 1\n");
    return 2;
  }
  // on the policy's own task, the task as its run had it (model, weights), then --set
  EnvOptions options;
  if (env.empty()) {
    if (absl::Status s = ApplyRunEnvOptions(RunDirOf(run), options); !s.ok())
      return Fail("eval", s);
  }
  if (absl::Status s = LoadConfig(options, "", sets); !s.ok()) return Fail("eval", s);
  auto policy = Policy::Load(run);
  if (!policy.ok()) return Fail("eval", policy.status());
  if (env.empty()) env = (*policy)->env_name();
  auto result =
      EvaluatePolicy((*policy)->state(), env, options, episodes, deterministic, seed, threads);
  if (!result.ok()) return Fail("eval", result.status());
  std::printf("%s on %s (%s): return %.2f +- %.2f, length %.1f over %d episodes\n", run.c_str(),
              env.c_str(), deterministic ? "deterministic" : "stochastic", result->mean_return,
              result->std_return, result->mean_length, episodes);
  return 0;
}

}  // namespace irlab
