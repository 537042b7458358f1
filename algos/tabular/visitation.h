// The forward pass: exact state and state-action visitation of a policy.
#pragma once

#include <vector>

#include "algos/tabular/mdp.h"
#include "algos/tabular/planning.h"

namespace irlab::tabular {

// mu_0 = initial; mu_{t+1}(s') = Σ_{s,a} mu_t(s) pi_t(a|s) P(s'|s,a).
// state_visits[t] is the distribution of s_t (each row sums to 1);
// sa_visits(s,a) = Σ_t mu_t(s) pi_t(a|s) (sums to T).
void Visitation(const Mdp& mdp, const TabularPolicy& policy,
                const std::vector<double>& initial,  // [S]
                std::vector<double>* state_visits,   // [T, S]
                std::vector<double>* sa_visits);     // [S, A]

// E_pi[Σ_t f(s_t, a_t)] from `initial`.
std::vector<double> PolicyFeatureExpectation(const Mdp& mdp, const TabularPolicy& policy,
                                             const std::vector<double>& initial);  // -> [K]

}  // namespace irlab::tabular
