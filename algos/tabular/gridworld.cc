#include "algos/tabular/gridworld.h"

#include <algorithm>
#include <utility>

#include "core/rng.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab::tabular {
namespace {

constexpr int kDx[5] = {1, 0, -1, 0, 0};
constexpr int kDy[5] = {0, 1, 0, -1, 0};

}  // namespace

void FillGridDynamics(int size, int actions, double slip, int horizon, Mdp* mdp) {
  const int S = size * size;
  mdp->num_states = S;
  mdp->num_actions = actions;
  mdp->horizon = horizon;
  mdp->row_begin.assign(1, 0);
  mdp->next_state.clear();
  mdp->prob.clear();
  // the cell a move leads to (off the grid: stay put)
  auto target = [size](int x, int y, int move) {
    const int nx = x + kDx[move], ny = y + kDy[move];
    if (nx < 0 || nx >= size || ny < 0 || ny >= size) return y * size + x;
    return ny * size + nx;
  };
  std::vector<std::pair<int, double>> row;
  for (int s = 0; s < S; ++s) {
    const int x = s % size, y = s / size;
    for (int a = 0; a < actions; ++a) {
      // intended move with 1 - slip, each of the 4 neighbours with slip / 4
      row.clear();
      row.emplace_back(target(x, y, a), 1.0 - slip);
      for (int m = 0; m < 4; ++m) row.emplace_back(target(x, y, m), slip / 4);
      std::sort(row.begin(), row.end());
      for (const auto& [next, p] : row) {
        const bool repeated = static_cast<int>(mdp->next_state.size()) > mdp->row_begin.back() &&
                              mdp->next_state.back() == next;
        if (repeated) {
          mdp->prob.back() += p;  // merge repeated successors
        } else if (p > 0.0) {
          mdp->next_state.push_back(next);
          mdp->prob.push_back(p);
        }
      }
      mdp->row_begin.push_back(static_cast<int>(mdp->next_state.size()));
    }
  }
  mdp->initial.assign(S, 1.0 / S);
}

void SetStateFeatures(const std::vector<double>& state_features, int feature_dim, Mdp* mdp) {
  const int S = mdp->num_states, A = mdp->num_actions, K = feature_dim;
  IRLAB_CHECK(state_features.size() == static_cast<size_t>(S) * K, "state features are [S, K]");
  mdp->feature_dim = K;
  mdp->features.resize(static_cast<size_t>(S) * A * K);
  for (int s = 0; s < S; ++s) {
    for (int a = 0; a < A; ++a) {
      std::copy_n(&state_features[static_cast<size_t>(s) * K], K,
                  &mdp->features[(static_cast<size_t>(s) * A + a) * K]);
    }
  }
}

absl::StatusOr<GridTask> MakeGridWorld(const GridWorldConfig& config, uint64_t seed) {
  const int n = config.size;
  if (config.features == "blocks" && n % config.block != 0) {
    return absl::InvalidArgumentError(
        StrCat("gridworld.block: ", config.block, " does not divide gridworld.size ", n));
  }
  GridTask task;
  task.width = n;
  FillGridDynamics(n, config.actions, config.slip, config.horizon, &task.mdp);
  // one-hot features: the cell itself, or the block it lies in
  const int blocks_per_side = config.features == "cells" ? n : n / config.block;
  const int cell_side = n / blocks_per_side;
  const int K = blocks_per_side * blocks_per_side;
  std::vector<double> state_features(static_cast<size_t>(n) * n * K, 0.0);
  for (int s = 0; s < n * n; ++s) {
    const int bx = (s % n) / cell_side, by = (s / n) / cell_side;
    state_features[static_cast<size_t>(s) * K + by * blocks_per_side + bx] = 1.0;
  }
  SetStateFeatures(state_features, K, &task.mdp);
  // true weights: the far corner's feature, or a sparse random vector
  std::vector<double> weights(K, 0.0);
  if (config.reward == "goal") {
    weights[K - 1] = 1.0;
    task.markers.push_back({n * n - 1, 0});
  } else {
    Rng rng(seed);
    for (double& w : weights) w = rng.Uniform() < config.reward_density ? rng.Uniform() : 0.0;
  }
  LinearReward(task.mdp, weights, &task.true_reward);
  IRLAB_RETURN_IF_ERROR(ValidateMdp(task.mdp));
  return task;
}

}  // namespace irlab::tabular
