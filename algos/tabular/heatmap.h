// PNG heatmaps of grid rewards, drawn by gnuplot (Debian's gnuplot-nox).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "algos/tabular/gridworld.h"
#include "algos/tabular/mdp.h"

namespace irlab::tabular {

// r(s) = mean_a r(s,a), for drawing.
std::vector<double> StateReward(const Mdp& mdp, const std::vector<double>& reward);  // -> [S]

// Draws the true and the learned reward side by side, each with its own colour
// scale, the markers as dots coloured by kind (gnuplot's line colours 1, 2, ...
// for kinds 0, 1, ...) and `caption` under the plots. Writes to a temporary
// file and renames it to `png`; an error if gnuplot is missing or fails.
absl::Status WriteRewardHeatmaps(const std::filesystem::path& png, const std::string& title,
                                 const std::string& caption, int width,
                                 const std::vector<Marker>& markers,
                                 const std::vector<double>& true_reward,      // [S]
                                 const std::vector<double>& learned_reward);  // [S]

}  // namespace irlab::tabular
