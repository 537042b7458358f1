// The sweep's progress: one line per ended cell, and on a terminal a status
// line redrawn in place (done / running / failed, ETA from the cells'
// durations so far).
//
//   done   env-Hopper/seed-0 (41 s)
//   FAILED env-Ant/seed-1: exit 1 (log: runs/x/env-Ant/seed-1/sweep.log)
//   rollout-demo: 7/12 done, 2 running, 1 failed, eta 1m20s
#pragma once

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tools/sweep/backend.h"

namespace irlab::sweep {

class SweepProgress : public SweepObserver {
 public:
  // `total` cells of which `already_done` were finished before; `parallelism`
  // cells run at once (0: unknown). Output goes to `out` (stderr by default);
  // the status line only when it is a terminal.
  SweepProgress(std::string name, int total, int already_done, int parallelism,
                std::FILE* out = stderr);
  ~SweepProgress() override;

  void Started(const Cell& cell) override;
  void Ended(const Cell& cell, bool ok, const std::string& reason) override;
  void Tick() override;
  // Ends the status line.
  void Finish();

  int done() const { return done_; }
  int failed() const { return static_cast<int>(failed_.size()); }
  int running() const { return static_cast<int>(start_.size()); }
  // Cells that ended unsuccessfully (in this attempt or an earlier one);
  // forgotten when they are started again.
  const std::vector<std::string>& failed_cells() const { return failed_; }
  // The ETA in seconds, or a negative number when not known yet.
  double EtaSeconds() const;

 private:
  void PrintLine(const std::string& line);
  void Draw(bool force);

  std::string name_;
  int total_, done_, parallelism_;
  std::FILE* out_;
  bool tty_;
  bool status_shown_ = false;
  std::map<std::string, std::chrono::steady_clock::time_point> start_;  // running cells
  std::vector<std::string> failed_;
  double finished_seconds_ = 0;  // summed durations of cells finished here
  int finished_here_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
  std::string last_line_;  // the status line on screen
};

// "1h02m", "3m20s", "45s".
std::string FormatDuration(double seconds);

}  // namespace irlab::sweep
