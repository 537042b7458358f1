// MaxEnt IRL (Ziebart et al. 2008) with a linear reward r = ψᵀf(s,a) and the
// exact gradient from a backward pass (soft value iteration) and a forward
// pass (visitation) per evaluation.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "algos/tabular/demos.h"
#include "algos/tabular/evaluation.h"
#include "algos/tabular/mdp.h"
#include "core/config.h"

namespace irlab::tabular {

struct MaxEntConfig {
  int iterations = 200;  // L-BFGS steps at most
  double l2 = 0.01;      // objective - l2/2 ‖ψ‖² (bounds ψ when no finite optimum exists)
  double grad_tolerance = 1e-6;  // stop once ‖∇‖ falls below this
  int memory = 10;               // L-BFGS history

  void Bind(ConfigBinder& b) {
    b.Field("iterations", iterations, "L-BFGS steps at most").Range(1, 1e7);
    b.Field("l2", l2, "L2 penalty on the reward weights").Range(0, 1e6);
    b.Field("grad_tolerance", grad_tolerance, "stop when the gradient norm is below").Min(0);
    b.Field("memory", memory, "L-BFGS history length").Range(1, 1000);
  }
};

// The MaxEnt objective per demo, L(ψ) = (1/N) Σ_i [r_ψ(τ_i) - V_0(s_0^i)], with
// V from soft value iteration, and its exact gradient
//   ∇L = (1/N) Σ_i f(τ_i) - Σ_t Σ_{s,a} mu_t(s) pi_t(a|s) f(s,a),
// the forward pass starting from the demos' first states. Under deterministic
// dynamics L is the demos' mean log-likelihood Σ_t log pi_t(a_t|s_t); under
// stochastic dynamics it is that likelihood with the dynamics' noise averaged
// out (the maximum causal entropy dual), and the gradient above is still exact.
struct MaxEntObjective {
  double value = 0;
  std::vector<double> gradient;  // [K]
};
MaxEntObjective EvaluateMaxEntObjective(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                        const std::vector<double>& weights);  // [K]

// (1/N) Σ_i Σ_t log pi_t(a_t^i | s_t^i) under the soft-optimal policy for ψ.
double DemoLogLikelihood(const Mdp& mdp, const std::vector<Trajectory>& demos,
                         const std::vector<double>& weights);  // [K]

// Runs MaxEnt IRL from ψ = 0, maximising L(ψ) - l2/2 ‖ψ‖² by L-BFGS on the
// exact gradient (the objective is smooth and concave). The trace holds, per
// accepted step, the objective, ‖∇‖ and the feature gap ‖μ_demo - E[μ]‖ (the
// gradient without the penalty); the policy is optimal for the learned reward.
// Without the penalty the optimum can be at infinity: one-hot features and a
// state the demos visit more often than any policy could in expectation.
absl::StatusOr<IrlResult> MaxEntIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                    const MaxEntConfig& config);

}  // namespace irlab::tabular
