#include "algos/ppo/gae.h"

#include <vector>

#include "core/status.h"

namespace irlab {

void ComputeGae(std::span<const float> rewards, std::span<const float> values,
                std::span<const float> next_values, std::span<const uint8_t> terminated,
                std::span<const uint8_t> truncated, int T, int N, double gamma, double lambda,
                std::span<float> advantages, std::span<float> returns) {
  const size_t size = static_cast<size_t>(T) * N;
  IRLAB_CHECK(rewards.size() == size && values.size() == size && next_values.size() == size &&
                  terminated.size() == size && truncated.size() == size &&
                  advantages.size() == size && returns.size() == size,
              "GAE arrays must all be [T, N]");
  std::vector<double> carry(N, 0.0);  // A_{t+1}, reset where an episode ended
  for (int t = T - 1; t >= 0; --t) {
    for (int i = 0; i < N; ++i) {
      const size_t k = static_cast<size_t>(t) * N + i;
      const double future = terminated[k] ? 0.0 : next_values[k];
      const double delta = rewards[k] + gamma * future - values[k];
      const bool episode_ended = terminated[k] || truncated[k];
      const double adv = delta + (episode_ended ? 0.0 : gamma * lambda * carry[i]);
      carry[i] = adv;
      advantages[k] = static_cast<float>(adv);
      returns[k] = static_cast<float>(adv + values[k]);
    }
  }
}

}  // namespace irlab
