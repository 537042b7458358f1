// gnuplot (Debian's gnuplot-nox), which draws every figure irlab writes: the
// learning curves of `irlab plot` and the reward heatmaps.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/process.h"

namespace irlab {

// Why a figure cannot be drawn when gnuplot is not installed.
inline constexpr char kGnuplotMissing[] =
    "the gnuplot command is not in PATH (Debian package gnuplot-nox; tools/setup.sh installs it)";

// Runs gnuplot on a script file to completion (killed after `timeout_seconds`);
// its exit code and output. An error when gnuplot is missing.
absl::StatusOr<CommandResult> RunGnuplot(const std::filesystem::path& script,
                                         double timeout_seconds = 120);

// The script that draws the figure into `out` with gnuplot terminal `terminal`.
using GnuplotScript =
    std::function<std::string(const std::string& terminal, const std::filesystem::path& out)>;

// Draws the PNG `png` with the cairo terminal, or the libgd png terminal where
// cairo fails: the script and the figure are written beside `png` under
// temporary names, and the figure is renamed to `png` once gnuplot drew it.
// Errors name `png`, the terminal and gnuplot's output.
absl::Status DrawPng(const std::filesystem::path& png, const GnuplotScript& script);

}  // namespace irlab
