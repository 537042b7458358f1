#include "algos/tabular/lbfgs.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "algos/tabular/mdp.h"

namespace irlab::tabular {
namespace {

// One remembered step: s = x' - x, y = ∇f(x') - ∇f(x), rho = 1 / sᵀy.
struct Pair {
  std::vector<double> s, y;
  double rho;
};

// d = -H g by the two-loop recursion, H scaled by the newest pair's sᵀy / yᵀy.
void Direction(const std::deque<Pair>& memory, const std::vector<double>& g,
               std::vector<double>* d) {
  *d = g;
  std::vector<double> alpha(memory.size());
  for (int i = static_cast<int>(memory.size()) - 1; i >= 0; --i) {
    alpha[i] = memory[i].rho * Dot(memory[i].s, *d);
    for (size_t k = 0; k < d->size(); ++k) (*d)[k] -= alpha[i] * memory[i].y[k];
  }
  if (!memory.empty()) {
    const Pair& last = memory.back();
    const double gamma = 1.0 / (last.rho * Dot(last.y, last.y));
    for (double& v : *d) v *= gamma;
  }
  for (size_t i = 0; i < memory.size(); ++i) {
    const double beta = memory[i].rho * Dot(memory[i].y, *d);
    for (size_t k = 0; k < d->size(); ++k) (*d)[k] += memory[i].s[k] * (alpha[i] - beta);
  }
  for (double& v : *d) v = -v;
}

}  // namespace

std::vector<LbfgsStep> MinimizeLbfgs(const Objective& f, std::vector<double>* x,
                                     const LbfgsOptions& options) {
  const size_t n = x->size();
  std::vector<double> g(n), d(n), x_new(n), g_new(n);
  double fx = f(*x, &g);
  int evaluations = 1;
  std::vector<LbfgsStep> steps = {{0, fx, std::sqrt(Dot(g, g)), evaluations}};
  std::deque<Pair> memory;
  for (int it = 1; it <= options.max_iterations; ++it) {
    if (steps.back().grad_norm < options.grad_tolerance) break;
    // a descent direction; fall back to steepest descent if curvature misleads
    Direction(memory, g, &d);
    double slope = Dot(g, d);
    if (!(slope < 0)) {
      memory.clear();
      for (size_t k = 0; k < n; ++k) d[k] = -g[k];
      slope = -Dot(g, g);
    }
    // backtracking line search on the Armijo condition
    double t = memory.empty() ? std::min(1.0, 1.0 / std::sqrt(Dot(g, g))) : 1.0;
    bool accepted = false;
    double f_new = fx;
    while (evaluations < options.max_evaluations && t > 1e-20) {
      for (size_t k = 0; k < n; ++k) x_new[k] = (*x)[k] + t * d[k];
      f_new = f(x_new, &g_new);
      ++evaluations;
      if (std::isfinite(f_new) && f_new <= fx + 1e-4 * t * slope) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) break;
    // remember the step if it carries positive curvature
    Pair pair{std::vector<double>(n), std::vector<double>(n), 0.0};
    for (size_t k = 0; k < n; ++k) {
      pair.s[k] = x_new[k] - (*x)[k];
      pair.y[k] = g_new[k] - g[k];
    }
    const double sy = Dot(pair.s, pair.y);
    if (sy > 1e-12 * std::sqrt(Dot(pair.s, pair.s) * Dot(pair.y, pair.y))) {
      pair.rho = 1.0 / sy;
      memory.push_back(std::move(pair));
      if (static_cast<int>(memory.size()) > options.memory) memory.pop_front();
    }
    x->swap(x_new);
    g.swap(g_new);
    fx = f_new;
    steps.push_back({it, fx, std::sqrt(Dot(g, g)), evaluations});
  }
  return steps;
}

}  // namespace irlab::tabular
