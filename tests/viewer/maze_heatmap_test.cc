// The point-maze heatmap: the geometry comes from the model, each cell's true
// reward is the env's own (the negative distance to the target away from the
// walls), a learned reward fills the second panel, and the PNG is whole.
#include "viewer/maze_heatmap.h"

#include <cmath>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "tests/viewer/test_util.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

TEST(MazeHeatmapTest, GeometryAndTrueReward) {
  auto grid = SampleMaze("PointMazeLeft", {}, 35);
  ASSERT_TRUE(grid.ok()) << grid.status();
  const MazeGrid& g = *grid;
  // the arena is the square [-0.1, 0.6]^2, 35 cells of 0.02 a side
  EXPECT_EQ(g.nx, 35);
  EXPECT_EQ(g.ny, 35);
  EXPECT_NEAR(g.cell, 0.02, 1e-12);
  EXPECT_NEAR(g.x0, -0.09, 1e-12);
  EXPECT_NEAR(g.y0, -0.09, 1e-12);
  EXPECT_EQ(g.walls.size(), 5u);  // four sides and the barrier
  EXPECT_NEAR(g.start[0], 0.3, 1e-12);
  EXPECT_NEAR(g.start[1], 0.0, 1e-12);
  EXPECT_NEAR(g.target[0], 0.3, 1e-12);
  EXPECT_NEAR(g.target[1], 0.5, 1e-12);
  bool barrier = false;
  for (const auto& w : g.walls) {
    // Left: the barrier at y = 0.3 runs from the west wall to x = 0.4
    if (std::abs(w[1] - 0.3) < 1e-9 && std::abs(w[3] - 0.3) < 1e-9) {
      barrier = true;
      EXPECT_NEAR(std::min(w[0], w[2]), -0.1, 1e-9);
      EXPECT_NEAR(std::max(w[0], w[2]), 0.4, 1e-9);
    }
  }
  EXPECT_TRUE(barrier);
  EXPECT_TRUE(g.learned_reward.empty());
  // away from the walls a particle at rest stays put: reward = -distance to the target
  int checked = 0;
  for (int iy = 0; iy < g.ny; ++iy) {
    for (int ix = 0; ix < g.nx; ++ix) {
      const double x = g.x0 + ix * g.cell, y = g.y0 + iy * g.cell;
      if (x < 0 || x > 0.5 || y < 0 || y > 0.5 || std::abs(y - 0.3) < 0.08) continue;
      EXPECT_NEAR(g.true_reward[iy * g.nx + ix], -std::hypot(x - 0.3, y - 0.5), 1e-9)
          << x << "," << y;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(MazeHeatmapTest, LearnedRewardPanel) {
  DisplayedReward learned{"x of s'", [](std::span<const float> obs, std::span<const float> act,
                                        std::span<const float> next) { return double(next[0]); }};
  auto grid = SampleMaze("PointMazeRight", learned, 20);
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->learned_reward.size(), grid->true_reward.size());
  // a cell in the open: the learned reward is the cell's x
  const int ix = 10, iy = 5;
  EXPECT_NEAR(grid->learned_reward[iy * grid->nx + ix], grid->x0 + ix * grid->cell, 1e-6);
  const fs::path png = testing::TestDir() / "it's a maze.png";  // quotes reach gnuplot safely
  ASSERT_TRUE(WriteMazeHeatmap(png, "PointMazeRight", *grid, learned.label).ok());
  const testing::VideoFacts facts = testing::Probe(png);
  EXPECT_EQ(facts.width, 1100);  // two panels
  EXPECT_EQ(facts.height, 520);
  std::printf("two-panel heatmap: %s\n", png.c_str());
}

TEST(MazeHeatmapTest, Errors) {
  EXPECT_FALSE(SampleMaze("Hopper", {}, 20).ok());
  EXPECT_FALSE(SampleMaze("Pendulum", {}, 20).ok());
  EXPECT_FALSE(SampleMaze("PointMazeLeft", {}, 1).ok());
  auto grid = SampleMaze("PointMazeLeft", {}, 10);
  ASSERT_TRUE(grid.ok());
  const absl::Status missing = WriteMazeHeatmap("/nonexistent/m.png", "PointMazeLeft", *grid, "");
  EXPECT_NE(std::string(missing.message()).find("/nonexistent does not exist"), std::string::npos)
      << missing;
}

}  // namespace
}  // namespace irlab::viewer
