// irlab tabular: the lecture's classic IRL on a GridWorld or ObjectWorld with
// known dynamics. Samples demonstrations from the expert (optimal or
// soft-optimal for the true reward), runs one IRL algorithm, and reports the
// learned reward's correlation with the true one, the expected value
// difference (EVD) of its policy, iterations and time per iteration. Writes
// config.toml, run.json, metrics (per iteration), summary.json and reward.png.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "algos/tabular/deep_maxent_irl.h"
#include "algos/tabular/evaluation.h"
#include "algos/tabular/gridworld.h"
#include "algos/tabular/heatmap.h"
#include "algos/tabular/max_margin.h"
#include "algos/tabular/maxent_irl.h"
#include "algos/tabular/objectworld.h"
#include "algos/tabular/projection.h"
#include "algos/tabular/visitation.h"
#include "core/config.h"
#include "core/files.h"
#include "core/json.h"
#include "core/metrics.h"
#include "core/rng.h"
#include "core/run_info.h"
#include "core/strings.h"
#include "tools/cli_util.h"

namespace irlab {
namespace {

using namespace tabular;  // NOLINT: the command speaks the tabular vocabulary throughout
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct TabularConfig {
  std::string algo = "maxent";     // maxent, deep-maxent, projection, max-margin
  std::string env = "gridworld";   // gridworld or objectworld
  int demos = 100;                 // demonstrations sampled from the expert
  int64_t seed = 0;                // seeds the world, the demos and the network
  std::string expert = "optimal";  // optimal: greedy for the true reward; soft: soft-optimal
  double expert_beta = 1.0;        // soft expert: soft-optimal for expert_beta * true reward
  bool heatmap = true;             // write reward.png
  GridWorldConfig gridworld;
  ObjectWorldConfig objectworld;
  MaxEntConfig maxent;
  DeepMaxEntConfig deep_maxent;
  ProjectionConfig projection;
  MaxMarginConfig max_margin;

  void Bind(ConfigBinder& b) {
    b.Field("algo", algo, "IRL algorithm")
        .OneOf({"maxent", "deep-maxent", "projection", "max-margin"});
    b.Field("env", env, "tabular task").OneOf({"gridworld", "objectworld"});
    b.Field("demos", demos, "demonstrations from the expert").Range(1, 1e7);
    b.Field("seed", seed, "seeds the world, the demos and the network").Min(0);
    b.Field("expert", expert, "optimal or soft-optimal expert").OneOf({"optimal", "soft"});
    b.Field("expert_beta", expert_beta, "soft expert: reward scale (inverse temperature)")
        .Range(1e-6, 1e6);
    b.Field("heatmap", heatmap, "write reward.png");
    b.Section("gridworld", gridworld);
    b.Section("objectworld", objectworld);
    b.Section("maxent", maxent);
    b.Section("deep_maxent", deep_maxent);
    b.Section("projection", projection);
    b.Section("max_margin", max_margin);
  }
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Mean CPU time of one backward (soft VI) plus forward (visitation) pass;
// CPU rather than wall time, so that other jobs on the machine do not count.
double PlanningPassSeconds(const Mdp& mdp, const std::vector<double>& reward) {
  TabularPolicy policy;
  std::vector<double> values, state_visits, sa_visits;
  SoftValueIteration(mdp, reward, &policy, &values);  // warm-up: buffers allocated once
  const int repeats = 20;
  const std::clock_t start = std::clock();
  for (int i = 0; i < repeats; ++i) {
    SoftValueIteration(mdp, reward, &policy, &values);
    Visitation(mdp, policy, mdp.initial, &state_visits, &sa_visits);
  }
  return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC / repeats;
}

absl::StatusOr<IrlResult> RunAlgorithm(const TabularConfig& cfg, const Mdp& mdp,
                                       const std::vector<Trajectory>& demos) {
  if (cfg.algo == "maxent") return MaxEntIrl(mdp, demos, cfg.maxent);
  if (cfg.algo == "deep-maxent") {
    return DeepMaxEntIrl(mdp, demos, cfg.deep_maxent, Rng::DeriveSeed(cfg.seed, 2));
  }
  if (cfg.algo == "projection") return ProjectionIrl(mdp, demos, cfg.projection);
  return MaxMarginIrl(mdp, demos, cfg.max_margin);
}

// The expert: optimal, or soft-optimal for expert_beta times the true reward.
TabularPolicy ExpertPolicy(const TabularConfig& cfg, const GridTask& task) {
  TabularPolicy expert;
  std::vector<double> values;
  if (cfg.expert == "optimal") {
    OptimalValueIteration(task.mdp, task.true_reward, &expert, &values);
  } else {
    std::vector<double> scaled = task.true_reward;
    for (double& r : scaled) r *= cfg.expert_beta;
    SoftValueIteration(task.mdp, scaled, &expert, &values);
  }
  return expert;
}

// Per-iteration metrics in fresh files (a rerun into the same directory
// replaces them, since a tabular run is never resumed).
absl::Status WriteMetrics(const fs::path& run_dir, const IrlResult& result) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(run_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "metrics.csv" || name == "metrics.jsonl" ||
        name.rfind("events.out.tfevents.", 0) == 0) {
      fs::remove(entry.path(), ec);
    }
  }
  absl::StatusOr<MetricsLogger> logger = MetricsLogger::Open(run_dir, /*console=*/false);
  if (!logger.ok()) return logger.status();
  for (size_t i = 0; i < result.trace.size(); ++i) {
    if (absl::Status s = logger->Log(i, result.trace[i]); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// summary.json: the scores, sizes and timings of the run.
absl::Status WriteSummary(const fs::path& run_dir, const TabularConfig& cfg, const Evaluation& eval,
                          const IrlResult& result, double seconds, double pass_seconds) {
  const std::vector<std::pair<std::string, double>> fields = {
      {"correlation", eval.correlation},
      {"evd", eval.evd},
      {"evd_percent", eval.evd_percent},
      {"optimal_value", eval.optimal_value},
      {"learned_value", eval.learned_value},
      {"random_value", eval.random_value},
      {"iterations", double(result.iterations)},
      {"evaluations", double(result.evaluations)},
      {"seconds", seconds},
      {"ms_per_iteration", 1e3 * seconds / std::max(1, result.iterations)},
      {"ms_per_evaluation", 1e3 * seconds / std::max(1, result.evaluations)},
      {"planning_pass_ms_cpu", 1e3 * pass_seconds}};
  Json summary{{"algo", cfg.algo}, {"env", cfg.env}, {"demos", cfg.demos}, {"seed", cfg.seed}};
  for (const auto& [key, value] : fields) summary[key] = value;
  return WriteJsonFile(run_dir / "summary.json", summary);
}

}  // namespace

int TabularCommand(const Args& args) {
  std::string algo, env, config_file, out;
  int demos = 0;
  int64_t seed = -1;
  std::vector<std::string> sets;
  FlagParser flags("tabular",
                   "Runs one tabular IRL algorithm (maxent, deep-maxent, projection, max-margin)\n"
                   "on a GridWorld or ObjectWorld with demonstrations from the expert; prints the\n"
                   "reward correlation, the EVD of the learned policy, iterations and time per\n"
                   "iteration, and writes config.toml, metrics, summary.json and reward.png to\n"
                   "--out.");
  flags.Add("algo", &algo, "maxent, deep-maxent, projection or max-margin (default maxent)");
  flags.Add("env", &env, "gridworld or objectworld (default gridworld)");
  flags.Add("demos", &demos, "number of demonstrations (default 100)");
  flags.Add("seed", &seed, "random seed (default 0)");
  flags.Add("config", &config_file, "TOML file overriding the defaults");
  flags.Add("set", &sets, "key=value override, e.g. --set gridworld.slip=0.1");
  flags.Add("out", &out, "run directory");
  flags.Require("out");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;

  // flags win over the file and --set
  TabularConfig cfg;
  std::vector<FlagOverride> given;
  AddFlagOverride(flags, "algo", "algo", algo, given);
  AddFlagOverride(flags, "env", "env", env, given);
  AddFlagOverride(flags, "demos", "demos", StrCat(demos), given);
  AddFlagOverride(flags, "seed", "seed", StrCat(seed), given);
  if (absl::Status s = LoadConfig(cfg, config_file, sets, given); !s.ok())
    return Fail("tabular", s);
  const fs::path run_dir(out);
  if (absl::Status s = EnsureDirectory(run_dir); !s.ok()) return Fail("tabular", s);
  if (absl::Status s = WriteRunInfo(run_dir, "tabular", args); !s.ok()) return Fail("tabular", s);
  if (absl::Status s =
          WriteFileAtomically(run_dir / "config.toml", ConfigSchema::For(cfg).ToToml());
      !s.ok()) {
    return Fail("tabular", s);
  }

  try {
    // the task and its expert
    const uint64_t world_seed = Rng::DeriveSeed(cfg.seed, 0);
    absl::StatusOr<GridTask> made = cfg.env == "gridworld"
                                        ? MakeGridWorld(cfg.gridworld, world_seed)
                                        : MakeObjectWorld(cfg.objectworld, world_seed);
    if (!made.ok()) return Fail("tabular", made.status());
    const GridTask& task = *made;
    const Mdp& mdp = task.mdp;
    const TabularPolicy expert = ExpertPolicy(cfg, task);
    Rng demo_rng(Rng::DeriveSeed(cfg.seed, 1));
    const std::vector<Trajectory> demos = SampleDemos(mdp, expert, cfg.demos, demo_rng);
    const double pass_seconds = PlanningPassSeconds(mdp, task.true_reward);
    std::printf(
        "%s %dx%d: %d states, %d actions, %d features, horizon %d; %d demos from the %s "
        "expert\nsoft VI + visitation pass: %.3f ms CPU\n",
        cfg.env.c_str(), task.width, mdp.num_states / task.width, mdp.num_states, mdp.num_actions,
        mdp.feature_dim, mdp.horizon, cfg.demos, cfg.expert.c_str(), 1e3 * pass_seconds);

    // IRL
    const auto start = Clock::now();
    absl::StatusOr<IrlResult> result = RunAlgorithm(cfg, mdp, demos);
    const double seconds = Seconds(start);
    if (!result.ok()) return Fail("tabular", result.status());
    const Evaluation eval = Evaluate(mdp, task.true_reward, *result);
    if (absl::Status st = WriteMetrics(run_dir, *result); !st.ok()) return Fail("tabular", st);
    if (absl::Status st = WriteSummary(run_dir, cfg, eval, *result, seconds, pass_seconds);
        !st.ok()) {
      return Fail("tabular", st);
    }
    if (cfg.heatmap) {
      char title[160];
      std::snprintf(title, sizeof(title),
                    "%s on %s, %d demos (seed %lld): correlation %.3f, EVD %.3f", cfg.algo.c_str(),
                    cfg.env.c_str(), cfg.demos, static_cast<long long>(cfg.seed), eval.correlation,
                    eval.evd);
      const char* caption = cfg.env == "gridworld"
                                ? "dot: the goal cell"
                                : "dots: objects by inner colour (purple 0, green 1, blue 2, ...)";
      if (absl::Status s = WriteRewardHeatmaps(run_dir / "reward.png", title, caption, task.width,
                                               task.markers, StateReward(mdp, task.true_reward),
                                               StateReward(mdp, result->reward));
          !s.ok()) {
        return Fail("tabular", s);
      }
    }

    std::printf(
        "%s: %d iterations, %d planning passes in %.3f s (%.3f ms per iteration, "
        "%.3f ms per pass)\n",
        cfg.algo.c_str(), result->iterations, result->evaluations, seconds,
        1e3 * seconds / std::max(1, result->iterations),
        1e3 * seconds / std::max(1, result->evaluations));
    std::printf("reward correlation %.4f\n", eval.correlation);
    std::printf("EVD %.4f (%.2f%% of the optimal value %.4f; learned %.4f, random %.4f)\n",
                eval.evd, eval.evd_percent, eval.optimal_value, eval.learned_value,
                eval.random_value);
    std::printf("wrote %s\n", run_dir.string().c_str());
  } catch (const std::exception& e) {
    // LibTorch reports errors by exception
    return Fail("tabular", absl::InternalError(e.what()));
  }
  return 0;
}

}  // namespace irlab
