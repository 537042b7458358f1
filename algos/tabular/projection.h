// Apprenticeship learning by the projection method (Abbeel & Ng 2004): match
// the demos' feature expectations μ_E with a mixture of optimal policies.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "algos/tabular/demos.h"
#include "algos/tabular/evaluation.h"
#include "algos/tabular/mdp.h"
#include "core/config.h"

namespace irlab::tabular {

struct ProjectionConfig {
  int iterations = 100;     // policies to add at most
  double tolerance = 1e-3;  // stop once ‖μ_E - μ̄‖ <= tolerance

  void Bind(ConfigBinder& b) {
    b.Field("iterations", iterations, "policies to add at most").Range(1, 1e6);
    b.Field("tolerance", tolerance, "stop when the feature distance is below").Min(0);
  }
};

// Starts from the uniform random policy π_0 with μ̄ = μ(π_0), then repeats:
//   ψ = μ_E - μ̄;  π_i = optimal policy for r = ψᵀf;  μ_i = μ(π_i);
//   μ̄ += α (μ_i - μ̄) with α = clip((μ_i - μ̄)ᵀ(μ_E - μ̄) / ‖μ_i - μ̄‖², 0, 1),
// the projection of μ_E onto the segment from μ̄ to μ_i, so ‖μ_E - μ̄‖ never
// grows. Feature expectations start from the demos' first states. The result
// is the mixture of π_0..π_n whose feature expectation is μ̄, and the last ψ
// planned for as the reward; the trace holds ‖μ_E - μ̄‖ after each step.
absl::StatusOr<IrlResult> ProjectionIrl(const Mdp& mdp, const std::vector<Trajectory>& demos,
                                        const ProjectionConfig& config);

}  // namespace irlab::tabular
