#include "algos/nn/kernels.h"

#include <cblas.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace irlab::nn {

void Gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, trans_a ? m : k, b,
              trans_b ? k : n, beta, c, n);
}

namespace {

// expm1(y) for y in [-18, 0]: y = k ln2 + r with |r| <= ln2 / 2 (the product
// k ln2 split in two parts so that r is exact), expm1(r) from its Taylor
// series to r^8 (error below 1e-9 relative), and
// expm1(y) = 2^k expm1(r) + (2^k - 1), exactly expm1(r) when k = 0, so that
// small arguments keep their relative accuracy. Branch-free so loops vectorise.
inline float Expm1Negative(float y) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693145751953125f;  // few mantissa bits: k * kLn2Hi is exact
  constexpr float kLn2Lo = 1.42860682030941723212e-6f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float shifted = y * kLog2e + kRound;
  const float kf = shifted - kRound;
  const int32_t k = std::bit_cast<int32_t>(shifted) - std::bit_cast<int32_t>(kRound);
  const float r = (y - kf * kLn2Hi) - kf * kLn2Lo;
  float p = 1.0f / 40320;
  p = p * r + 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  const float em_r = r + r * r * p;
  const float scale = std::bit_cast<float>((k + 127) << 23);
  return scale * em_r + (scale - 1.0f);
}

}  // namespace

float FastTanh(float x) {
  // tanh|x| = -expm1(-2|x|) / (2 + expm1(-2|x|)); past |x| = 9 it is 1 in float
  const float a = std::min(std::fabs(x), 9.0f);
  const float em = Expm1Negative(-2.0f * a);
  const float t = -em / (2.0f + em);
  return std::copysign(t, x);
}

IRLAB_VECTOR_CLONES void TanhInPlace(float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = FastTanh(y[i]);
}

IRLAB_VECTOR_CLONES void ReluInPlace(float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = y[i] > 0 ? y[i] : 0.0f;
}

IRLAB_VECTOR_CLONES void AddRowVector(float* rows, const float* bias, int m, int n) {
  for (int r = 0; r < m; ++r) {
    float* row = rows + int64_t(r) * n;
    for (int j = 0; j < n; ++j) row[j] += bias[j];
  }
}

IRLAB_VECTOR_CLONES void ColumnSums(const float* rows, int m, int n, float* out, bool accumulate) {
  if (!accumulate) std::fill(out, out + n, 0.0f);
  for (int r = 0; r < m; ++r) {
    const float* row = rows + int64_t(r) * n;
    for (int j = 0; j < n; ++j) out[j] += row[j];
  }
}

IRLAB_VECTOR_CLONES void MulTanhDerivative(float* d, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] *= 1.0f - y[i] * y[i];
}

IRLAB_VECTOR_CLONES void MaskRelu(float* d, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = y[i] > 0 ? d[i] : 0.0f;
}

IRLAB_VECTOR_CLONES void MaskedCopy(float* out, const float* d, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = y[i] > 0 ? d[i] : 0.0f;
}

}  // namespace irlab::nn
