// Learning curves through gnuplot: one figure per task, one curve per
// configuration (runs that differ only in their seed), drawn as the mean over
// seeds with a shaded ± std band. PNG (pngcairo) and SVG side by side.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/run_data.h"

namespace irlab::sweep {

struct PlotOptions {
  std::filesystem::path out;  // fig.png; fig-<task>.png when several tasks
  std::string metric = "episode_return";
  std::string figure_by = "env";  // one figure per value of this variable
  std::string title;              // defaults to "<task>: <metric>"
  int smooth = 1;                 // trailing moving average over this many points
  int width = 960, height = 600;
};

// A curve: mean and std over seeds at each x.
struct Curve {
  std::string label;
  int seeds = 0;
  std::vector<double> x, mean, std;
  // drawn as a dashed horizontal line at mean.back() across the figure: BC
  // (its steps are gradient steps, not env steps: it uses none) and the
  // expert and random references
  bool flat = false;
};

// Groups `runs` by their variables (a sweep cell's own, else config.toml's)
// except "seed" and `figure_by`, and
// averages each group's series on a common x grid (the runs' own steps when
// they agree; otherwise 200 points, each averaged over the runs covering it).
// BC runs (algo = "bc") become flat curves of their final value. When the
// metric is a true return (eval_return, episode_return, eval.json:return_mean)
// and the runs' eval.json hold expert_return and random_return, each figure
// ends with flat "expert (demonstrations)" and "random policy" curves (for a
// normalised score: at 1 and 0).
absl::StatusOr<std::vector<std::pair<std::string, std::vector<Curve>>>> BuildCurves(
    const std::vector<RunDir>& runs, const PlotOptions& options);

// The finished runs under `dirs`. With more than one directory each run also
// gets the variable `sweep` (its directory as given), so that runs of the same
// configuration in different sweeps stay separate curves, labelled by sweep.
absl::StatusOr<std::vector<RunDir>> CollectRuns(const std::vector<std::filesystem::path>& dirs);

// Finds the runs under `dirs` (CollectRuns), draws the figures and returns the
// files written (PNG and SVG for each figure).
absl::StatusOr<std::vector<std::filesystem::path>> PlotRuns(
    const std::vector<std::filesystem::path>& dirs, const PlotOptions& options);

}  // namespace irlab::sweep
