// Demonstrations on a tabular MDP: sampling them from a policy, checking
// user-given ones, and the statistics the IRL algorithms match.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "algos/tabular/mdp.h"
#include "algos/tabular/planning.h"
#include "core/rng.h"

namespace irlab::tabular {

// One demonstration: states s_0..s_{T-1} and the actions taken in them.
struct Trajectory {
  std::vector<int> states;   // [T]
  std::vector<int> actions;  // [T]
};

// Checks that there is at least one demo, each of length T, with states and
// actions in range and transitions the MDP allows.
absl::Status ValidateDemos(const Mdp& mdp, const std::vector<Trajectory>& demos);

// Samples `count` episodes: s_0 ~ p(s_1), a_t ~ pi_t(.|s_t), s_{t+1} ~ P.
std::vector<Trajectory> SampleDemos(const Mdp& mdp, const TabularPolicy& policy, int count,
                                    Rng& rng);

// The empirical distribution of the demos' first states.
std::vector<double> DemoStartDistribution(const Mdp& mdp,
                                          const std::vector<Trajectory>& demos);  // -> [S]

// Mean state-action counts per demo (sums to T).
std::vector<double> DemoVisitation(const Mdp& mdp,
                                   const std::vector<Trajectory>& demos);  // -> [S, A]

// Mean Σ_t f(s_t, a_t) per demo.
std::vector<double> DemoFeatureExpectation(const Mdp& mdp,
                                           const std::vector<Trajectory>& demos);  // -> [K]

}  // namespace irlab::tabular
