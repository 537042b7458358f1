// Result tables: finished runs aggregated into mean ± std over seeds, the
// expert-normalised score, and the published figure beside each cell.
//
//   title = "GAIL (Ho & Ermon 2016, Table 1)"
//   rows = ["env", "n"]          # run variables that make a row, in order
//   column = "algo"              # the variable that makes the columns
//   metric = "eval/return"       # default metric of the sources
//   last = 10                    # per run: mean of its last 10 values (0: all)
//   published = "gail"           # section of the published figures file
//   published_file = "../../published.toml"  # relative to this file
//   min_seeds = 5                # cells with fewer seeds are marked
//   reach = 0.9                  # also: per run, the first step at which the
//                                # mean of its last `last` values is >= 0.9
//                                # ("steps to expert"), tabulated per cell
//
//   [vars]                       # {placeholders} for run paths; --var overrides
//   root = "runs/reproduce/gail-table/small"
//   [labels]                     # display names of values and keys
//   gail = "GAIL"
//   [order]                      # row and column order (else the published
//   algo = ["expert", "bc", "gail"]  # file's, then sorted)
//
//   [[source]]                   # where runs are found; repeatable
//   runs = "{root}/train"        # searched recursively (see run_data.h)
//   set = { }                    # variables added to every run of the source
//   where = { }                  # only the runs with these variable values
//   [normalise]                  # (R - R_random) / (R_expert - R_random) per `by`
//   by = "env"
//   expert = { runs = "{root}/experts", metric = "eval/return", last = 10 }
//   random = { runs = "{root}/random", metric = "episode_return", last = 0 }
//
// Published figures (published.toml) per section:
//   [gail]
//   source = "Ho & Ermon 2016, Table 1"
//   entries = [{ env = "Hopper", n = 4, algo = "gail", mean = 3614, std = 7 }, ...]
//   expert = { Hopper = 3571 }   # the paper's own expert and random returns per
//   random = { }                 # `by` value, to normalise its figures
//
// Relative `runs` paths are taken from the working directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab::sweep {

struct TableOutput {
  std::string markdown;
  std::string csv;                    // one line per cell, long format
  std::vector<std::string> warnings;  // runs left out and why
};

// Builds the table described by `spec_file`. `var_overrides` are "name=value"
// for its [vars]; `notes` are appended under the table (budget, commands).
absl::StatusOr<TableOutput> BuildTable(const std::filesystem::path& spec_file,
                                       const std::vector<std::string>& var_overrides = {},
                                       const std::vector<std::string>& notes = {});

// Mean and standard deviation (population, like numpy's default) of `values`.
std::pair<double, double> MeanStd(const std::vector<double>& values);

}  // namespace irlab::sweep
