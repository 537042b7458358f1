#include "algos/nn/kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "algos/common/torch_pch.h"
#include "tests/algos/nn/test_util.h"

namespace irlab::nn {
namespace {

TEST(KernelsTest, TanhWithinFourUlpsOfStdTanhEverywhere) {
  // every float from -12 to 12 at a fine step, the tiny ones, and the limits
  std::vector<float> x;
  for (float v = -12.0f; v <= 12.0f; v += 1.0f / 4096) x.push_back(v);
  for (float v = 1e-30f; v < 1e-2f; v *= 1.5f) {
    x.push_back(v);
    x.push_back(-v);
  }
  x.insert(x.end(), {0.0f, -0.0f, 1e4f, -1e4f, INFINITY, -INFINITY});
  std::vector<float> y = x;
  TanhInPlace(y.data(), static_cast<int64_t>(y.size()));
  double worst_ulps = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float expected = std::tanh(x[i]);
    const double ulp = std::nextafter(std::fabs(expected), INFINITY) - std::fabs(expected);
    worst_ulps = std::max(worst_ulps, std::fabs(double(y[i]) - expected) / ulp);
    ASSERT_EQ(std::signbit(y[i]), std::signbit(expected)) << x[i];
  }
  EXPECT_LE(worst_ulps, 4.0);
  EXPECT_EQ(FastTanh(0.0f), 0.0f);
  EXPECT_EQ(FastTanh(20.0f), 1.0f);
  EXPECT_EQ(FastTanh(-INFINITY), -1.0f);
}

// TanhInPlace runs the widest vector variant this machine has; FastTanh is the
// baseline build of the same formula. Without FMA contraction they agree to the bit.
TEST(KernelsTest, VectorVariantGivesTheBaselineBits) {
  std::vector<float> x;
  for (float v = -10.0f; v <= 10.0f; v += 0.00137f) x.push_back(v);
  std::vector<float> y = x;
  TanhInPlace(y.data(), static_cast<int64_t>(y.size()));
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(y[i], FastTanh(x[i])) << x[i];
}

TEST(KernelsTest, TanhPropagatesNan) { EXPECT_TRUE(std::isnan(FastTanh(NAN))); }

TEST(KernelsTest, GemmInEveryTransposeMatchesTorch) {
  torch::manual_seed(1);
  torch::Tensor a = torch::randn({5, 7}), b = torch::randn({7, 3}), c0 = torch::randn({5, 3});
  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      torch::Tensor as = ta ? a.t().contiguous() : a, bs = tb ? b.t().contiguous() : b;
      std::vector<float> c = testing::ToVector(c0);
      Gemm(ta, tb, 5, 3, 7, 0.5f, as.data_ptr<float>(), bs.data_ptr<float>(), 2.0f, c.data());
      EXPECT_LT(testing::RelativeError(c.data(), 0.5 * a.matmul(b) + 2.0 * c0), 1e-6) << ta << tb;
    }
  }
}

TEST(KernelsTest, RowVectorsAndColumnSums) {
  std::vector<float> rows = {1, 2, 3, 4, 5, 6};  // [2, 3]
  const float bias[3] = {10, 20, 30};
  AddRowVector(rows.data(), bias, 2, 3);
  EXPECT_EQ(rows, (std::vector<float>{11, 22, 33, 14, 25, 36}));
  float sums[3] = {1, 1, 1};
  ColumnSums(rows.data(), 2, 3, sums, true);
  EXPECT_EQ(std::vector<float>(sums, sums + 3), (std::vector<float>{26, 48, 70}));
  ColumnSums(rows.data(), 2, 3, sums, false);
  EXPECT_EQ(std::vector<float>(sums, sums + 3), (std::vector<float>{25, 47, 69}));
  float y[4] = {-1, 0, 2, -0.5f};
  ReluInPlace(y, 4);
  EXPECT_EQ(std::vector<float>(y, y + 4), (std::vector<float>{0, 0, 2, 0}));
}

}  // namespace
}  // namespace irlab::nn
