#include "algos/tabular/objectworld.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/rng.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab::tabular {
namespace {

struct Object {
  int x, y, inner, outer;
};

}  // namespace

absl::StatusOr<GridTask> MakeObjectWorld(const ObjectWorldConfig& config, uint64_t seed) {
  const int n = config.size, C = config.colours, S = n * n;
  GridTask task;
  task.width = n;
  FillGridDynamics(n, config.actions, config.slip, config.horizon, &task.mdp);

  // objects: each cell holds one with probability placement_prob
  Rng rng(seed);
  std::vector<Object> objects;
  for (int s = 0; s < S; ++s) {
    if (rng.Uniform() >= config.placement_prob) continue;
    const int inner = static_cast<int>(rng.UniformInt(C));
    const int outer = static_cast<int>(rng.UniformInt(C));
    objects.push_back({s % n, s / n, inner, outer});
    task.markers.push_back({s, inner});
  }
  for (int c = 0; c < 2; ++c) {
    const bool placed =
        std::any_of(objects.begin(), objects.end(), [c](const Object& o) { return o.inner == c; });
    if (!placed) {
      return absl::InvalidArgumentError(
          StrCat("objectworld: no object of inner colour ", c,
                 " was placed (raise objectworld.placement_prob or change the seed)"));
    }
  }

  // nearest distance per colour: [S, 2C], inner colours first (sqrt(2) N if absent)
  std::vector<double> nearest(static_cast<size_t>(S) * 2 * C, std::sqrt(2.0) * n);
  for (int s = 0; s < S; ++s) {
    double* d = &nearest[static_cast<size_t>(s) * 2 * C];
    for (const Object& o : objects) {
      const double dist = std::hypot(o.x - s % n, o.y - s / n);
      d[o.inner] = std::min(d[o.inner], dist);
      d[C + o.outer] = std::min(d[C + o.outer], dist);
    }
  }

  // features: the distances, or indicators [distance < d] for d = 1..N-1
  if (config.features == "continuous") {
    SetStateFeatures(nearest, 2 * C, &task.mdp);
  } else {
    const int K = 2 * C * (n - 1);
    std::vector<double> indicators(static_cast<size_t>(S) * K, 0.0);
    for (int s = 0; s < S; ++s) {
      for (int d = 1; d < n; ++d) {
        for (int c = 0; c < 2 * C; ++c) {
          indicators[static_cast<size_t>(s) * K + (d - 1) * 2 * C + c] =
              nearest[static_cast<size_t>(s) * 2 * C + c] < d ? 1.0 : 0.0;
        }
      }
    }
    SetStateFeatures(indicators, K, &task.mdp);
  }

  // the true reward: a conjunction of two distance thresholds
  task.true_reward.assign(task.mdp.num_pairs(), 0.0);
  for (int s = 0; s < S; ++s) {
    const double* d = &nearest[static_cast<size_t>(s) * 2 * C];
    double r = 0.0;
    if (d[0] < 3.0) r = d[1] < 2.0 ? config.reward_scale : -config.reward_scale;
    for (int a = 0; a < config.actions; ++a) task.true_reward[s * config.actions + a] = r;
  }
  IRLAB_RETURN_IF_ERROR(ValidateMdp(task.mdp));
  return task;
}

}  // namespace irlab::tabular
