// A small L-BFGS minimiser with a backtracking (Armijo) line search, for the
// smooth convex objectives of linear IRL (MaxEnt's negative log-likelihood).
#pragma once

#include <functional>
#include <vector>

namespace irlab::tabular {

struct LbfgsOptions {
  int max_iterations = 200;      // accepted steps at most
  int memory = 10;               // (s, y) pairs kept for the inverse-Hessian estimate
  double grad_tolerance = 1e-6;  // stop once ‖∇f‖ falls below this
  int max_evaluations = 2000;    // objective evaluations at most, line searches included
};

struct LbfgsStep {
  int iteration = 0;  // 0 is the starting point
  double value = 0;   // f(x)
  double grad_norm = 0;
  int evaluations = 0;  // objective evaluations so far
};

// Returns f(x) and writes ∇f(x) into *grad (same size as x).
using Objective = std::function<double(const std::vector<double>& x, std::vector<double>* grad)>;

// Minimises f from *x (updated in place). Returns one entry per accepted step,
// the starting point first. Stops at the gradient tolerance, the iteration or
// evaluation budget, or when the line search cannot decrease f any more.
std::vector<LbfgsStep> MinimizeLbfgs(const Objective& f, std::vector<double>* x,
                                     const LbfgsOptions& options);

}  // namespace irlab::tabular
