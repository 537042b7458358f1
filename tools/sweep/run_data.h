// Finished run directories and their logged scalars, for tables and plots.
//
// Runs are found in two ways: in a sweep's --out directory, the cells its
// .sweep/cells/ records as done (variables from their markers' [vars];
// started but unfinished ones are listed apart); elsewhere, directories with
// metrics.jsonl or metrics.csv (variables from config.toml, dotted keys for
// sections; or from the sweep cell they belong to, when named directly). A
// sweep cell's variables are completed with its config.toml's (so a table
// can lay out by `env` when the sweep varied only `algo`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/sweep_file.h"

namespace irlab::sweep {

struct RunDir {
  std::filesystem::path dir;
  Vars vars;        // the sweep cell's variables, filled in from config.toml
  Vars sweep_vars;  // the sweep cell's variables alone (empty outside sweeps)
};

struct RunScan {
  std::vector<RunDir> runs;                       // sorted by path
  std::vector<std::filesystem::path> unfinished;  // cells that started but did not finish
};

// The runs at or below `root` (hidden directories are skipped; a run's
// subdirectories are not searched).
absl::StatusOr<RunScan> FindRuns(const std::filesystem::path& root);

// One scalar's (step, value) series in logging order, from metrics.jsonl
// (which has every key) or else metrics.csv. Missing and non-finite values
// are skipped; an error when the run never logged the key. "FILE.json:KEY"
// reads one number from a JSON summary in the run directory instead
// (e.g. "eval.json:return_mean").
absl::StatusOr<std::vector<std::pair<double, double>>> ReadMetric(
    const std::filesystem::path& run_dir, std::string_view metric);

// The mean of the last `last` values (all values when `last` <= 0).
double MeanOfLast(const std::vector<std::pair<double, double>>& series, int last);

// The step of the first value at which the mean of the `window` values ending
// there is >= `threshold` (only full windows count, so one lucky value early on
// does not); nullopt when the series never gets there. `window` <= 1: the
// first value >= `threshold`.
std::optional<double> FirstStepReaching(const std::vector<std::pair<double, double>>& series,
                                        int window, double threshold);

// Parses one JSON object (a line of metrics.jsonl, an eval.json) into its
// top-level numbers (null reads as NaN; strings, arrays and objects are skipped); false when
// the text is not such an object.
bool ParseJsonScalars(std::string_view line, std::vector<std::pair<std::string, double>>& out);

}  // namespace irlab::sweep
