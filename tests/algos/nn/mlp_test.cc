#include "algos/nn/mlp.h"

#include <gtest/gtest.h>

#include "algos/common/torch_pch.h"
#include "algos/ppo/networks.h"
#include "tests/algos/nn/test_util.h"

namespace irlab::nn {
using irlab::TorchMlp;
namespace {

// The same network written with LibTorch ops (the learners' reference form).
torch::Tensor Reference(const MlpLayout& mlp, const torch::Tensor& params, const torch::Tensor& x) {
  return TorchMlp(mlp, params, x);
}

struct Case {
  Activation activation;
  std::vector<int> hidden;
  int in, out, batch;
};

class MlpTest : public ::testing::TestWithParam<Case> {};

TEST_P(MlpTest, ForwardAndBackwardMatchAutograd) {
  const Case c = GetParam();
  torch::manual_seed(7);
  const int64_t offset = 5;  // the MLP sits inside a larger buffer
  MlpLayout mlp(c.in, c.hidden, c.out, c.activation, offset);
  torch::Tensor params = torch::randn({mlp.end() + 3}) * 0.5;
  torch::Tensor x = torch::randn({c.batch, c.in});
  torch::Tensor upstream = torch::randn({c.batch, c.out});

  MlpScratch scratch;
  const float* out = Forward(mlp, params.data_ptr<float>(), x.data_ptr<float>(), c.batch, scratch);

  torch::Tensor p = params.clone().requires_grad_(true), xr = x.clone().requires_grad_(true);
  torch::Tensor ref = Reference(mlp, p, xr);
  EXPECT_LT(testing::RelativeError(out, ref), 1e-6);
  (ref * upstream).sum().backward();

  std::vector<float> grads(params.numel(), 42.0f), dx(x.numel());
  Backward(mlp, params.data_ptr<float>(), scratch, upstream.data_ptr<float>(), grads.data(), false,
           dx.data());
  EXPECT_LT(
      testing::RelativeError(grads.data() + offset, p.grad().narrow(0, offset, mlp.num_params())),
      1e-5);
  EXPECT_EQ(grads[0], 42.0f);  // outside the layout: untouched
  EXPECT_EQ(grads.back(), 42.0f);
  EXPECT_LT(testing::RelativeError(dx.data(), xr.grad()), 1e-5);

  // accumulate adds to what is there
  std::vector<float> twice = grads;
  Backward(mlp, params.data_ptr<float>(), scratch, upstream.data_ptr<float>(), twice.data(), true,
           nullptr);
  EXPECT_LT(testing::RelativeError(twice.data() + offset,
                                   2 * p.grad().narrow(0, offset, mlp.num_params())),
            1e-5);
}

INSTANTIATE_TEST_SUITE_P(Shapes, MlpTest,
                         ::testing::Values(Case{Activation::kTanh, {64, 64}, 17, 6, 64},
                                           Case{Activation::kTanh, {64, 64}, 17, 1, 256},
                                           Case{Activation::kRelu, {32, 32}, 23, 1, 512},
                                           Case{Activation::kRelu, {}, 4, 1, 3},
                                           Case{Activation::kTanh, {8, 16, 8}, 3, 2, 1}));

TEST(MlpTest, InputGradientAndItsParameterGradientMatchDoubleBackward) {
  torch::manual_seed(3);
  MlpLayout mlp(6, {16, 8}, 1, Activation::kRelu, 0);
  torch::Tensor params = torch::randn({mlp.num_params()}) * 0.7;
  torch::Tensor x = torch::randn({10, 6});
  torch::Tensor c = torch::randn({10});
  torch::Tensor du = torch::randn({10, 6});

  MlpScratch scratch;
  Forward(mlp, params.data_ptr<float>(), x.data_ptr<float>(), 10, scratch);
  std::vector<float> u(60), grads(mlp.num_params(), 0.0f);
  InputGradient(mlp, params.data_ptr<float>(), scratch, c.data_ptr<float>(), u.data());
  InputGradientBackward(mlp, params.data_ptr<float>(), scratch, du.data_ptr<float>(), grads.data());

  torch::Tensor p = params.clone().requires_grad_(true), xr = x.clone().requires_grad_(true);
  torch::Tensor out = (Reference(mlp, p, xr).squeeze(1) * c).sum();
  torch::Tensor ur = torch::autograd::grad({out}, {xr}, {}, true, true)[0];
  EXPECT_LT(testing::RelativeError(u.data(), ur), 1e-5);
  torch::Tensor g = torch::autograd::grad({(ur * du).sum()}, {p})[0];
  EXPECT_LT(testing::RelativeError(grads.data(), g), 1e-5);
}

}  // namespace
}  // namespace irlab::nn
