#include "algos/ppo/normalizer.h"

#include <algorithm>
#include <cmath>

#include "algos/ppo/rollout.h"
#include "core/status.h"

namespace irlab {

RunningMeanStd::RunningMeanStd(int dim, double epsilon)
    : mean_(dim, 0.0), var_(dim, 1.0), count_(epsilon) {
  UpdateStd();
}

void RunningMeanStd::UpdateStd() {
  std_.resize(var_.size());
  for (size_t j = 0; j < var_.size(); ++j) std_[j] = std::sqrt(var_[j] + 1e-8);
}

template <class T>
void RunningMeanStd::UpdateImpl(std::span<const T> batch, int rows) {
  const int d = dim();
  IRLAB_CHECK(static_cast<int>(batch.size()) == rows * d, "batch size mismatch");
  if (rows == 0) return;
  // batch mean and (population) variance, then the parallel combination
  std::vector<double> bmean(d, 0.0), bvar(d, 0.0);
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < d; ++j) bmean[j] += batch[r * d + j];
  }
  for (int j = 0; j < d; ++j) bmean[j] /= rows;
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < d; ++j) {
      const double delta = batch[r * d + j] - bmean[j];
      bvar[j] += delta * delta;
    }
  }
  const double total = count_ + rows;
  for (int j = 0; j < d; ++j) {
    bvar[j] /= rows;
    const double delta = bmean[j] - mean_[j];
    const double m2 = var_[j] * count_ + bvar[j] * rows + delta * delta * count_ * rows / total;
    mean_[j] += delta * rows / total;
    var_[j] = m2 / total;
  }
  count_ = total;
  UpdateStd();
}

void RunningMeanStd::Update(std::span<const float> batch, int rows) { UpdateImpl(batch, rows); }
void RunningMeanStd::Update(std::span<const double> batch, int rows) { UpdateImpl(batch, rows); }

void RunningMeanStd::Normalize(std::span<const float> x, std::span<float> out, double clip) const {
  const size_t d = mean_.size();
  if (x.empty()) return;
  IRLAB_CHECK(x.size() % d == 0 && out.size() >= x.size(), "Normalize: wrong buffer sizes");
  const double* mean = mean_.data();
  const double* std = std_.data();  // the square roots, taken once per update
  for (size_t row = 0; row < x.size(); row += d) {
    const float* xr = x.data() + row;
    float* o = out.data() + row;
    for (size_t j = 0; j < d; ++j) {
      const double z = (xr[j] - mean[j]) / std[j];
      o[j] = static_cast<float>(std::clamp(z, -clip, clip));
    }
  }
}

void RunningMeanStd::Set(std::vector<double> mean, std::vector<double> var, double count) {
  mean_ = std::move(mean);
  var_ = std::move(var);
  count_ = count;
  UpdateStd();
}

RewardScaler::RewardScaler(int num_envs, double gamma)
    : gamma_(gamma), returns_(num_envs, 0.0), stats_(1) {}

void RewardScaler::Scale(std::span<float> rewards, std::span<const uint8_t> done, double clip) {
  for (size_t i = 0; i < rewards.size(); ++i) returns_[i] = returns_[i] * gamma_ + rewards[i];
  stats_.Update(std::span<const double>(returns_), static_cast<int>(returns_.size()));
  const double scale = 1.0 / std::sqrt(stats_.var()[0] + 1e-8);
  for (size_t i = 0; i < rewards.size(); ++i) {
    rewards[i] = static_cast<float>(std::clamp(rewards[i] * scale, -clip, clip));
    if (done[i]) returns_[i] = 0.0;
  }
}

void ScaleRewards(RewardScaler& scaler, double clip, Rollout& rollout) {
  std::vector<uint8_t> done(rollout.N);
  for (int t = 0; t < rollout.T; ++t) {
    for (int i = 0; i < rollout.N; ++i)
      done[i] = rollout.terminated[t * rollout.N + i] || rollout.truncated[t * rollout.N + i];
    scaler.Scale(std::span<float>(&rollout.rewards[size_t(t) * rollout.N], rollout.N), done, clip);
  }
}

}  // namespace irlab
