// Running mean and variance (Chan et al.'s parallel update) in double
// precision, for observation normalisation and reward scaling.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace irlab {

struct Rollout;

class RunningMeanStd {
 public:
  explicit RunningMeanStd(int dim = 1, double epsilon = 1e-4);

  // Folds in a batch of `rows` vectors of size dim (row-major).
  void Update(std::span<const float> batch, int rows);
  void Update(std::span<const double> batch, int rows);

  // out = clip((x - mean) / sqrt(var + 1e-8), ±clip), row by row.
  void Normalize(std::span<const float> x, std::span<float> out, double clip) const;

  int dim() const { return static_cast<int>(mean_.size()); }
  double count() const { return count_; }
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& var() const { return var_; }
  // For checkpoints.
  void Set(std::vector<double> mean, std::vector<double> var, double count);

 private:
  template <class T>
  void UpdateImpl(std::span<const T> batch, int rows);
  void UpdateStd();  // std_ from var_

  std::vector<double> mean_, var_;
  std::vector<double> std_;  // sqrt(var + 1e-8), what Normalize divides by
  double count_;
};

// Scales rewards by the running std of each env's discounted return
// (returns reset at episode ends), as the MuJoCo PPO recipe does.
class RewardScaler {
 public:
  RewardScaler(int num_envs, double gamma);
  // Scales rewards [N] in place; `done` [N] resets the returns after this step.
  void Scale(std::span<float> rewards, std::span<const uint8_t> done, double clip);

  void set_gamma(double gamma) { gamma_ = gamma; }
  RunningMeanStd& stats() { return stats_; }
  const RunningMeanStd& stats() const { return stats_; }
  const std::vector<double>& returns() const { return returns_; }
  std::vector<double>& returns() { return returns_; }

 private:
  double gamma_;
  std::vector<double> returns_;
  RunningMeanStd stats_;
};

// Scales rollout.rewards in place by the scaler's running std of each env's
// discounted return, step by step in time order, clipped to +-clip.
void ScaleRewards(RewardScaler& scaler, double clip, Rollout& rollout);

}  // namespace irlab
