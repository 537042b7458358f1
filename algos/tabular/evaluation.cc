#include "algos/tabular/evaluation.h"

#include <cmath>
#include <limits>

#include "core/status.h"

namespace irlab::tabular {

TabularPolicy OptimalPolicy(const Mdp& mdp, const std::vector<double>& reward) {
  TabularPolicy policy;
  std::vector<double> values;
  OptimalValueIteration(mdp, reward, &policy, &values);
  return policy;
}

Evaluation Evaluate(const Mdp& mdp, const std::vector<double>& true_reward,
                    const IrlResult& result) {
  IRLAB_CHECK(result.policies.size() == result.mixture.size() && !result.policies.empty(),
              "a result needs policies with mixture weights");
  Evaluation e;
  TabularPolicy policy;
  std::vector<double> values;
  OptimalValueIteration(mdp, true_reward, &policy, &values);
  e.optimal_value = StartValue(values, mdp.initial);
  // a mixture over whole episodes is worth the weighted sum of its members
  for (size_t i = 0; i < result.policies.size(); ++i) {
    EvaluateTabularPolicy(mdp, true_reward, result.policies[i], &values);
    e.learned_value += result.mixture[i] * StartValue(values, mdp.initial);
  }
  policy.probs.assign(policy.probs.size(), 1.0 / mdp.num_actions);
  EvaluateTabularPolicy(mdp, true_reward, policy, &values);
  e.random_value = StartValue(values, mdp.initial);
  e.evd = e.optimal_value - e.learned_value;
  e.evd_percent = e.optimal_value != 0 ? 100 * e.evd / std::abs(e.optimal_value)
                                       : std::numeric_limits<double>::quiet_NaN();
  e.correlation = PearsonCorrelation(result.reward, true_reward);
  return e;
}

double PearsonCorrelation(const std::vector<double>& a, const std::vector<double>& b) {
  IRLAB_CHECK(a.size() == b.size() && !a.empty(), "correlation needs equal, nonempty sizes");
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (a[i] - ma) * (b[i] - mb);
    va += (a[i] - ma) * (a[i] - ma);
    vb += (b[i] - mb) * (b[i] - mb);
  }
  if (va <= 0 || vb <= 0) return std::numeric_limits<double>::quiet_NaN();
  return cov / std::sqrt(va * vb);
}

}  // namespace irlab::tabular
