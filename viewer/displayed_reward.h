// A learned reward to show beside the true one: the viewer's overlay and the
// point-maze heatmap take it as a plain function, so reward nets (AIRL, GAIL)
// plug in without the viewer knowing how they are stored.
#pragma once

#include <functional>
#include <span>
#include <string>

namespace irlab::viewer {

struct DisplayedReward {
  std::string label;  // shown in the overlay and the heatmap title, e.g. "AIRL g(s)"
  // r(obs [obs_dim], action [act_dim], next_obs [obs_dim]).
  std::function<double(std::span<const float> obs, std::span<const float> action,
                       std::span<const float> next_obs)>
      reward;

  explicit operator bool() const { return static_cast<bool>(reward); }
};

}  // namespace irlab::viewer
