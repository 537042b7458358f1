#include "algos/tabular/demos.h"

#include "core/status.h"
#include "core/strings.h"

namespace irlab::tabular {
namespace {

// Draws an index from probabilities p[0..n) (the last one takes any rounding).
int Draw(const double* p, int n, Rng& rng) {
  double u = rng.Uniform();
  for (int i = 0; i < n - 1; ++i) {
    if (u < p[i]) return i;
    u -= p[i];
  }
  return n - 1;
}

}  // namespace

absl::Status ValidateDemos(const Mdp& mdp, const std::vector<Trajectory>& demos) {
  if (demos.empty()) return absl::InvalidArgumentError("demos: there are none");
  const int S = mdp.num_states, A = mdp.num_actions, T = mdp.horizon;
  for (size_t i = 0; i < demos.size(); ++i) {
    const Trajectory& d = demos[i];
    if (d.states.size() != static_cast<size_t>(T) || d.actions.size() != static_cast<size_t>(T)) {
      return absl::InvalidArgumentError(StrCat("demo ", i, ": has ", d.states.size(),
                                               " states and ", d.actions.size(),
                                               " actions, want the horizon ", T));
    }
    for (int t = 0; t < T; ++t) {
      const int s = d.states[t], a = d.actions[t];
      if (s < 0 || s >= S) {
        return absl::InvalidArgumentError(
            StrCat("demo ", i, " step ", t, ": state ", s, " outside [0, ", S, ")"));
      }
      if (a < 0 || a >= A) {
        return absl::InvalidArgumentError(
            StrCat("demo ", i, " step ", t, ": action ", a, " outside [0, ", A, ")"));
      }
      if (t + 1 == T) continue;
      // the next state must be reachable
      const int sa = s * A + a, next = d.states[t + 1];
      bool reachable = false;
      for (int k = mdp.row_begin[sa]; k < mdp.row_begin[sa + 1] && !reachable; ++k) {
        reachable = mdp.next_state[k] == next && mdp.prob[k] > 0.0;
      }
      if (!reachable && next >= 0 && next < S) {
        return absl::InvalidArgumentError(StrCat("demo ", i, " step ", t, ": state ", s, " action ",
                                                 a, " cannot lead to state ", next));
      }
    }
  }
  return absl::OkStatus();
}

std::vector<Trajectory> SampleDemos(const Mdp& mdp, const TabularPolicy& policy, int count,
                                    Rng& rng) {
  const int T = mdp.horizon, A = mdp.num_actions;
  IRLAB_CHECK(policy.horizon == T && policy.num_actions == A, "policy shape does not match");
  std::vector<Trajectory> demos(count);
  for (Trajectory& d : demos) {
    d.states.resize(T);
    d.actions.resize(T);
    int s = Draw(mdp.initial.data(), mdp.num_states, rng);
    for (int t = 0; t < T; ++t) {
      const int a = Draw(policy.at(t, s), A, rng);
      d.states[t] = s;
      d.actions[t] = a;
      const int sa = s * A + a, begin = mdp.row_begin[sa];
      s = mdp.next_state[begin + Draw(&mdp.prob[begin], mdp.row_begin[sa + 1] - begin, rng)];
    }
  }
  return demos;
}

std::vector<double> DemoStartDistribution(const Mdp& mdp, const std::vector<Trajectory>& demos) {
  std::vector<double> start(mdp.num_states, 0.0);
  for (const Trajectory& d : demos) start[d.states[0]] += 1.0 / demos.size();
  return start;
}

std::vector<double> DemoVisitation(const Mdp& mdp, const std::vector<Trajectory>& demos) {
  std::vector<double> visits(mdp.num_pairs(), 0.0);
  for (const Trajectory& d : demos) {
    for (size_t t = 0; t < d.states.size(); ++t) {
      visits[d.states[t] * mdp.num_actions + d.actions[t]] += 1.0 / demos.size();
    }
  }
  return visits;
}

std::vector<double> DemoFeatureExpectation(const Mdp& mdp, const std::vector<Trajectory>& demos) {
  return FeatureExpectation(mdp, DemoVisitation(mdp, demos));
}

}  // namespace irlab::tabular
