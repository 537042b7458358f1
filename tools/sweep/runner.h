// Runs a sweep to completion, resumably: cells whose done marker matches
// their command are skipped, the others (never run, failed, interrupted) are
// run, failed ones again up to `retries` times. Finished results are never
// touched. One `irlab sweep` at a time per output directory (a lock file).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/sweep_file.h"

namespace irlab::sweep {

struct RunOptions {
  std::filesystem::path out_dir;          // run directories go under it
  std::string backend = "local";          // local or slurm
  int jobs = 0;                           // cells at once; local: 0 = cores, slurm: 0 = no limit
  int retries = 0;                        // extra attempts for failed cells
  bool detach = false;                    // slurm: submit, do not wait
  double poll_seconds = 5;                // slurm: squeue period
  std::filesystem::path irlab_binary;     // replaces a leading "irlab"; empty = this executable
  std::vector<std::string> command_line;  // recorded in <out_dir>/run.json
};

struct SweepSummary {
  int total = 0;                    // cells in the sweep
  int skipped = 0;                  // finished before this run
  int done = 0;                     // finished by this run
  int submitted = 0;                // slurm --detach: left running on the cluster
  std::vector<std::string> failed;  // cell ids that did not finish
  bool ok() const { return failed.empty() && submitted == 0; }
};

// Expands and runs `spec`. An error for bad input or a broken backend
// (sbatch missing, say); failed cells are reported in the summary instead.
absl::StatusOr<SweepSummary> RunSweep(const SweepSpec& spec, const RunOptions& options);

// The state of each cell without running anything: one line per cell,
// "done", "failed" (a log but no marker) or "pending".
absl::StatusOr<std::string> DescribeSweep(const SweepSpec& spec,
                                          const std::filesystem::path& out_dir);

}  // namespace irlab::sweep
