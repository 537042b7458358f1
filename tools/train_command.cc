// irlab train: AIRL, GAIL, GAN-GCL or BC from demonstrations.
#include <cstdio>

#include "algos/adversarial/adversarial.h"
#include "core/files.h"
#include "core/run_info.h"
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
  if (!text.empty() && !ConfigSchema::For(recorded).ApplyText(text, cfg.demos_file).ok()) return absl::OkStatus();
  if (recorded.model_digest == cfg.env_options.model_digest) return absl::OkStatus();
  auto describe = [](const EnvOptions& o) {
    return o.model_digest.empty() ? std::string("the built-in model")
                                  : StrCat(o.xml_file, " (digest ", o.model_digest, ")");
  };
  return absl::FailedPreconditionError(StrCat(cfg.demos_file, ": the demonstrations were recorded on ",
                                              describe(recorded), ", the run trains on ",
                                              describe(cfg.env_options),
                                              "; set env_options.xml_file to the demonstrations' model"));
}

}  // namespace

int TrainCommand(const Args& args) {
  std::string algo, env, demos, config_file, out, resume;
  int64_t seed = -1;
  std::vector<std::string> sets;
  FlagParser flags("train",
                   "Learns from demonstrations: airl (state-only reward g(s)), airl-sa (g(s,a)),\n"
                   "gail, gcl (GAN-GCL, sample-based MaxEnt IRL) or bc. The run directory gets\n"
                   "config.toml, metrics.csv/jsonl, checkpoint.pt (policy, PPO state and reward net)\n"
                   "and eval.json with the normalised score (R - R_random) / (R_expert - R_random).");
  flags.Add("algo", &algo, "airl, airl-sa, gail, gcl or bc");
  flags.Add("env", &env, "task (must match the demonstrations)");
  flags.Add("demos", &demos,
            "HDF5 demonstration file (irlab collect / irlab convert); on --resume, the run's own by default");
  flags.Add("config", &config_file, "TOML file overriding the defaults (see experiments/adversarial/)");
  flags.Add("set", &sets, "key=value override, e.g. --set disc.updates_per_round=4");
  flags.Add("seed", &seed, "random seed");
  flags.Add("out", &out, "new run directory");
  flags.Add("resume", &resume, "run directory to continue");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (out.empty() == resume.empty()) {
    std::fprintf(stderr, "irlab train: give exactly one of --out (new run) or --resume (existing run)\n");
    return 2;
  }
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "algo", "algo", algo, given);
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);
  AddFlagOverride(flags, "demos", "demos_file", demos, given);
  AdversarialConfig cfg;
  const std::filesystem::path run_dir = resume.empty() ? out : resume;
  const std::filesystem::path config_path =
      resume.empty() ? std::filesystem::path(config_file) : run_dir / "config.toml";
  if (absl::Status s = LoadConfig(cfg, config_path, sets, given); !s.ok()) return Fail("train", s);
  if (cfg.demos_file.empty()) {
    std::fprintf(stderr, "irlab train: --demos is required (or demos_file in the config)\n");
    return 2;
  }
  if (absl::Status s = PinTaskModel(cfg.env, cfg.env_options); !s.ok()) return Fail("train", s);
  if (absl::Status s = CheckDemosModel(cfg); !s.ok()) return Fail("train", s);
  if (resume.empty()) {
    // what would fail at the start of training fails before the run directory exists
    absl::Status s = cfg.algo == "bc" ? absl::OkStatus() : CheckMinibatches(cfg.ppo, cfg.num_envs);
    if (auto made = MakeEnv(cfg.env, cfg.env_options); s.ok() && !made.ok()) s = made.status();
    if (!s.ok()) return Fail("train", s);
  }
  const NewRunDir fresh(run_dir);
  const ResumedRunFiles before(run_dir);
  if (resume.empty()) {
    // absolute, so that a resume from another directory finds the same file
    cfg.demos_file = std::filesystem::absolute(cfg.demos_file).lexically_normal().string();
    std::error_code ec;
    if (std::filesystem::exists(run_dir, ec) && !std::filesystem::is_empty(run_dir, ec)) {
      return Fail("train", absl::AlreadyExistsError(StrCat(run_dir.string(), ": exists and is not empty; use "
                                                                             "--resume to continue it or a new --out")));
    }
    if (absl::Status s = EnsureDirectory(run_dir); !s.ok()) return Fail("train", s);
  }
  absl::Status s = WriteFileAtomically(run_dir / "config.toml", ConfigSchema::For(cfg).ToToml());
  if (s.ok()) s = WriteRunInfo(run_dir, "train", args);
  if (s.ok()) s = TrainAdversarial(cfg, run_dir, !resume.empty());
  if (!s.ok()) {
    if (resume.empty()) fresh.Abandon();  // a resumed run keeps its directory as it was
    if (!resume.empty()) before.RestoreIfNoNewCheckpoint();
    return Fail("train", s);
  }
  return 0;
}

}  // namespace irlab
