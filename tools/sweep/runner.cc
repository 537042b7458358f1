#include "tools/sweep/runner.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/files.h"
#include "core/process.h"
#include "core/run_info.h"
#include "core/status.h"
#include "core/strings.h"
#include "tools/sweep/cell_state.h"
#include "tools/sweep/local_backend.h"
#include "tools/sweep/slurm_backend.h"
#include "tools/sweep/sweep_progress.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

// An exclusive lock on <out>/.sweep/lock, held while the sweep runs.
class DirLock {
 public:
  static absl::StatusOr<std::unique_ptr<DirLock>> Acquire(const fs::path& state_dir) {
    const fs::path path = state_dir / "lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      return absl::UnavailableError(StrCat(path.string(), ": cannot open: ", std::strerror(errno)));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return absl::FailedPreconditionError(
          StrCat(state_dir.parent_path().string(),
                 ": another irlab sweep is running on this directory (lock ", path.string(), ")"));
    }
    return std::unique_ptr<DirLock>(new DirLock(fd));
  }
  ~DirLock() { ::close(fd_); }

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

absl::StatusOr<std::vector<const Cell*>> Unfinished(const std::vector<Cell>& cells) {
  std::vector<const Cell*> out;
  for (const Cell& cell : cells) {
    IRLAB_ASSIGN_OR_RETURN(bool finished, IsFinished(cell));
    if (!finished) out.push_back(&cell);
  }
  return out;
}

}  // namespace

absl::StatusOr<SweepSummary> RunSweep(const SweepSpec& spec, const RunOptions& options) {
  if (options.backend != "local" && options.backend != "slurm") {
    return absl::InvalidArgumentError(
        StrCat("unknown backend '", options.backend, "' (local or slurm)"));
  }
  IRLAB_ASSIGN_OR_RETURN(std::vector<Cell> cells, ExpandSweep(spec, options.out_dir));
  const fs::path out = fs::absolute(options.out_dir).lexically_normal();
  const fs::path state_dir = out / ".sweep";
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(state_dir));
  IRLAB_ASSIGN_OR_RETURN(std::unique_ptr<DirLock> lock, DirLock::Acquire(state_dir));

  // what produced this directory: the sweep file as it was, and the command
  std::error_code ec;
  if (fs::is_regular_file(spec.file, ec)) {
    IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(spec.file));
    IRLAB_RETURN_IF_ERROR(WriteFileAtomically(out / "sweep.toml", text));
  }
  if (!options.command_line.empty()) IRLAB_RETURN_IF_ERROR(WriteRunInfo(out, options.command_line));

  SweepSummary summary;
  summary.total = static_cast<int>(cells.size());
  IRLAB_ASSIGN_OR_RETURN(std::vector<const Cell*> pending, Unfinished(cells));
  summary.skipped = summary.total - static_cast<int>(pending.size());
  if (pending.empty()) return summary;

  const fs::path binary = options.irlab_binary.empty() ? SelfExecutable() : options.irlab_binary;
  std::unique_ptr<Backend> backend;
  if (options.backend == "local") {
    backend = std::make_unique<LocalBackend>(options.jobs, binary);
  } else {
    SlurmBackend::Options slurm;
    slurm.sbatch = spec.slurm;
    slurm.state_dir = state_dir / "slurm";
    slurm.job_name = StrCat("irlab-", spec.name);
    slurm.irlab_binary = binary;
    slurm.max_running = options.jobs;
    slurm.poll_seconds = options.poll_seconds;
    slurm.detach = options.detach;
    IRLAB_ASSIGN_OR_RETURN(backend, SlurmBackend::Create(slurm));
  }

  std::fprintf(stderr, "%s: %d cells, %d finished before, %d to run (%s backend)\n",
               spec.name.c_str(), summary.total, summary.skipped, static_cast<int>(pending.size()),
               options.backend.c_str());
  SweepProgress progress(spec.name, summary.total, summary.skipped, backend->parallelism());
  ScopedInterruptHandler interrupts;
  for (int attempt = 0; attempt <= options.retries && !pending.empty(); ++attempt) {
    if (attempt > 0) {
      progress.Finish();
      std::fprintf(stderr, "%s: running %d failed cells again (retry %d of %d)\n",
                   spec.name.c_str(), static_cast<int>(pending.size()), attempt, options.retries);
    }
    absl::Status s = backend->Run(pending, progress);
    progress.Finish();
    if (absl::IsCancelled(s)) {
      return absl::CancelledError(StrCat("interrupted with ", progress.done(), "/", summary.total,
                                         " cells finished; run the same command again to resume"));
    }
    IRLAB_RETURN_IF_ERROR(s);
    IRLAB_ASSIGN_OR_RETURN(pending, Unfinished(cells));
    if (options.detach) {
      summary.submitted = static_cast<int>(pending.size());
      pending.clear();
    }
  }
  summary.done =
      summary.total - summary.skipped - summary.submitted - static_cast<int>(pending.size());
  for (const Cell* cell : pending) summary.failed.push_back(cell->id);
  return summary;
}

absl::StatusOr<std::string> DescribeSweep(const SweepSpec& spec, const fs::path& out_dir) {
  IRLAB_ASSIGN_OR_RETURN(std::vector<Cell> cells, ExpandSweep(spec, out_dir));
  std::string text;
  int done = 0, failed = 0, pending = 0;
  for (const Cell& cell : cells) {
    IRLAB_ASSIGN_OR_RETURN(bool finished, IsFinished(cell));
    std::error_code ec;
    const char* state = finished ? "done" : fs::exists(LogPath(cell), ec) ? "failed" : "pending";
    (finished ? done : *state == 'f' ? failed : pending) += 1;
    StrAppend(&text, state, std::string(8 - std::strlen(state), ' '), cell.id, "\n");
  }
  StrAppend(&text, done, " done, ", failed, " failed or interrupted, ", pending, " not started\n");
  return text;
}

}  // namespace irlab::sweep
