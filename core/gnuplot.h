// gnuplot (Debian's gnuplot-nox), which draws every figure irlab writes: the
// learning curves of `irlab plot` and the reward heatmaps.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

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

// A datablock `$name` of a [height, width] grid, row 0 first, "%.6g" each:
// `plot $name matrix with image` draws row 0 at the bottom.
std::string GnuplotDatablock(std::string_view name, int width, const std::vector<double>& values);

// The script that draws the figure into `out` with gnuplot terminal `terminal`.
using GnuplotScript =
    std::function<std::string(const std::string& terminal, const std::filesystem::path& out)>;

// Draws the PNG `png` with the cairo terminal, or the libgd png terminal where
// cairo fails: the script and the figure are written beside `png` under
// temporary names, and the figure is renamed to `png` once gnuplot drew it.
// Errors name `png`, the terminal and gnuplot's output.
absl::Status DrawPng(const std::filesystem::path& png, const GnuplotScript& script);

}  // namespace irlab
