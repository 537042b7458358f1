// Comparing flat float buffers with LibTorch tensors.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "algos/common/torch_pch.h"

namespace irlab::testing {

// max |a - b| / max |b|: the error relative to the reference's scale.
inline double RelativeError(const float* a, const torch::Tensor& reference) {
  torch::Tensor ref = reference.detach().contiguous().to(torch::kFloat);
  const float* b = ref.data_ptr<float>();
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    diff = std::max(diff, std::fabs(double(a[i]) - b[i]));
    scale = std::max(scale, std::fabs(double(b[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

inline std::vector<float> ToVector(const torch::Tensor& t) {
  torch::Tensor c = t.detach().contiguous().to(torch::kFloat);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace irlab::testing
