// irlab inspect: a demonstration file's summary, then a full validation pass
// (every value, and the sizes against the task registry); exit 1 on any
// problem.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/tabular/evaluation.h"
#include "core/config.h"
#include "core/progress.h"
#include "core/status.h"
#include "core/strings.h"
#include "data/demo_file.h"
#include "envs/registry.h"
#include "tools/cli_util.h"

namespace irlab {
namespace {

// Checks the file's sizes against the task it names, built with the
// options it was collected with.
absl::Status CheckAgainstTask(const DemoFile& file) {
  const DemoMetadata& m = file.metadata();
  EnvOptions options;
  if (!m.env_options.empty()) {
    ConfigSchema schema = ConfigSchema::For(options);
    if (absl::Status s = schema.ApplyText(
            m.env_options, StrCat(file.path().string(), ": attribute 'env_options'"));
        !s.ok()) {
      return s;
    }
  }
  auto env = MakeEnv(m.task, options);
  if (!env.ok()) {
    return absl::InvalidArgumentError(
        StrCat(file.path().string(), ": attribute 'task': ", env.status().message()));
  }
  const EnvSpec& spec = (*env)->spec();
  auto mismatch = [&](const char* dataset, const char* what, int file_value, int task_value) {
    return absl::InvalidArgumentError(StrCat(file.path().string(), ": dataset '", dataset, "' has ",
                                             file_value, " columns but task ", m.task, " has ",
                                             what, " ", task_value));
  };
  if (m.obs_dim != spec.obs_dim)
    return mismatch("observations", "obs_dim", m.obs_dim, spec.obs_dim);
  if (m.act_dim != spec.act_dim) return mismatch("actions", "act_dim", m.act_dim, spec.act_dim);
  if (m.nq > 0 && m.nq != spec.nq) return mismatch("infos/qpos", "nq", m.nq, spec.nq);
  if (m.nv > 0 && m.nv != spec.nv) return mismatch("infos/qvel", "nv", m.nv, spec.nv);
  return absl::OkStatus();
}

void PrintSummary(const DemoFile& file, int64_t terminated) {
  const DemoMetadata& m = file.metadata();
  const EpisodeTable& t = file.episodes();
  const int64_t e = file.num_episodes();
  double mean = 0, var = 0;
  for (double r : t.ret) mean += r / e;
  for (double r : t.ret) var += (r - mean) * (r - mean) / e;
  const auto [rmin, rmax] = std::minmax_element(t.ret.begin(), t.ret.end());
  const auto [lmin, lmax] = std::minmax_element(t.length.begin(), t.length.end());
  std::printf("%s: %s format_version %lld\n", file.path().c_str(), kDemoFormatName,
              static_cast<long long>(m.format_version));
  std::printf("  task          %s\n", m.task.c_str());
  std::printf("  dims          obs %d, act %d, nq %d, nv %d\n", m.obs_dim, m.act_dim, m.nq, m.nv);
  std::printf("  dt, horizon   %g s, %d steps\n", m.dt, m.horizon);
  std::printf("  episodes      %lld (%lld terminated, %lld truncated)\n", static_cast<long long>(e),
              static_cast<long long>(terminated), static_cast<long long>(e - terminated));
  std::printf("  steps         %lld (length mean %.1f, min %lld, max %lld)\n",
              static_cast<long long>(file.num_transitions()),
              static_cast<double>(file.num_transitions()) / e, static_cast<long long>(*lmin),
              static_cast<long long>(*lmax));
  std::printf("  return        %.2f +- %.2f (min %.2f, max %.2f)\n", mean, std::sqrt(var), *rmin,
              *rmax);
  std::printf("  raw state     %s\n", m.nq == 0                ? "none"
                                      : file.has_final_state() ? "qpos/qvel per step and final"
                                                               : "qpos/qvel per step");
  std::printf("  policy run    %s\n", m.policy_run.empty() ? "-" : m.policy_run.c_str());
  std::printf("  config hash   %s\n", m.config_hash.empty() ? "-" : m.config_hash.c_str());
  std::printf("  source        %s\n", m.source.empty() ? "-" : m.source.c_str());
  std::printf("  created       %s by irlab %s\n", m.created.c_str(), m.irlab_version.c_str());
  if (!m.env_options.empty()) {
    // one line of "key = value" settings, their TOML comments dropped
    std::string options, line;
    std::istringstream lines(m.env_options);
    while (std::getline(lines, line)) {
      line = line.substr(0, line.find('#'));
      while (!line.empty() && line.back() == ' ') line.pop_back();
      if (!line.empty()) options += (options.empty() ? "" : ", ") + line;
    }
    std::printf("  env options   %s\n", options.c_str());
  }
}

// Observation entries first..last set to value in every step before scoring:
// what a learned reward makes of the same episodes with, say, the torso's
// velocity zeroed (an ant that stands) or its angular velocity removed.
struct ObsOverride {
  int first = 0, last = 0;
  float value = 0;
};

// Parses --set-obs values: comma-separated INDEX=VALUE or FIRST-LAST=VALUE.
absl::StatusOr<std::vector<ObsOverride>> ParseObsOverrides(const std::vector<std::string>& flags) {
  std::vector<ObsOverride> out;
  for (const std::string& flag : flags) {
    for (absl::string_view item : absl::StrSplit(flag, ',', absl::SkipWhitespace())) {
      auto bad = [&](const char* why) {
        return absl::InvalidArgumentError(StrCat("--set-obs '", std::string(item), "': ", why,
                                                 " (expected INDEX=VALUE or FIRST-LAST=VALUE)"));
      };
      const std::vector<absl::string_view> sides = absl::StrSplit(item, '=');
      if (sides.size() != 2) return bad("no single '='");
      const std::vector<absl::string_view> range = absl::StrSplit(sides[0], '-');
      ObsOverride o;
      double value;
      if (range.size() > 2 || !absl::SimpleAtoi(range[0], &o.first) ||
          !absl::SimpleAtoi(range.back(), &o.last)) {
        return bad("the index is not a whole number or range");
      }
      if (o.first < 0 || o.last < o.first) return bad("the range is empty or negative");
      if (!absl::SimpleAtod(sides[1], &value) || !std::isfinite(value))
        return bad("the value is not a finite number");
      o.value = static_cast<float>(value);
      out.push_back(o);
    }
  }
  return out;
}

// Sums a learned reward over each episode of the file and sets it beside the
// true returns: their mean, spread and correlation tell whether the reward ranks
// behaviour as the task does (e.g. demonstrations of the changed dynamics, scored
// by a reward learned on the original ones).
absl::Status PrintLearnedReturns(const DemoFile& file, const std::string& reward_run,
                                 const std::vector<ObsOverride>& overrides) {
  IRLAB_ASSIGN_OR_RETURN(LearnedReward reward, LoadLearnedReward(reward_run));
  const DemoMetadata& m = file.metadata();
  std::string overwritten;
  for (const ObsOverride& o : overrides) {
    StrAppend(&overwritten, overwritten.empty() ? "" : ", ", o.first,
              o.first == o.last ? "" : StrCat("-", o.last), " = ", o.value);
  }
  // every step's entries first..last of a row-major [steps x obs_dim] buffer
  auto overwrite = [&](std::vector<float>& rows) {
    for (const ObsOverride& o : overrides) {
      for (auto row = rows.begin(); row != rows.end(); row += m.obs_dim) {
        std::fill(row + o.first, row + o.last + 1, o.value);
      }
    }
  };
  IRLAB_RETURN_IF_ERROR(CheckRewardFits(
      reward, reward_run, StrCat(file.path().string(), " (", m.task, ")"), m.obs_dim, m.act_dim));
  IRLAB_ASSIGN_OR_RETURN(auto env, MakeEnv(m.task, EnvOptions{}));
  const EnvSpec& spec = env->spec();
  const EpisodeTable& t = file.episodes();
  const int64_t e = file.num_episodes();
  std::vector<double> learned(e), truth(t.ret.begin(), t.ret.end());
  double steps = 0;
  for (int64_t i = 0; i < e; ++i) {
    const int64_t begin = t.start[i], n = t.length[i];
    std::vector<float> obs(n * m.obs_dim), next(n * m.obs_dim), act(n * m.act_dim);
    std::vector<uint8_t> terminated(n);
    IRLAB_RETURN_IF_ERROR(file.Read(DemoField::kObservations, begin, n, std::span<float>(obs)));
    IRLAB_RETURN_IF_ERROR(
        file.Read(DemoField::kNextObservations, begin, n, std::span<float>(next)));
    IRLAB_RETURN_IF_ERROR(file.Read(DemoField::kActions, begin, n, std::span<float>(act)));
    IRLAB_RETURN_IF_ERROR(
        file.Read(DemoField::kTerminals, begin, n, std::span<uint8_t>(terminated)));
    overwrite(obs);
    overwrite(next);
    for (float r :
         ScoreTransitions(reward, obs, act, next, terminated, spec.act_low, spec.act_high)) {
      learned[i] += r;
    }
    steps += n;
  }
  double mean = 0, var = 0;
  for (double r : learned) mean += r / e;
  for (double r : learned) var += (r - mean) * (r - mean) / e;
  std::printf(
      "  learned return %.2f +- %.2f per episode, %.4f per step (%s reward of %s, learned on %s)\n",
      mean, std::sqrt(var), mean * e / steps, reward.config.algo.c_str(), reward_run.c_str(),
      reward.policy.env_name.c_str());
  if (!overwritten.empty())
    std::printf("  observations   entries %s in every step\n", overwritten.c_str());
  if (const double rho = tabular::PearsonCorrelation(learned, truth); !std::isnan(rho)) {
    std::printf("  correlation    %.3f between learned and true episode returns\n", rho);
  }
  return absl::OkStatus();
}

}  // namespace

int InspectCommand(const Args& args) {
  std::vector<std::string> positional;  // FILE
  std::string reward_run;
  std::vector<std::string> set_obs;
  FlagParser flags("inspect",
                   "irlab inspect FILE: prints a demonstration file's task, sizes, episode\n"
                   "returns and attributes, then validates every value and the sizes against\n"
                   "the task. Exits 1 on any problem.");
  flags.Add("reward", &reward_run,
            "also score every episode with the learned reward of this `irlab train` run (or\n"
            "checkpoint file) and print its returns beside the true ones");
  flags.Add("set-obs", &set_obs,
            "with --reward: overwrite observation entries before scoring, INDEX=VALUE or\n"
            "FIRST-LAST=VALUE, comma-separated or repeated (e.g. 13-18=0: CustomAnt's torso\n"
            "at rest); the file is not changed");
  flags.CollectPositional(&positional);
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (positional.size() != 1) {
    std::fprintf(stderr, "irlab inspect: expected one file, got %zu arguments (see --help)\n",
                 positional.size());
    return 2;
  }
  auto overrides = ParseObsOverrides(set_obs);
  if (!overrides.ok()) {
    std::fprintf(stderr, "irlab inspect: %s\n", std::string(overrides.status().message()).c_str());
    return 2;  // a bad flag, as the parser's own errors
  }
  if (!overrides->empty() && reward_run.empty()) {
    std::fprintf(stderr,
                 "irlab inspect: --set-obs needs --reward (it changes what the reward scores)\n");
    return 2;
  }
  // the structure now, the values below with a progress bar
  auto opened = DemoFile::Open(positional[0], {.validate = false});
  if (!opened.ok()) return Fail("inspect", opened.status());
  const DemoFile& file = **opened;
  for (const ObsOverride& o : *overrides) {  // before the validation pass, which takes a while
    if (o.last >= file.metadata().obs_dim) {
      return Fail("inspect", absl::InvalidArgumentError(StrCat(
                                 "--set-obs: entry ", o.last, " is outside ", file.path().string(),
                                 "'s observations (obs_dim ", file.metadata().obs_dim, ")")));
    }
  }

  // terminated episodes, from the flags of each last step
  int64_t terminated = 0;
  std::vector<uint8_t> flag(1);
  for (int64_t e = 0; e < file.num_episodes(); ++e) {
    const int64_t last = file.episodes().start[e] + file.episodes().length[e] - 1;
    if (absl::Status s = file.Read(DemoField::kTerminals, last, 1, std::span<uint8_t>(flag));
        !s.ok()) {
      return Fail("inspect", s);
    }
    terminated += flag[0];
  }
  PrintSummary(file, terminated);

  ProgressBar progress("validate", file.num_transitions(), "transitions");
  absl::Status valid = file.Validate([&](int64_t done) { progress.Update(done); });
  progress.Finish();
  if (!valid.ok()) return Fail("inspect", valid);
  if (absl::Status s = CheckAgainstTask(file); !s.ok()) return Fail("inspect", s);
  std::printf("valid: every value checked, sizes match task %s\n", file.metadata().task.c_str());
  if (!reward_run.empty()) {
    if (absl::Status s = PrintLearnedReturns(file, reward_run, *overrides); !s.ok())
      return Fail("inspect", s);
  }
  return 0;
}

}  // namespace irlab
