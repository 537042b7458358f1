// irlab collect: roll out a policy checkpoint and write its episodes to an
// HDF5 demonstration file (temporary name, renamed when complete).
#include <cstdio>

#include "algos/ppo/policy.h"
#include "core/files.h"
#include "core/progress.h"
#include "core/status.h"
#include "core/strings.h"
#include "data/demo_writer.h"
#include "data/task_metadata.h"
#include "envs/registry.h"
#include "envs/vec_env.h"
#include "tools/cli_util.h"

namespace irlab {
namespace {

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

absl::Status Collect(const std::string& run, std::string env, int episodes, const std::string& out,
                     bool deterministic, int64_t seed, bool overwrite, int threads,
                     const EnvOptions& options) {
  IRLAB_ASSIGN_OR_RETURN(auto policy, Policy::Load(run));
  if (env.empty()) env = policy->env_name();
  EnvOptions opts = options;
  IRLAB_RETURN_IF_ERROR(PinTaskModel(env, opts));  // recorded in the file's env_options
  const int num_envs = std::min(episodes, 8);
  IRLAB_ASSIGN_OR_RETURN(auto vec, VecEnv::Make(env, num_envs, opts, threads));
  const EnvSpec& spec = vec->spec();
  if (spec.obs_dim != policy->obs_dim() || spec.act_dim != policy->act_dim()) {
    return absl::InvalidArgumentError(StrCat(run, ": policy for ", policy->env_name(), " (obs ",
                                             policy->obs_dim(), ", act ", policy->act_dim(),
                                             ") does not fit ", env));
  }
  DemoMetadata meta = TaskDemoMetadata(spec);
  meta.task = env;
  meta.env_options = ConfigSchema::For(opts).ToToml();
  meta.policy_run = std::filesystem::absolute(run).string();
  if (auto text = ReadFile(std::filesystem::path(run) / "config.toml"); text.ok()) {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : *text) h = (h ^ c) * 1099511628211ULL;
    meta.config_hash = Hex(h);
  }
  meta.source = StrCat("irlab collect (", deterministic ? "deterministic" : "stochastic", ", seed ",
                       seed, ")");
  DemoWriterOptions wopts;
  wopts.overwrite = overwrite;
  IRLAB_ASSIGN_OR_RETURN(auto writer, DemoWriter::Create(out, meta, wopts));

  vec->set_keep_final_states(true);
  vec->Reset(static_cast<uint64_t>(seed));
  Rng rng(Rng::DeriveSeed(seed, 11));
  std::vector<Episode> current(num_envs);
  std::vector<EnvState> before(num_envs);
  std::vector<float> actions(size_t(num_envs) * spec.act_dim),
      obs(vec->obs().begin(), vec->obs().end());
  ProgressBar progress("collect " + env, episodes, "episodes");
  int written = 0;
  while (written < episodes) {
    policy->Act(obs, num_envs, deterministic, rng, actions);
    for (int i = 0; i < num_envs; ++i) {
      before[i] = vec->env(i).GetState();
      if (current[i].length() == 0) current[i].seed = vec->episode_seeds()[i];
    }
    IRLAB_RETURN_IF_ERROR(vec->Step(actions));
    for (int i = 0; i < num_envs && written < episodes; ++i) {
      const bool done = vec->terminated()[i] || vec->truncated()[i];
      const int od = spec.obs_dim, ad = spec.act_dim;
      std::span<const float> next =
          done ? vec->final_obs().subspan(i * od, od) : vec->obs().subspan(i * od, od);
      // the env applied the clipped action: store that
      std::vector<float> applied(actions.begin() + i * ad, actions.begin() + (i + 1) * ad);
      for (int j = 0; j < ad; ++j)
        applied[j] = std::clamp<float>(applied[j], spec.act_low[j], spec.act_high[j]);
      current[i].AddStep(std::span<const float>(obs).subspan(i * od, od), applied,
                         vec->rewards()[i], next, vec->terminated()[i], vec->truncated()[i],
                         before[i].qpos, before[i].qvel);
      if (!done) continue;
      current[i].final_qpos = vec->final_state(i).qpos;
      current[i].final_qvel = vec->final_state(i).qvel;
      IRLAB_RETURN_IF_ERROR(writer->Append(current[i]));
      current[i].Clear();
      progress.Update(++written);
    }
    obs.assign(vec->obs().begin(), vec->obs().end());
  }
  progress.Finish();
  IRLAB_RETURN_IF_ERROR(writer->Close());
  std::printf("wrote %s: %lld episodes, %lld transitions of %s\n", out.c_str(),
              static_cast<long long>(writer->num_episodes()),
              static_cast<long long>(writer->num_transitions()), env.c_str());
  return absl::OkStatus();
}

}  // namespace

int CollectCommand(const Args& args) {
  std::string run, env, out;
  int episodes = 0, threads = 2;
  int64_t seed = 0;
  bool deterministic = false, overwrite = false;
  std::vector<std::string> sets;
  FlagParser flags(
      "collect",
      "Rolls out a policy checkpoint and writes its episodes to an HDF5 demonstration\n"
      "file (layout in the README). The file is written under a temporary name and\n"
      "renamed when complete; an existing file is refused unless --overwrite.");
  flags.Add("run", &run, "expert run directory (its checkpoint.pt) or a checkpoint file");
  flags.Add("env", &env, "task (default: the policy's own)");
  flags.Add("episodes", &episodes, "episodes to write");
  flags.Add("out", &out, "output .h5 file");
  flags.Add("deterministic", &deterministic, "act with the policy's mean");
  flags.Add("seed", &seed, "seed for episode starts and action noise");
  flags.Add("threads", &threads, "VecEnv threads");
  flags.Add("overwrite", &overwrite, "replace an existing output file");
  flags.Add("set", &sets, "env option override, e.g. --set horizon=500");
  flags.Require("run");
  flags.Require("episodes");
  flags.Require("out");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (episodes < 1 || threads < 1 || seed < 0) {
    std::fprintf(stderr, "irlab collect: --episodes and --threads must be >= 1, --seed >= 0\n");
    return 2;
  }
  // on the policy's own task, the task as its run had it (model, weights), then --set
  EnvOptions options;
  if (env.empty()) {
    if (absl::Status s = ApplyRunEnvOptions(RunDirOf(run), options); !s.ok())
      return Fail("collect", s);
  }
  if (absl::Status s = LoadConfig(options, "", sets); !s.ok()) return Fail("collect", s);
  if (absl::Status s =
          Collect(run, env, episodes, out, deterministic, seed, overwrite, threads, options);
      !s.ok()) {
    return Fail("collect", s);
  }
  return 0;
}

}  // namespace irlab
