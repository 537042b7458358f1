// ObjectWorld (Levine et al. 2011, the benchmark of Wulfmeier et al. 2016): a
// grid with the GridWorld's moves and slip, objects placed at random, each with
// an inner and an outer colour. Features are the distances to the nearest
// object of each inner and each outer colour; the true reward is nonlinear in
// them: +scale within distance 3 of inner colour 0 and distance 2 of inner
// colour 1, -scale within distance 3 of inner colour 0 only, 0 elsewhere
// (Euclidean distances, strict inequalities, as in Levine's objectworld code).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "algos/tabular/gridworld.h"
#include "core/config.h"

namespace irlab::tabular {

struct ObjectWorldConfig {
  int size = 32;                        // N: cells per side
  int actions = 5;                      // 4 moves, or 5 with "stay"
  double slip = 0.3;                    // Levine's "determinism" 0.7
  int horizon = 50;                     // T: steps per episode
  int colours = 2;                      // C inner and C outer colours
  double placement_prob = 0.05;         // chance of an object in each cell (Levine's default)
  std::string features = "continuous";  // continuous: 2C distances; discrete: 2C(N-1) indicators
  double reward_scale = 1.0;            // the true reward takes values {-scale, 0, +scale}

  void Bind(ConfigBinder& b) {
    b.Field("size", size, "cells per side").Range(4, 256);
    b.Field("actions", actions, "4 moves, or 5 with stay").Range(4, 5);
    b.Field("slip", slip, "chance a move goes to a random neighbour").Range(0, 1);
    b.Field("horizon", horizon, "steps per episode").Range(1, 100000);
    b.Field("colours", colours, "inner and outer colours").Range(2, 16);
    b.Field("placement_prob", placement_prob, "chance of an object per cell").Range(0, 1);
    b.Field("features", features, "distances or distance indicators")
        .OneOf({"continuous", "discrete"});
    b.Field("reward_scale", reward_scale, "magnitude of the true reward").Range(1e-6, 1e6);
  }
};

// Places the objects with `seed`; an error if no object of inner colour 0 or 1
// was placed (the reward would be flat).
absl::StatusOr<GridTask> MakeObjectWorld(const ObjectWorldConfig& config, uint64_t seed);

}  // namespace irlab::tabular
