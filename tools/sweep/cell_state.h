// A cell's bookkeeping, kept beside the run directories and never in them:
//
//   <out>/.sweep/cells/<cell id>/sweep.log    every attempt's output, appended
//   <out>/.sweep/cells/<cell id>/sweep.done   the done marker
//   <out>/.sweep/attempts/<cell id>.<k>/      an earlier attempt's run directory
//
// The done marker is written atomically after the command exited 0. A cell is
// finished only when its marker is there and names the same command; nothing
// here deletes a result (a partial run directory is moved aside, never
// removed). sweep.done is TOML:
//
//   command = ["irlab", "rollout", "--env", "Hopper", "--seed", "0", "--out", "/runs/x"]
//   cell = "env-Hopper/seed-0"
//   backend = "local"
//   seconds = 12.5
//   finished = "2026-11-24T00:31:07Z"
//   [vars]
//   env = "Hopper"
//   seed = "0"
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "tools/sweep/sweep_file.h"

namespace irlab::sweep {

inline std::filesystem::path LogPath(const Cell& cell) { return cell.state_dir / "sweep.log"; }
inline std::filesystem::path DoneMarkerPath(const Cell& cell) {
  return cell.state_dir / "sweep.done";
}

// The marker's text for `cell` is MarkerHead, then any lines of the backend's
// own (seconds, finished, the Slurm job id), then MarkerVars.
std::string MarkerHead(const Cell& cell, std::string_view backend);
std::string MarkerVars(const Cell& cell);

// Writes the marker atomically after a successful run.
absl::Status WriteDoneMarker(const Cell& cell, std::string_view backend, double seconds);

// True when the cell has a valid marker for its command; false when it has
// none; an error when the marker records a different command (the sweep file
// changed under a finished result) or cannot be read.
absl::StatusOr<bool> IsFinished(const Cell& cell);

// The variables recorded in a done marker file ([vars]); nullopt when there
// is no such file.
absl::StatusOr<std::optional<Vars>> ReadMarkerVars(const std::filesystem::path& marker);

// Readies a cell for an attempt: its state directory and the run directory's
// parent exist, a non-empty run directory left by an earlier attempt is moved
// to `attempts`.<k> unless the cell has a resume command (and its
// resume_when file, if any), and {out} exists if asked for. Returns the command to run (the resume
// command when resuming), and notes what it did in the log.
absl::StatusOr<std::vector<std::string>> PrepareAttempt(const Cell& cell);

// Appends one line to the cell's log.
void AppendLog(const Cell& cell, const std::string& line);

// The last `max_lines` lines of a log, indented, for failure reports.
std::string LogTail(const std::filesystem::path& log, int max_lines);
// A cell's log from the sweep's --out directory and the cell's id.
inline std::filesystem::path CellLogPath(const std::filesystem::path& out_dir,
                                         const std::string& id) {
  return out_dir / ".sweep" / "cells" / id / "sweep.log";
}

// A TOML basic string literal.
std::string TomlQuote(std::string_view s);

}  // namespace irlab::sweep
