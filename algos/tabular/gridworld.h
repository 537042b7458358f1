// GridWorld: an N×N grid with 4 moves (and optionally "stay"); a move slips to
// a random neighbour with some probability, moves off the grid stay put. The
// true reward is linear in the features (one-hot cells or one-hot blocks).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "algos/tabular/mdp.h"
#include "core/config.h"

namespace irlab::tabular {

// A cell to mark on heatmaps: the goal, or an object with its inner colour.
struct Marker {
  int cell = 0;
  int kind = 0;
};

// A task on a grid: the MDP, its true reward and the layout for heatmaps.
struct GridTask {
  Mdp mdp;
  std::vector<double> true_reward;  // [S, A]
  int width = 0;                    // state s is cell (x, y) = (s % width, s / width)
  std::vector<Marker> markers;      // may be empty
};

struct GridWorldConfig {
  int size = 10;                   // N: cells per side
  int actions = 5;                 // 4 moves (right, up, left, down) or 5 with "stay"
  double slip = 0.3;               // chance that a move goes to a random neighbour instead
  int horizon = 20;                // T: steps per episode
  std::string features = "cells";  // one-hot per cell, or per block×block region ("blocks")
  int block = 2;                   // side of a region for features = blocks
  std::string reward = "goal";     // goal: 1 on the far corner's feature; random: sparse weights
  double reward_density = 0.2;     // random: fraction of features with a U(0,1) weight

  void Bind(ConfigBinder& b) {
    b.Field("size", size, "cells per side").Range(2, 256);
    b.Field("actions", actions, "4 moves, or 5 with stay").Range(4, 5);
    b.Field("slip", slip, "chance a move goes to a random neighbour").Range(0, 1);
    b.Field("horizon", horizon, "steps per episode").Range(1, 100000);
    b.Field("features", features, "one-hot cells or blocks").OneOf({"cells", "blocks"});
    b.Field("block", block, "side of a feature block").Range(1, 256);
    b.Field("reward", reward, "goal corner or sparse random weights").OneOf({"goal", "random"});
    b.Field("reward_density", reward_density, "random: fraction of nonzero weights").Range(0, 1);
  }
};

absl::StatusOr<GridTask> MakeGridWorld(const GridWorldConfig& config, uint64_t seed);

// Fills the MDP's sizes, sparse grid dynamics and a uniform p(s_1). Actions
// are 0 right (+x), 1 up (+y), 2 left, 3 down, 4 stay.
void FillGridDynamics(int size, int actions, double slip, int horizon, Mdp* mdp);

// Copies state features [S, K] into the MDP's [S, A, K].
void SetStateFeatures(const std::vector<double>& state_features, int feature_dim, Mdp* mdp);

}  // namespace irlab::tabular
