#include "algos/tabular/maxent_irl.h"

#include <cmath>

#include "algos/tabular/lbfgs.h"
#include "algos/tabular/planning.h"
#include "algos/tabular/visitation.h"
#include "core/status.h"

namespace irlab::tabular {
namespace {

// Buffers one objective evaluation needs, allocated once per run.
struct Workspace {
  std::vector<double> reward, values, state_visits, sa_visits;
  TabularPolicy policy;
};

// Demo statistics that do not change while ψ does.
struct DemoStats {
  std::vector<double> start;     // [S]
  std::vector<double> features;  // [K] mean Σ_t f(s_t, a_t)
};

DemoStats ComputeDemoStats(const Mdp& mdp, const std::vector<Trajectory>& demos) {
  return {DemoStartDistribution(mdp, demos), DemoFeatureExpectation(mdp, demos)};
}

MaxEntObjective Evaluate(const Mdp& mdp, const DemoStats& demo, const std::vector<double>& weights,
                         Workspace& w) {
  // backward pass: soft-optimal policy and log partition V_0 for r = ψᵀf
  LinearReward(mdp, weights, &w.reward);
  SoftValueIteration(mdp, w.reward, &w.policy, &w.values);
  // forward pass from the demos' start states
  Visitation(mdp, w.policy, demo.start, &w.state_visits, &w.sa_visits);
  const std::vector<double> expected = FeatureExpectation(mdp, w.sa_visits);
  MaxEntObjective out;
  out.value = -StartValue(w.values, demo.start);
  out.gradient.resize(mdp.feature_dim);
  for (int k = 0; k < mdp.feature_dim; ++k) {
    out.value += weights[k] * demo.features[k];
    out.gradient[k] = demo.features[k] - expected[k];
  }
  return out;
}

double Norm(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x * x;
  return std::sqrt(sum);
}

}  // namespace

MaxEntObjective EvaluateMaxEntObjective(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                        const std::vector<double>& weights) {
  Workspace w;
  return Evaluate(mdp, ComputeDemoStats(mdp, demos), weights, w);
}

double DemoLogLikelihood(const Mdp& mdp, const std::vector<Trajectory>& demos,
                         const std::vector<double>& weights) {
  Workspace w;
  LinearReward(mdp, weights, &w.reward);
  SoftValueIteration(mdp, w.reward, &w.policy, &w.values);
  double sum = 0;
  for (const Trajectory& d : demos) {
    for (size_t t = 0; t < d.states.size(); ++t) {
      sum += std::log(w.policy.at(t, d.states[t])[d.actions[t]]);
    }
  }
  return sum / demos.size();
}

absl::StatusOr<IrlResult> MaxEntIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                    const MaxEntConfig& config) {
  IRLAB_RETURN_IF_ERROR(ValidateMdp(mdp));
  IRLAB_RETURN_IF_ERROR(ValidateDemos(mdp, demos));
  const int K = mdp.feature_dim;
  const DemoStats demo = ComputeDemoStats(mdp, demos);
  Workspace w;
  std::vector<double> feature_gap;  // per evaluation
  // L-BFGS minimises -(L(ψ) - l2/2 ‖ψ‖²)
  const Objective negative_objective = [&](const std::vector<double>& psi,
                                           std::vector<double>* grad) {
    const MaxEntObjective obj = Evaluate(mdp, demo, psi, w);
    feature_gap.push_back(Norm(obj.gradient));
    double value = obj.value;
    for (int k = 0; k < K; ++k) {
      value -= 0.5 * config.l2 * psi[k] * psi[k];
      (*grad)[k] = -(obj.gradient[k] - config.l2 * psi[k]);
    }
    return -value;
  };
  std::vector<double> psi(K, 0.0);
  const LbfgsOptions options{config.iterations, config.memory, config.grad_tolerance,
                             50 * config.iterations};
  const std::vector<LbfgsStep> steps = MinimizeLbfgs(negative_objective, &psi, options);

  IrlResult result;
  for (const LbfgsStep& step : steps) {
    result.trace.push_back({{"objective", -step.value},
                            {"grad_norm", step.grad_norm},
                            {"feature_gap", feature_gap[step.evaluations - 1]},
                            {"evaluations", double(step.evaluations)}});
  }
  result.iterations = steps.back().iteration;
  result.evaluations = steps.back().evaluations;
  LinearReward(mdp, psi, &result.reward);
  result.weights = psi;
  result.policies.push_back(OptimalPolicy(mdp, result.reward));
  result.mixture = {1.0};
  return result;
}

}  // namespace irlab::tabular
