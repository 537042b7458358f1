// The `slurm` backend: the unfinished cells go to one `sbatch --array` job
// (chunks of 1000 tasks for larger sweeps), a generated bash script whose
// array task i runs cell i, appends its output to the cell's sweep.log and
// writes the done marker atomically after exit 0. The backend then polls
// squeue until every task has left the queue; a task that left without a
// marker failed (its reason from the log's recorded exit code, or from sacct
// where accounting is available).
//
// Jobs are recorded in <state_dir>/jobs.txt, so a rerun of the sweep (after
// --detach, an interrupted watcher or a lost login) follows the tasks still
// queued instead of submitting them twice.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep/backend.h"

namespace irlab::sweep {

class SlurmBackend : public Backend {
 public:
  struct Options {
    SlurmOptions sbatch;              // --time, --cpus-per-task, ...
    std::filesystem::path state_dir;  // scripts, task lists, Slurm's own logs
    std::string job_name = "irlab-sweep";
    std::filesystem::path irlab_binary;  // replaces a leading "irlab"
    int max_running = 0;                 // --array=...%N; 0: no limit
    double poll_seconds = 5;             // squeue period
    bool detach = false;                 // submit and return
  };

  // An error when sbatch or squeue is not in PATH.
  static absl::StatusOr<std::unique_ptr<Backend>> Create(Options options);

  absl::Status Run(const std::vector<const Cell*>& cells, SweepObserver& observer) override;
  int parallelism() const override { return options_.max_running; }

  // The batch script for `cells` (array task i runs cells[i]).
  static std::string BatchScript(const std::vector<const Cell*>& cells,
                                 const std::filesystem::path& irlab_binary,
                                 const std::filesystem::path& workdir);

 private:
  explicit SlurmBackend(Options options) : options_(std::move(options)) {}

  // A cell handed to Slurm: its job and array index.
  struct Task {
    const Cell* cell;
    std::string job_id;
    int index;
    bool started = false;
  };

  absl::StatusOr<std::vector<Task>> Submit(const std::vector<const Cell*>& cells);
  // Tasks of jobs submitted earlier that are still queued or running.
  absl::StatusOr<std::vector<Task>> Adopt(const std::vector<const Cell*>& cells);
  // Active array indices of a job with their squeue state codes; nullopt-like
  // empty map with `gone` set when the controller no longer knows the job.
  absl::StatusOr<std::map<int, std::string>> QueuedTasks(const std::string& job_id);
  std::string FailureReason(const Task& task);

  Options options_;
};

}  // namespace irlab::sweep
