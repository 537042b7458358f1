#include "algos/tabular/mdp.h"

#include <cmath>

#include "core/status.h"
#include "core/strings.h"

namespace irlab::tabular {
namespace {

constexpr double kSumTolerance = 1e-9;

}  // namespace

absl::Status ValidateMdp(const Mdp& mdp) {
  const int S = mdp.num_states, A = mdp.num_actions, K = mdp.feature_dim;
  if (S < 1 || A < 1) {
    return absl::InvalidArgumentError(
        StrCat("mdp: need at least one state and one action, got ", S, " and ", A));
  }
  if (mdp.horizon < 1) {
    return absl::InvalidArgumentError(StrCat("mdp: horizon must be >= 1, got ", mdp.horizon));
  }
  if (mdp.row_begin.size() != static_cast<size_t>(S * A + 1) || mdp.row_begin.front() != 0 ||
      mdp.row_begin.back() != static_cast<int>(mdp.next_state.size()) ||
      mdp.prob.size() != mdp.next_state.size()) {
    return absl::InvalidArgumentError("mdp: transition rows are malformed");
  }
  // each row of P(.|s,a) is a distribution over states in range
  for (int sa = 0; sa < S * A; ++sa) {
    if (mdp.row_begin[sa + 1] < mdp.row_begin[sa]) {
      return absl::InvalidArgumentError(StrCat("mdp: transition row ", sa, " is malformed"));
    }
    double sum = 0.0;
    for (int k = mdp.row_begin[sa]; k < mdp.row_begin[sa + 1]; ++k) {
      if (mdp.next_state[k] < 0 || mdp.next_state[k] >= S) {
        return absl::InvalidArgumentError(StrCat("mdp: P(.|s=", sa / A, ",a=", sa % A,
                                                 ") has next state ", mdp.next_state[k],
                                                 " outside [0, ", S, ")"));
      }
      if (!(mdp.prob[k] >= 0.0 && mdp.prob[k] <= 1.0)) {
        return absl::InvalidArgumentError(StrCat("mdp: P(", mdp.next_state[k], "|s=", sa / A,
                                                 ",a=", sa % A, ") = ", mdp.prob[k],
                                                 " is not a probability"));
      }
      sum += mdp.prob[k];
    }
    if (std::abs(sum - 1.0) > kSumTolerance) {
      return absl::InvalidArgumentError(StrCat("mdp: transition row P(.|s=", sa / A, ",a=", sa % A,
                                               ") sums to ", sum, ", not 1"));
    }
  }
  if (mdp.initial.size() != static_cast<size_t>(S)) {
    return absl::InvalidArgumentError(
        StrCat("mdp: initial distribution has ", mdp.initial.size(), " entries, want ", S));
  }
  double sum = 0.0;
  for (double p : mdp.initial) {
    if (!(p >= 0.0 && p <= 1.0)) {
      return absl::InvalidArgumentError(StrCat("mdp: initial probability ", p, " is invalid"));
    }
    sum += p;
  }
  if (std::abs(sum - 1.0) > kSumTolerance) {
    return absl::InvalidArgumentError(StrCat("mdp: initial distribution sums to ", sum, ", not 1"));
  }
  if (K < 0 || mdp.features.size() != static_cast<size_t>(S) * A * K) {
    return absl::InvalidArgumentError(
        StrCat("mdp: features have ", mdp.features.size(), " entries, want S*A*K = ", S * A * K));
  }
  for (double f : mdp.features) {
    if (!std::isfinite(f)) return absl::InvalidArgumentError("mdp: a feature is not finite");
  }
  return absl::OkStatus();
}

absl::StatusOr<Mdp> MdpFromDense(int num_states, int num_actions, int horizon,
                                 const std::vector<double>& transition, std::vector<double> initial,
                                 int feature_dim, std::vector<double> features) {
  const int S = num_states, A = num_actions;
  if (S < 1 || A < 1 || transition.size() != static_cast<size_t>(S) * A * S) {
    return absl::InvalidArgumentError(StrCat("mdp: dense transition has ", transition.size(),
                                             " entries, want S*A*S for S=", S, ", A=", A));
  }
  Mdp mdp;
  mdp.num_states = S;
  mdp.num_actions = A;
  mdp.horizon = horizon;
  mdp.row_begin.assign(1, 0);
  for (int sa = 0; sa < S * A; ++sa) {
    for (int next = 0; next < S; ++next) {
      const double p = transition[static_cast<size_t>(sa) * S + next];
      if (p == 0.0) continue;
      mdp.next_state.push_back(next);
      mdp.prob.push_back(p);
    }
    mdp.row_begin.push_back(static_cast<int>(mdp.next_state.size()));
  }
  mdp.initial = std::move(initial);
  mdp.feature_dim = feature_dim;
  mdp.features = std::move(features);
  IRLAB_RETURN_IF_ERROR(ValidateMdp(mdp));
  return mdp;
}

void LinearReward(const Mdp& mdp, const std::vector<double>& weights, std::vector<double>* reward) {
  IRLAB_CHECK(weights.size() == static_cast<size_t>(mdp.feature_dim), "weights are [K]");
  const int K = mdp.feature_dim;
  reward->resize(mdp.num_pairs());
  const double* f = mdp.features.data();
  for (int sa = 0; sa < mdp.num_pairs(); ++sa, f += K) {
    double r = 0.0;
    for (int k = 0; k < K; ++k) r += weights[k] * f[k];
    (*reward)[sa] = r;
  }
}

std::vector<double> FeatureExpectation(const Mdp& mdp, const std::vector<double>& sa_visits) {
  IRLAB_CHECK(sa_visits.size() == static_cast<size_t>(mdp.num_pairs()), "visits are [S, A]");
  const int K = mdp.feature_dim;
  std::vector<double> mu(K, 0.0);
  const double* f = mdp.features.data();
  for (int sa = 0; sa < mdp.num_pairs(); ++sa, f += K) {
    const double d = sa_visits[sa];
    if (d == 0.0) continue;
    for (int k = 0; k < K; ++k) mu[k] += d * f[k];
  }
  return mu;
}

double Dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace irlab::tabular
