// Where the cells of a sweep run: the `local` process pool or a Slurm array.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/sweep/sweep_file.h"

namespace irlab::sweep {

// Told about each cell as a backend starts and ends it.
class SweepObserver {
 public:
  virtual ~SweepObserver() = default;
  // The cell's process started.
  virtual void Started(const Cell& cell) = 0;
  // The cell ended: `ok` when it exited 0 and its done marker is written,
  // otherwise `reason` says what happened.
  virtual void Ended(const Cell& cell, bool ok, const std::string& reason) = 0;
  // Called about ten times a second while a backend waits.
  virtual void Tick() {}
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Runs each of `cells` once, appending its output to its LogPath() and
  // writing its done marker after exit 0, and returns when all have ended.
  // Returns Cancelled when interrupted (SIGINT/SIGTERM); one cell's failure
  // never stops the others.
  virtual absl::Status Run(const std::vector<const Cell*>& cells, SweepObserver& observer) = 0;
  // How many cells may run at once (for the ETA); 0 when unknown.
  virtual int parallelism() const = 0;
};

// The command to execute: a leading "irlab" becomes `irlab_binary`.
std::vector<std::string> ResolveCommand(std::vector<std::string> argv,
                                        const std::filesystem::path& irlab_binary);

// Set by SIGINT/SIGTERM/SIGHUP while a sweep runs (see ScopedInterruptHandler).
bool InterruptRequested();

// Installs the handlers that set InterruptRequested() and restores the old
// ones when it goes out of scope.
class ScopedInterruptHandler {
 public:
  ScopedInterruptHandler();
  ~ScopedInterruptHandler();
  ScopedInterruptHandler(const ScopedInterruptHandler&) = delete;
  ScopedInterruptHandler& operator=(const ScopedInterruptHandler&) = delete;

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace irlab::sweep
