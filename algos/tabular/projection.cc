#include "algos/tabular/projection.h"

#include <algorithm>
#include <cmath>

#include "algos/tabular/mdp.h"
#include "algos/tabular/planning.h"
#include "algos/tabular/visitation.h"
#include "core/status.h"

namespace irlab::tabular {
namespace {

std::vector<double> Sub(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) out[i] = a[i] - b[i];
  return out;
}

}  // namespace

absl::StatusOr<IrlResult> ProjectionIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                        const ProjectionConfig& config) {
  IRLAB_RETURN_IF_ERROR(ValidateMdp(mdp));
  IRLAB_RETURN_IF_ERROR(ValidateDemos(mdp, demos));
  const std::vector<double> start = DemoStartDistribution(mdp, demos);
  const std::vector<double> mu_expert = DemoFeatureExpectation(mdp, demos);

  // π_0: uniform random; μ̄ starts at its feature expectation
  IrlResult result;
  TabularPolicy random{mdp.horizon, mdp.num_states, mdp.num_actions,
                       std::vector<double>(static_cast<size_t>(mdp.horizon) * mdp.num_pairs(),
                                           1.0 / mdp.num_actions)};
  std::vector<double> mu_bar = PolicyFeatureExpectation(mdp, random, start);
  result.policies.push_back(std::move(random));
  result.mixture = {1.0};
  std::vector<double> psi = Sub(mu_expert, mu_bar), planned_psi = psi, reward, values;
  result.trace.push_back({{"distance", std::sqrt(Dot(psi, psi))}, {"alpha", 1.0}});
  result.evaluations = 1;

  for (int it = 0; it < config.iterations; ++it) {
    if (std::sqrt(Dot(psi, psi)) <= config.tolerance) break;
    result.iterations = it + 1;
    result.evaluations = it + 2;  // π_0's forward pass too
    // the optimal policy for r = ψᵀf and its feature expectation
    planned_psi = psi;
    LinearReward(mdp, psi, &reward);
    TabularPolicy policy;
    OptimalValueIteration(mdp, reward, &policy, &values);
    const std::vector<double> mu = PolicyFeatureExpectation(mdp, policy, start);
    // project μ_E onto the segment from μ̄ to μ_i
    const std::vector<double> step = Sub(mu, mu_bar);
    const double step_sq = Dot(step, step);
    const double alpha = step_sq > 0 ? std::clamp(Dot(step, psi) / step_sq, 0.0, 1.0) : 0.0;
    for (size_t k = 0; k < mu_bar.size(); ++k) mu_bar[k] += alpha * step[k];
    for (double& w : result.mixture) w *= 1 - alpha;
    result.policies.push_back(std::move(policy));
    result.mixture.push_back(alpha);
    psi = Sub(mu_expert, mu_bar);
    result.trace.push_back({{"distance", std::sqrt(Dot(psi, psi))}, {"alpha", alpha}});
    if (alpha == 0) break;  // no policy improves on μ̄: the projection has converged
  }
  // the reward is the last direction ψ a policy was planned for
  LinearReward(mdp, planned_psi, &result.reward);
  result.weights = planned_psi;
  return result;
}

}  // namespace irlab::tabular
