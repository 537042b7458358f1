// The AIRL paper's point-maze picture: the reward over the (x, y) plane of
// PointMazeLeft / PointMazeRight with the walls, the start and the target
// drawn, the true reward beside the learned one (when there is one). Drawn by
// gnuplot (Debian's gnuplot-nox) into a temporary file renamed into place.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "viewer/displayed_reward.h"

namespace irlab::viewer {

// A reward sampled on a regular grid of cell centres over the arena.
struct MazeGrid {
  double x0 = 0, y0 = 0;               // centre of cell (0, 0)
  double cell = 0;                     // cell side
  int nx = 0, ny = 0;                  // cells along x and y
  std::vector<double> true_reward;     // [ny, nx], row y = 0 first
  std::vector<double> learned_reward;  // [ny, nx], or empty
  // what is drawn on top
  std::vector<std::array<double, 4>> walls;  // segments (x1, y1, x2, y2)
  double wall_width = 0;                     // wall capsule diameter
  std::array<double, 2> start{}, target{};
};

// Samples `task` (a point maze) on a grid with `cells` cells along the longer
// side. Each cell's rewards come from the env itself: the particle is put at
// the cell centre at rest, obs is observed there, one step with a zero
// action gives the true reward and next obs, and the learned reward is
// r(obs, 0, next_obs). Errors: a task that is not a point maze.
absl::StatusOr<MazeGrid> SampleMaze(const std::string& task, const DisplayedReward& learned,
                                    int cells);

// Writes the heatmap PNG (one panel, or two with a learned reward).
absl::Status WriteMazeHeatmap(const std::filesystem::path& png, const std::string& task,
                              const MazeGrid& grid, const std::string& learned_label);

}  // namespace irlab::viewer
