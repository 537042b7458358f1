// irlab plot RUN_DIRS... --out fig.png: learning curves through gnuplot, one
// figure per task, mean and a shaded ± std band over seeds.
#include <cstdio>

#include "tools/cli_util.h"
#include "tools/sweep/plot.h"

namespace irlab {

int PlotCommand(const Args& args) {
  sweep::PlotOptions options;
  std::string out;
  FlagParser flags("plot RUN_DIRS...",
                   "Plots a metric of the finished runs found under RUN_DIRS (run or sweep\n"
                   "directories): one figure per task (--by), one curve per configuration with\n"
                   "the mean over seeds and a shaded ± std band. Writes PNG and SVG (fig.png and\n"
                   "fig.svg; fig-<task>.png ... when there are several tasks) with gnuplot.");
  flags.Add("out", &out, "the PNG to write");
  flags.Add("metric", &options.metric, "the logged scalar to plot");
  flags.Add("by", &options.figure_by, "one figure per value of this run variable");
  flags.Add("smooth", &options.smooth, "trailing moving average over this many points");
  flags.Add("title", &options.title, "figure title (default: task and metric)");
  flags.Require("out");
  std::vector<std::string> dirs;
  flags.CollectPositional(&dirs);
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (dirs.empty()) {
    std::fprintf(stderr, "irlab plot: expected run directories (see --help)\n");
    return 2;
  }
  if (options.smooth < 1) {
    std::fprintf(stderr, "irlab plot: --smooth must be >= 1\n");
    return 2;
  }
  options.out = out;
  std::vector<std::filesystem::path> paths(dirs.begin(), dirs.end());
  auto written = sweep::PlotRuns(paths, options);
  if (!written.ok()) return Fail("plot", written.status());
  for (const auto& p : *written) std::printf("wrote %s\n", p.c_str());
  return 0;
}

}  // namespace irlab
