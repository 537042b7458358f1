// irlab expert: PPO on a task's true reward, with exact resume.
#include <cstdio>

#include "algos/ppo/ppo.h"
#include "core/files.h"
#include "core/run_info.h"
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
  if (out.empty() == resume.empty()) {
    std::fprintf(stderr, "irlab expert: give exactly one of --out (new run) or --resume (existing run)\n");
    return 2;
  }
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);

  ExpertConfig cfg;
  const std::filesystem::path run_dir = resume.empty() ? out : resume;
  if (!resume.empty()) {
    // the run's own config, then any overrides (e.g. a longer total_steps)
    if (!config_file.empty()) {
      std::fprintf(stderr, "irlab expert: --resume uses the run's config.toml; use --set to change it\n");
      return 2;
    }
    if (absl::Status s = LoadConfig(cfg, run_dir / "config.toml", sets, given); !s.ok()) return Fail("expert", s);
  } else {
    if (absl::Status s = LoadConfig(cfg, config_file, sets, given); !s.ok()) return Fail("expert", s);
    // what would fail at the start of training fails before the run directory exists
    if (absl::Status s = CheckMinibatches(cfg.ppo, cfg.num_envs); !s.ok()) return Fail("expert", s);
    if (auto made = MakeEnv(cfg.env, cfg.env_options); !made.ok()) return Fail("expert", made.status());
    std::error_code ec;
    if (std::filesystem::exists(run_dir, ec) && !std::filesystem::is_empty(run_dir, ec)) {
      return Fail("expert", absl::AlreadyExistsError(StrCat(
                                run_dir.string(), ": exists and is not empty; use --resume to continue it "
                                                  "or choose a new --out")));
    }
    if (absl::Status s = EnsureDirectory(run_dir); !s.ok()) return Fail("expert", s);
  }
  // a model of the researcher's own is pinned by its digest (checked again on resume)
  if (absl::Status s = PinTaskModel(cfg.env, cfg.env_options); !s.ok()) return Fail("expert", s);
  const ResumedRunFiles before(run_dir);
  absl::Status s = WriteFileAtomically(run_dir / "config.toml", ConfigSchema::For(cfg).ToToml());
  if (s.ok()) s = WriteRunInfo(run_dir, "expert", args);
  if (s.ok()) s = TrainExpert(cfg, run_dir, !resume.empty());
  if (!s.ok()) {
    if (!resume.empty()) before.RestoreIfNoNewCheckpoint();
    return Fail("expert", s);
  }
  return 0;
}

}  // namespace irlab
