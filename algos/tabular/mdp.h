// The tabular MDP the lecture's classic IRL algorithms run on: finite states
// and actions, sparse transitions P(s'|s,a), an initial distribution, a finite
// horizon T and features f(s,a). Rewards, policies and visitation counts are
// flat std::vector<double>s; their shapes are written next to them.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace irlab::tabular {

struct Mdp {
  int num_states = 0;   // S
  int num_actions = 0;  // A
  int horizon = 0;      // T >= 1 steps per episode
  // P(s'|s,a) in compressed rows: row sa = s * A + a holds the pairs
  // (next_state[k], prob[k]) for k in [row_begin[sa], row_begin[sa + 1]).
  std::vector<int> row_begin;    // [S*A + 1]
  std::vector<int> next_state;   // [nnz]
  std::vector<double> prob;      // [nnz]
  std::vector<double> initial;   // [S] p(s_1)
  int feature_dim = 0;           // K
  std::vector<double> features;  // [S, A, K] f(s,a)

  int num_pairs() const { return num_states * num_actions; }
  const double* feature(int s, int a) const {
    return features.data() + static_cast<size_t>(s * num_actions + a) * feature_dim;
  }
};

// Checks shapes, probabilities in [0, 1], rows of P and p(s_1) summing to 1,
// successor states in range, finite features and a horizon >= 1.
absl::Status ValidateMdp(const Mdp& mdp);

// Builds (and validates) an Mdp from a dense P [S, A, S]; zeros are dropped.
absl::StatusOr<Mdp> MdpFromDense(int num_states, int num_actions, int horizon,
                                 const std::vector<double>& transition,           // [S, A, S]
                                 std::vector<double> initial,                     // [S]
                                 int feature_dim, std::vector<double> features);  // [S, A, K]

// r(s,a) = weightsᵀ f(s,a).
void LinearReward(const Mdp& mdp, const std::vector<double>& weights,  // [K]
                  std::vector<double>* reward);                        // [S, A]

// Σ_{s,a} D(s,a) f(s,a) for state-action visitation counts D.
std::vector<double> FeatureExpectation(const Mdp& mdp,
                                       const std::vector<double>& sa_visits);  // [S, A] -> [K]

// aᵀb of two vectors of the same size (feature expectations, weights).
double Dot(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace irlab::tabular
