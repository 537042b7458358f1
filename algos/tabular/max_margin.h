// Maximum margin IRL with a structured margin (Ratliff et al. 2006; the
// lecture's "SVM trick"): the demos must beat every policy π by the loss
// D(π, π*), solved by subgradient descent on the hinge form
//   F(ψ) = λ/2 ‖ψ‖² + max_π [ψᵀμ(π) + D(π, π*)] - ψᵀμ_E.
// D is a state-visitation loss, D(π, π*) = Σ_{s,a} D_π(s,a) l(s) with l = margin
// on states the demos never visit and 0 on states they do (the expected number
// of steps π spends off the demonstrated states), so the inner max is ordinary
// planning on the loss-augmented reward ψᵀf + l.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "algos/tabular/demos.h"
#include "algos/tabular/evaluation.h"
#include "algos/tabular/mdp.h"
#include "core/config.h"

namespace irlab::tabular {

struct MaxMarginConfig {
  int iterations = 300;        // subgradient steps
  double learning_rate = 0.5;  // step η_t = learning_rate / sqrt(t + 1) on the unit subgradient
  double l2 = 1e-3;            // λ
  double margin = 1.0;         // loss per step spent on a state the demos never visit

  void Bind(ConfigBinder& b) {
    b.Field("iterations", iterations, "subgradient steps").Range(1, 1e7);
    b.Field("learning_rate", learning_rate, "initial step on the unit subgradient").Range(0, 1e6);
    b.Field("l2", l2, "regulariser weight lambda").Range(0, 1e6);
    b.Field("margin", margin, "loss per step on a state the demos never visit").Range(0, 1e6);
  }
};

// Runs from ψ = 0 and keeps the ψ with the lowest F; the trace holds F and
// the subgradient norm per step. The policy is the optimal one for ψᵀf.
absl::StatusOr<IrlResult> MaxMarginIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                       const MaxMarginConfig& config);

}  // namespace irlab::tabular
