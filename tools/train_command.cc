// irlab train: AIRL, GAIL, GAN-GCL or BC from demonstrations.
#include <cstdio>

#include "algos/adversarial/adversarial.h"
#include "core/strings.h"
#include "data/demo_file.h"
#include "envs/registry.h"
#include "tools/cli_util.h"

namespace irlab {

namespace {

// Demonstrations of a model of the researcher's own must be of the model the
// run trains on (the digest in their env_options attribute against the run's).
absl::Status CheckDemosModel(const AdversarialConfig& cfg) {
  auto file = DemoFile::Open(cfg.demos_file);
  if (!file.ok()) return absl::OkStatus();  // training reports a bad file with its own message
  EnvOptions recorded;
  const std::string& text = (*file)->metadata().env_options;
  if (!text.empty() && !ConfigSchema::For(recorded).ApplyText(text, cfg.demos_file).ok())
    return absl::OkStatus();
  if (recorded.model_digest == cfg.env_options.model_digest) return absl::OkStatus();
  auto describe = [](const EnvOptions& o) {
    return o.model_digest.empty() ? std::string("the built-in model")
                                  : StrCat(o.xml_file, " (digest ", o.model_digest, ")");
  };
  return absl::FailedPreconditionError(
      StrCat(cfg.demos_file, ": the demonstrations were recorded on ", describe(recorded),
             ", the run trains on ", describe(cfg.env_options),
             "; set env_options.xml_file to the demonstrations' model"));
}

}  // namespace

int TrainCommand(const Args& args) {
  std::string algo, env, demos, config_file, out, resume;
  int64_t seed = -1;
  std::vector<std::string> sets;
  FlagParser flags(
      "train",
      "Learns from demonstrations: airl (state-only reward g(s)), airl-sa (g(s,a)),\n"
      "gail, gcl (GAN-GCL, sample-based MaxEnt IRL) or bc. The run directory gets\n"
      "config.toml, metrics.csv/jsonl, checkpoint.pt (policy, PPO state and reward net)\n"
      "and eval.json with the normalised score (R - R_random) / (R_expert - R_random).");
  flags.Add("algo", &algo, "airl, airl-sa, gail, gcl or bc");
  flags.Add("env", &env, "task (must match the demonstrations)");
  flags.Add("demos", &demos,
            "HDF5 demonstration file (irlab collect / irlab convert); on --resume, the run's own "
            "by default");
  flags.Add("config", &config_file,
            "TOML file overriding the defaults (see experiments/adversarial/)");
  flags.Add("set", &sets, "key=value override, e.g. --set disc.updates_per_round=4");
  flags.Add("seed", &seed, "random seed");
  flags.Add("out", &out, "new run directory");
  flags.Add("resume", &resume, "run directory to continue");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (int code = CheckRunFlags("train", out, resume, config_file); code >= 0) return code;
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "algo", "algo", algo, given);
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);
  AddFlagOverride(flags, "demos", "demos_file", demos, given);

  // a resume takes the run's own config (naming its demonstrations), then any overrides
  AdversarialConfig cfg;
  const bool resuming = !resume.empty();
  const std::filesystem::path run_dir = resuming ? resume : out;
  const std::filesystem::path config_path = ConfigToLoad(resume, config_file);
  if (absl::Status s = LoadConfig(cfg, config_path, sets, given); !s.ok()) return Fail("train", s);
  if (cfg.demos_file.empty()) {
    std::fprintf(stderr, "irlab train: --demos is required (or demos_file in the config)\n");
    return 2;
  }
  if (absl::Status s = PinTaskModel(cfg.env, cfg.env_options); !s.ok()) return Fail("train", s);
  if (absl::Status s = CheckDemosModel(cfg); !s.ok()) return Fail("train", s);
  if (!resuming) {
    // what would fail at the start of training fails before the run directory exists
    absl::Status s =
        cfg.algorithm() == Algo::kBc ? absl::OkStatus() : CheckMinibatches(cfg.ppo, cfg.num_envs);
    if (auto made = MakeEnv(cfg.env, cfg.env_options); s.ok() && !made.ok()) s = made.status();
    if (!s.ok()) return Fail("train", s);
    // absolute, so that a resume from another directory finds the same file
    cfg.demos_file = std::filesystem::absolute(cfg.demos_file).lexically_normal().string();
  }
  return RunTraining("train", args, run_dir, resuming, ConfigSchema::For(cfg).ToToml(),
                     [&] { return TrainAdversarial(cfg, run_dir, resuming); });
}

}  // namespace irlab
