#include "algos/nn/adam.h"

#include <gtest/gtest.h>

#include "algos/common/torch_pch.h"
#include "tests/algos/nn/test_util.h"

namespace irlab::nn {
namespace {

TEST(AdamTest, TwentyStepsMatchTorchOptimAdam) {
  torch::manual_seed(5);
  torch::Tensor p0 = torch::randn({37});
  torch::Tensor p = p0.clone().requires_grad_(true);
  torch::optim::Adam reference({p}, torch::optim::AdamOptions(1e-2).eps(1e-5));
  std::vector<float> params = testing::ToVector(p0), m(37, 0.0f), v(37, 0.0f);
  for (int step = 1; step <= 20; ++step) {
    torch::Tensor g = torch::randn({37});
    reference.zero_grad();
    p.mutable_grad() = g.clone();
    reference.step();
    AdamStep(params.data(), g.data_ptr<float>(), m.data(), v.data(), 37, step, 1e-2, {.eps = 1e-5});
  }
  EXPECT_LT(testing::RelativeError(params.data(), p), 1e-6);
}

// The vectorised loop (whichever instruction set runs it) gives each entry the
// bits of the scalar loop, which steps one entry at a time.
TEST(AdamTest, VectorLoopGivesTheScalarBits) {
  const int n = 1003;  // a vector body and a scalar tail
  torch::manual_seed(8);
  std::vector<float> p1 = testing::ToVector(torch::randn({n})), p2 = p1;
  std::vector<float> m1(n, 0.0f), v1(n, 0.0f), m2(n, 0.0f), v2(n, 0.0f);
  for (int step = 1; step <= 5; ++step) {
    torch::Tensor g = torch::randn({n}) * (step % 2 ? 1e-3 : 10.0);
    const float* gp = g.data_ptr<float>();
    AdamStep(p1.data(), gp, m1.data(), v1.data(), n, step, 3e-4, {.eps = 1e-5});
    for (int i = 0; i < n; ++i) {
      AdamStep(&p2[i], gp + i, &m2[i], &v2[i], 1, step, 3e-4, {.eps = 1e-5});
    }
  }
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(p1[i], p2[i]) << i;
    ASSERT_EQ(m1[i], m2[i]) << i;
    ASSERT_EQ(v1[i], v2[i]) << i;
  }
}

TEST(AdamTest, ClipScalesToTheMaximumNorm) {
  float g[2] = {3.0f, 4.0f};
  EXPECT_DOUBLE_EQ(ClipNorm(g, 2, 1.0), 5.0);
  EXPECT_NEAR(Norm(g, 2), 1.0, 1e-6);
  float h[2] = {0.3f, 0.4f};
  EXPECT_NEAR(ClipNorm(h, 2, 1.0), 0.5, 1e-7);
  EXPECT_EQ(h[0], 0.3f);  // under the limit: untouched
  float k[2] = {3.0f, 4.0f};
  ClipNorm(k, 2, 0.0);  // 0: no clip
  EXPECT_EQ(k[1], 4.0f);
}

}  // namespace
}  // namespace irlab::nn
