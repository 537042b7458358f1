// irlab transfer: re-optimise a learned reward from scratch in a task.
#include <cstdio>

#include "algos/adversarial/adversarial.h"
#include "algos/ppo/checkpoint.h"
#include "core/files.h"
#include "core/run_info.h"
#include "core/strings.h"
#include "envs/registry.h"
#include "tools/cli_util.h"

namespace irlab {

int TransferCommand(const Args& args) {
  std::string reward, env, config_file, out;
  int64_t seed = -1, reward_step = -1, restarts = 1;
  std::vector<std::string> sets;
  FlagParser flags(
      "transfer",
      "Trains PPO from scratch on the frozen learned reward of an `irlab train` run\n"
      "(AIRL's g, GAIL's or GAN-GCL's reward) in --env, e.g. DisabledAnt from a\n"
      "CustomAnt reward or PointMazeRight from a PointMazeLeft one, and reports the true\n"
      "return there. Settings are irlab expert's: a config from experiments/ppo/ applies.");
  flags.Add("reward", &reward, "run directory of the reward (irlab train)");
  flags.Add(
      "reward-step", &reward_step,
      "use the reward of the run's kept checkpoint at or before this step (checkpoints/step_N.pt)\n"
      "instead of its last (-1); the AIRL authors transfer an early reward, later ones overfit");
  flags.Add("env", &env, "task to re-optimise the reward in");
  flags.Add("restarts", &restarts,
            "train PPO this many times (seeds seed, seed+1000, ...) and keep the policy with the "
            "highest\n"
            "learned return over its evaluation episodes; the true return is reported, not used to "
            "choose");
  flags.Add("config", &config_file, "TOML file of PPO settings (irlab expert's format)");
  flags.Add("set", &sets, "key=value override");
  flags.Add("seed", &seed, "random seed");
  flags.Add("out", &out, "new run directory");
  flags.Require("reward");
  flags.Require("out");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);
  PpoRunConfig cfg;
  if (absl::Status s = LoadConfig(cfg, config_file, sets, given); !s.ok())
    return Fail("transfer", s);
  if (absl::Status s = PinTaskModel(cfg.env, cfg.env_options); !s.ok()) return Fail("transfer", s);
  if (reward_step < -1) {
    return Fail("transfer",
                absl::InvalidArgumentError(StrCat(
                    "--reward-step: expected a step >= 0 or -1 (the last), got ", reward_step)));
  }
  if (restarts < 1 || restarts > 100) {
    return Fail("transfer", absl::InvalidArgumentError(
                                StrCat("--restarts: expected 1 to 100, got ", restarts)));
  }
  if (reward_step >= 0) {
    auto at = CheckpointAtStep(reward, reward_step);
    if (!at.ok()) return Fail("transfer", at.status());
    std::printf("the reward at step %s of %s\n", at->stem().string().substr(5).c_str(),
                reward.c_str());
    reward = at->string();
  }
  std::error_code ec;
  if (std::filesystem::exists(out, ec) && !std::filesystem::is_empty(out, ec)) {
    return Fail("transfer", absl::AlreadyExistsError(StrCat(out, ": exists and is not empty")));
  }
  const NewRunDir fresh(out);
  absl::Status s = EnsureDirectory(out);
  if (s.ok())
    s = WriteFileAtomically(std::filesystem::path(out) / "config.toml",
                            ConfigSchema::For(cfg).ToToml());
  if (s.ok()) s = WriteRunInfo(out, "transfer", args);
  if (s.ok()) s = TransferReward(reward, cfg, out, static_cast<int>(restarts));
  if (!s.ok()) {
    fresh.Abandon();
    return Fail("transfer", s);
  }
  return 0;
}

}  // namespace irlab
