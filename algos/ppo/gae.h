// Generalised advantage estimation as a pure function. Termination and
// truncation are separate: a terminated step has no future value; a
// truncated one bootstraps from the value of its final observation.
#pragma once

#include <cstdint>
#include <span>

namespace irlab {

// All arrays are [T, N] row-major (time-major, N envs).
//   rewards[t, i]      reward of step t
//   values[t, i]       V(s_t)
//   next_values[t, i]  V(s_{t+1}): V(final obs) where truncated, V(next obs in
//                      the rollout) otherwise (ignored where terminated)
//   terminated, truncated [t, i]
// Writes advantages and returns (= advantages + values).
void ComputeGae(std::span<const float> rewards, std::span<const float> values,
                std::span<const float> next_values, std::span<const uint8_t> terminated,
                std::span<const uint8_t> truncated, int T, int N, double gamma, double lambda,
                std::span<float> advantages, std::span<float> returns);

}  // namespace irlab
