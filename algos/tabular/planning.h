// Backward passes on a tabular MDP with finite horizon T (time t = 0..T-1,
// V_T = 0): soft value iteration (MaxEnt IRL's backward pass), hard value
// iteration (the optimal policy) and policy evaluation. Callers pass their
// output buffers in so that an IRL loop allocates them once.
#pragma once

#include <vector>

#include "algos/tabular/mdp.h"

namespace irlab::tabular {

// A time-dependent stochastic policy pi_t(a|s).
struct TabularPolicy {
  int horizon = 0, num_states = 0, num_actions = 0;
  std::vector<double> probs;  // [T, S, A]

  const double* at(int t, int s) const {
    return probs.data() + (static_cast<size_t>(t) * num_states + s) * num_actions;
  }
};

// Soft value iteration in log space:
//   Q_t(s,a) = r(s,a) + Σ_s' P(s'|s,a) V_{t+1}(s'),  V_t(s) = log Σ_a exp Q_t(s,a),
//   pi_t(a|s) = exp(Q_t(s,a) - V_t(s)).
void SoftValueIteration(const Mdp& mdp, const std::vector<double>& reward,    // [S, A]
                        TabularPolicy* policy, std::vector<double>* values);  // values [T+1, S]

// Hard value iteration: V_t(s) = max_a Q_t(s,a) and the greedy deterministic
// policy (the lowest action index among ties).
void OptimalValueIteration(const Mdp& mdp, const std::vector<double>& reward,    // [S, A]
                           TabularPolicy* policy, std::vector<double>* values);  // [T+1, S]

// V^pi_t(s) = Σ_a pi_t(a|s) (r(s,a) + Σ_s' P(s'|s,a) V^pi_{t+1}(s')).
void EvaluateTabularPolicy(const Mdp& mdp, const std::vector<double>& reward,          // [S, A]
                           const TabularPolicy& policy, std::vector<double>* values);  // [T+1, S]

// Σ_s p(s) V_0(s): the expected return from start distribution p.
double StartValue(const std::vector<double>& values,         // [T+1, S]
                  const std::vector<double>& distribution);  // [S]

}  // namespace irlab::tabular
