// Deep MaxEnt IRL (Wulfmeier et al. 2016): the reward r(s,a) = NN(f(s,a)) is an
// MLP (LibTorch, kept inside the .cc); each iteration runs the exact backward
// and forward passes and back-propagates ∂L/∂r(s,a) = D_demo(s,a) - E[D(s,a)]
// (minus the gradient of a Gaussian prior on the reward values) into the
// network. Without the prior the objective is unbounded whenever the demos
// visit a state more often than any policy could in expectation (a finite-
// sample accident), and the reward there grows without end; with one-hot
// features the prior is the same as MaxEnt IRL's L2 penalty on ψ.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "algos/tabular/demos.h"
#include "algos/tabular/evaluation.h"
#include "algos/tabular/mdp.h"
#include "core/config.h"

namespace irlab::tabular {

struct DeepMaxEntConfig {
  int iterations = 300;         // network updates
  double learning_rate = 1e-2;  // Adam step
  double weight_decay = 1e-3;   // L2 on the network weights (Adam's weight_decay)
  double reward_l2 = 0.01;  // objective - reward_l2/2 Σ_s mean_a r(s,a)²: a prior on the values
  int hidden = 32;          // units per hidden layer
  int layers = 2;           // hidden layers (ReLU)
  int threads = 1;          // LibTorch intra-op threads (the network is tiny)

  void Bind(ConfigBinder& b) {
    b.Field("iterations", iterations, "network updates").Range(1, 1e7);
    b.Field("learning_rate", learning_rate, "Adam step size").Range(0, 10);
    b.Field("weight_decay", weight_decay, "L2 on the network weights").Range(0, 10);
    b.Field("reward_l2", reward_l2, "L2 penalty on the reward values").Range(0, 1e6);
    b.Field("hidden", hidden, "units per hidden layer").Range(1, 4096);
    b.Field("layers", layers, "hidden layers").Range(0, 16);
    b.Field("threads", threads, "LibTorch threads").Range(1, 256);
  }
};

// Trains from a network seeded with `seed` on the features standardised per
// column. The trace holds the MaxEnt objective and ‖D_demo - E[D]‖ per step;
// the policy is the optimal one for the learned reward.
absl::StatusOr<IrlResult> DeepMaxEntIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                        const DeepMaxEntConfig& config, uint64_t seed);

}  // namespace irlab::tabular
