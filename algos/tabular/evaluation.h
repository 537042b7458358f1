// What every tabular IRL algorithm returns, and how it is scored against the
// true reward: the expected value difference (EVD) of the learned policy and
// the correlation of the learned reward with the true one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "algos/tabular/mdp.h"
#include "algos/tabular/planning.h"

namespace irlab::tabular {

using IterationScalars = std::vector<std::pair<std::string, double>>;

struct IrlResult {
  std::vector<double> reward;           // [S, A] the learned r(s,a)
  std::vector<double> weights;          // [K] ψ of a linear reward (empty for a network)
  std::vector<TabularPolicy> policies;  // the learned policy, or the projection method's mixture
  std::vector<double> mixture;          // weight of each policy (sums to 1)
  int iterations = 0;                   // IRL iterations run
  int evaluations = 0;                  // planning passes (backward + forward) run
  std::vector<IterationScalars> trace;  // per-iteration diagnostics, in order
};

struct Evaluation {
  double optimal_value = 0;  // V*(p_1) under the true reward
  double learned_value = 0;  // V^{pi_learned}(p_1) under the true reward (mixture-weighted)
  double random_value = 0;   // V of the uniform random policy, for scale
  double evd = 0;            // optimal_value - learned_value
  double evd_percent = 0;    // 100 evd / |optimal_value|
  double correlation = 0;    // Pearson(learned r, true r) over (s, a); NaN if either is flat
};

// The optimal (greedy, deterministic) policy for `reward`.
TabularPolicy OptimalPolicy(const Mdp& mdp, const std::vector<double>& reward);

Evaluation Evaluate(const Mdp& mdp, const std::vector<double>& true_reward,  // [S, A]
                    const IrlResult& result);

double PearsonCorrelation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace irlab::tabular
