// irlab expert: PPO on a task's true reward, with exact resume.
#include <cstdio>

#include "algos/ppo/ppo.h"
#include "core/strings.h"
#include "envs/registry.h"
#include "tools/cli_util.h"

namespace irlab {

int ExpertCommand(const Args& args) {
  std::string env, config_file, out, resume;
  int64_t seed = -1;
  std::vector<std::string> sets;
  FlagParser flags("expert",
                   "Trains a PPO policy on a task's true reward. The run directory receives\n"
                   "config.toml (the resolved config), metrics.csv/jsonl, checkpoint.pt (newest),\n"
                   "checkpoints/step_*.pt and eval.json (deterministic return at the end).\n"
                   "--resume RUN_DIR continues an interrupted run exactly.");
  flags.Add("env", &env, "task name (irlab envs lists them)");
  flags.Add("config", &config_file, "TOML file overriding the defaults (see experiments/ppo/)");
  flags.Add("set", &sets, "key=value override, e.g. --set ppo.learning_rate=1e-3");
  flags.Add("seed", &seed, "random seed");
  flags.Add("out", &out, "new run directory");
  flags.Add("resume", &resume, "run directory to continue");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (int code = CheckRunFlags("expert", out, resume, config_file); code >= 0) return code;
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);

  // a resume takes the run's own config, then any overrides (e.g. a longer total_steps)
  PpoRunConfig cfg;
  const bool resuming = !resume.empty();
  const std::filesystem::path run_dir = resuming ? resume : out;
  const std::filesystem::path config_path = ConfigToLoad(resume, config_file);
  if (absl::Status s = LoadConfig(cfg, config_path, sets, given); !s.ok()) return Fail("expert", s);
  if (!resuming) {
    // what would fail at the start of training fails before the run directory exists
    if (absl::Status s = CheckMinibatches(cfg.ppo, cfg.num_envs); !s.ok()) return Fail("expert", s);
    if (auto made = MakeEnv(cfg.env, cfg.env_options); !made.ok())
      return Fail("expert", made.status());
  }
  // a model of the researcher's own is pinned by its digest (checked again on resume)
  if (absl::Status s = PinTaskModel(cfg.env, cfg.env_options); !s.ok()) return Fail("expert", s);
  return RunTraining("expert", args, run_dir, resuming, ConfigSchema::For(cfg).ToToml(),
                     [&] { return TrainExpert(cfg, run_dir, resuming); });
}

}  // namespace irlab
