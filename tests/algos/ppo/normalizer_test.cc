#include "algos/ppo/normalizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"

namespace irlab {
namespace {

TEST(NormalizerTest, BatchedUpdatesEqualTwoPassStatistics) {
  Rng rng(0);
  const int dim = 3, rows = 1000;
  std::vector<float> data(rows * dim);
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < dim; ++j)
      data[r * dim + j] = static_cast<float>(rng.Normal(j * 10.0, j + 1.0));
  }
  RunningMeanStd rms(dim, /*epsilon=*/0.0);
  // uneven batches: 1, 7, 992
  rms.Update(std::span<const float>(data).subspan(0, dim), 1);
  rms.Update(std::span<const float>(data).subspan(dim, 7 * dim), 7);
  rms.Update(std::span<const float>(data).subspan(8 * dim), 992);
  for (int j = 0; j < dim; ++j) {
    double mean = 0, var = 0;
    for (int r = 0; r < rows; ++r) mean += data[r * dim + j] / rows;
    for (int r = 0; r < rows; ++r)
      var += (data[r * dim + j] - mean) * (data[r * dim + j] - mean) / rows;
    EXPECT_NEAR(rms.mean()[j], mean, 1e-7 * (1 + std::abs(mean)));
    EXPECT_NEAR(rms.var()[j], var, 1e-7 * var);
  }
  EXPECT_EQ(rms.count(), rows);
  std::vector<float> out(dim);
  rms.Normalize(std::span<const float>(data).subspan(0, dim), out, 10.0);
  EXPECT_NEAR(out[0], (data[0] - rms.mean()[0]) / std::sqrt(rms.var()[0] + 1e-8), 1e-5);
  std::vector<float> far = {1e6f, 0.f, 0.f};
  rms.Normalize(far, out, 10.0);
  EXPECT_EQ(out[0], 10.f) << "clipped";
}

TEST(NormalizerTest, RewardScalerDividesByDiscountedReturnStd) {
  RewardScaler scaler(1, 0.5);
  std::vector<float> r = {2.f};
  std::vector<uint8_t> done = {0};
  scaler.Scale(r, done, 100.0);
  // after one update with return 2: mean = 2*1/(1+1e-4)..., var from the parallel formula
  const double var = scaler.stats().var()[0];
  EXPECT_NEAR(r[0], 2.0 / std::sqrt(var + 1e-8), 1e-4);
  EXPECT_NEAR(scaler.returns()[0], 2.0, 1e-12);
  std::vector<float> r2 = {4.f};
  done[0] = 1;
  scaler.Scale(r2, done, 100.0);
  EXPECT_EQ(scaler.returns()[0], 0.0) << "an episode end resets the return";
}

}  // namespace
}  // namespace irlab
