#include "algos/tabular/max_margin.h"

#include <cmath>
#include <limits>

#include "algos/tabular/planning.h"
#include "algos/tabular/visitation.h"
#include "core/status.h"

namespace irlab::tabular {

absl::StatusOr<IrlResult> MaxMarginIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                       const MaxMarginConfig& config) {
  IRLAB_RETURN_IF_ERROR(ValidateMdp(mdp));
  IRLAB_RETURN_IF_ERROR(ValidateDemos(mdp, demos));
  const int K = mdp.feature_dim;
  const std::vector<double> start = DemoStartDistribution(mdp, demos);
  const std::vector<double> mu_expert = DemoFeatureExpectation(mdp, demos);
  // the loss field: margin on every state the demos never visit
  std::vector<char> visited(mdp.num_states, 0);
  for (const Trajectory& d : demos) {
    for (int s : d.states) visited[s] = 1;
  }
  std::vector<double> loss(mdp.num_pairs());
  for (int sa = 0; sa < mdp.num_pairs(); ++sa) {
    loss[sa] = visited[sa / mdp.num_actions] ? 0 : config.margin;
  }

  std::vector<double> psi(K, 0.0), best_psi = psi, reward, values, state_visits, sa_visits;
  double best = std::numeric_limits<double>::infinity();
  TabularPolicy policy;
  IrlResult result;
  for (int it = 0; it < config.iterations; ++it) {
    // loss-augmented planning: argmax_π ψᵀμ(π) + D(π, π*)
    LinearReward(mdp, psi, &reward);
    for (int sa = 0; sa < mdp.num_pairs(); ++sa) reward[sa] += loss[sa];
    OptimalValueIteration(mdp, reward, &policy, &values);
    Visitation(mdp, policy, start, &state_visits, &sa_visits);
    const std::vector<double> mu = FeatureExpectation(mdp, sa_visits);
    // F(ψ) and its subgradient λψ + μ(π̂) - μ_E
    double objective = StartValue(values, start);
    std::vector<double> g(K);
    double g_norm = 0;
    for (int k = 0; k < K; ++k) {
      objective += 0.5 * config.l2 * psi[k] * psi[k] - psi[k] * mu_expert[k];
      g[k] = config.l2 * psi[k] + mu[k] - mu_expert[k];
      g_norm += g[k] * g[k];
    }
    g_norm = std::sqrt(g_norm);
    result.trace.push_back({{"objective", objective}, {"subgrad_norm", g_norm}});
    result.iterations = result.evaluations = it + 1;
    if (objective < best) {
      best = objective;
      best_psi = psi;
    }
    if (g_norm == 0) break;
    // a normalised subgradient step with a decaying size
    const double step = config.learning_rate / std::sqrt(it + 1.0) / g_norm;
    for (int k = 0; k < K; ++k) psi[k] -= step * g[k];
  }
  LinearReward(mdp, best_psi, &result.reward);
  result.weights = best_psi;
  result.policies.push_back(OptimalPolicy(mdp, result.reward));
  result.mixture = {1.0};
  return result;
}

}  // namespace irlab::tabular
