#include "algos/tabular/planning.h"

#include <algorithm>
#include <cmath>

#include "core/status.h"

namespace irlab::tabular {
namespace {

void Resize(const Mdp& mdp, TabularPolicy* policy, std::vector<double>* values) {
  const int T = mdp.horizon, S = mdp.num_states, A = mdp.num_actions;
  policy->horizon = T;
  policy->num_states = S;
  policy->num_actions = A;
  policy->probs.resize(static_cast<size_t>(T) * S * A);
  values->assign(static_cast<size_t>(T + 1) * S, 0.0);
}

// q[s, a] = r(s,a) + Σ_s' P(s'|s,a) next_v(s') for all pairs.
void Backup(const Mdp& mdp, const double* reward, const double* next_v, double* q) {
  const int* begin = mdp.row_begin.data();
  const int* next = mdp.next_state.data();
  const double* p = mdp.prob.data();
  for (int sa = 0; sa < mdp.num_pairs(); ++sa) {
    double expected = 0.0;
    for (int k = begin[sa]; k < begin[sa + 1]; ++k) expected += p[k] * next_v[next[k]];
    q[sa] = reward[sa] + expected;
  }
}

}  // namespace

void SoftValueIteration(const Mdp& mdp, const std::vector<double>& reward, TabularPolicy* policy,
                        std::vector<double>* values) {
  IRLAB_CHECK(reward.size() == static_cast<size_t>(mdp.num_pairs()), "reward is [S, A]");
  Resize(mdp, policy, values);
  const int T = mdp.horizon, S = mdp.num_states, A = mdp.num_actions;
  for (int t = T - 1; t >= 0; --t) {
    // Q_t goes straight into the policy rows, which are then normalised in place
    double* q = policy->probs.data() + static_cast<size_t>(t) * S * A;
    Backup(mdp, reward.data(), values->data() + static_cast<size_t>(t + 1) * S, q);
    double* v = values->data() + static_cast<size_t>(t) * S;
    for (int s = 0; s < S; ++s) {
      double* qs = q + s * A;
      // log-sum-exp with the max taken out
      const double m = *std::max_element(qs, qs + A);
      double z = 0.0;
      for (int a = 0; a < A; ++a) z += (qs[a] = std::exp(qs[a] - m));
      v[s] = m + std::log(z);
      for (int a = 0; a < A; ++a) qs[a] /= z;
    }
  }
}

void OptimalValueIteration(const Mdp& mdp, const std::vector<double>& reward, TabularPolicy* policy,
                           std::vector<double>* values) {
  IRLAB_CHECK(reward.size() == static_cast<size_t>(mdp.num_pairs()), "reward is [S, A]");
  Resize(mdp, policy, values);
  const int T = mdp.horizon, S = mdp.num_states, A = mdp.num_actions;
  for (int t = T - 1; t >= 0; --t) {
    double* q = policy->probs.data() + static_cast<size_t>(t) * S * A;
    Backup(mdp, reward.data(), values->data() + static_cast<size_t>(t + 1) * S, q);
    double* v = values->data() + static_cast<size_t>(t) * S;
    for (int s = 0; s < S; ++s) {
      double* qs = q + s * A;
      const int best = static_cast<int>(std::max_element(qs, qs + A) - qs);
      v[s] = qs[best];
      for (int a = 0; a < A; ++a) qs[a] = a == best ? 1.0 : 0.0;
    }
  }
}

void EvaluateTabularPolicy(const Mdp& mdp, const std::vector<double>& reward,
                           const TabularPolicy& policy, std::vector<double>* values) {
  const int T = mdp.horizon, S = mdp.num_states, A = mdp.num_actions;
  IRLAB_CHECK(reward.size() == static_cast<size_t>(mdp.num_pairs()), "reward is [S, A]");
  IRLAB_CHECK(policy.horizon == T && policy.num_states == S && policy.num_actions == A,
              "policy shape does not match the mdp");
  values->assign(static_cast<size_t>(T + 1) * S, 0.0);
  std::vector<double> q(mdp.num_pairs());
  for (int t = T - 1; t >= 0; --t) {
    Backup(mdp, reward.data(), values->data() + static_cast<size_t>(t + 1) * S, q.data());
    double* v = values->data() + static_cast<size_t>(t) * S;
    for (int s = 0; s < S; ++s) {
      const double* pi = policy.at(t, s);
      double sum = 0.0;
      for (int a = 0; a < A; ++a) sum += pi[a] * q[s * A + a];
      v[s] = sum;
    }
  }
}

double StartValue(const std::vector<double>& values, const std::vector<double>& distribution) {
  IRLAB_CHECK(values.size() >= distribution.size(), "values are [T+1, S]");
  double sum = 0.0;
  for (size_t s = 0; s < distribution.size(); ++s) sum += distribution[s] * values[s];
  return sum;
}

}  // namespace irlab::tabular
