#include "algos/tabular/visitation.h"

#include "core/status.h"

namespace irlab::tabular {

void Visitation(const Mdp& mdp, const TabularPolicy& policy, const std::vector<double>& initial,
                std::vector<double>* state_visits, std::vector<double>* sa_visits) {
  const int T = mdp.horizon, S = mdp.num_states, A = mdp.num_actions;
  IRLAB_CHECK(policy.horizon == T && policy.num_states == S && policy.num_actions == A,
              "policy shape does not match the mdp");
  IRLAB_CHECK(initial.size() == static_cast<size_t>(S), "initial is [S]");
  state_visits->assign(static_cast<size_t>(T) * S, 0.0);
  sa_visits->assign(mdp.num_pairs(), 0.0);
  std::copy(initial.begin(), initial.end(), state_visits->begin());
  const int* begin = mdp.row_begin.data();
  const int* next = mdp.next_state.data();
  const double* p = mdp.prob.data();
  for (int t = 0; t < T; ++t) {
    const double* mu = state_visits->data() + static_cast<size_t>(t) * S;
    // the last step has no successor row to fill
    double* mu_next = t + 1 < T ? state_visits->data() + static_cast<size_t>(t + 1) * S : nullptr;
    for (int s = 0; s < S; ++s) {
      if (mu[s] == 0.0) continue;
      const double* pi = policy.at(t, s);
      for (int a = 0; a < A; ++a) {
        const double d = mu[s] * pi[a];
        if (d == 0.0) continue;
        const int sa = s * A + a;
        (*sa_visits)[sa] += d;
        if (mu_next == nullptr) continue;
        for (int k = begin[sa]; k < begin[sa + 1]; ++k) mu_next[next[k]] += d * p[k];
      }
    }
  }
}

std::vector<double> PolicyFeatureExpectation(const Mdp& mdp, const TabularPolicy& policy,
                                             const std::vector<double>& initial) {
  std::vector<double> state_visits, sa_visits;
  Visitation(mdp, policy, initial, &state_visits, &sa_visits);
  return FeatureExpectation(mdp, sa_visits);
}

}  // namespace irlab::tabular
