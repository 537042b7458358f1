#include "algos/nn/adam.h"

#include <cmath>

#include "algos/nn/kernels.h"

namespace irlab::nn {

IRLAB_VECTOR_CLONES void AdamStep(float* params, const float* g, float* m, float* v, int64_t n,
                                  int64_t step, double lr, const AdamSettings& adam) {
  const float b1 = static_cast<float>(adam.beta1), b2 = static_cast<float>(adam.beta2);
  const float one_minus_b1 = static_cast<float>(1 - adam.beta1),
              one_minus_b2 = static_cast<float>(1 - adam.beta2);
  const double bias1 = 1 - std::pow(adam.beta1, double(step)),
               bias2 = 1 - std::pow(adam.beta2, double(step));
  const float sqrt_bias2 = static_cast<float>(std::sqrt(bias2));
  const float step_size = static_cast<float>(lr / bias1), eps = static_cast<float>(adam.eps);
  for (int64_t i = 0; i < n; ++i) {
    m[i] = m[i] * b1 + g[i] * one_minus_b1;
    v[i] = v[i] * b2 + g[i] * g[i] * one_minus_b2;
    params[i] += -step_size * (m[i] / (std::sqrt(v[i]) / sqrt_bias2 + eps));
  }
}

double Norm(const float* g, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += double(g[i]) * g[i];
  return std::sqrt(sum);
}

double ClipNorm(float* g, int64_t n, double max_norm) {
  const double norm = Norm(g, n);
  if (max_norm > 0 && norm > max_norm) {
    const float scale = static_cast<float>(max_norm / (norm + 1e-6));
    for (int64_t i = 0; i < n; ++i) g[i] *= scale;
  }
  return norm;
}

}  // namespace irlab::nn
