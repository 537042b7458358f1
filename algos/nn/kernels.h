// The arithmetic of the small networks: row-major matrix products (BLAS) and
// element-wise activations written to vectorise. Plain pointers and sizes, no
// allocation; every function is deterministic for a given BLAS thread count.
#pragma once

#include <cstdint>

// Element-wise loops compiled for AVX-512, AVX2 and the x86-64 baseline, the
// variant chosen at load time for the machine. Built without contracting
// a * b + c into FMAs, every variant gives the same bits.
#if defined(__x86_64__) && defined(__GNUC__)
#define IRLAB_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define IRLAB_VECTOR_CLONES
#endif

namespace irlab::nn {

// C[m, n] = alpha * op(A) op(B) + beta * C, all row-major; op(A) is [m, k]
// (A stored [k, m] when trans_a), op(B) is [k, n] (B stored [n, k] when trans_b).
void Gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c);

// y[i] = tanh(y[i]), to within a few float ulps of std::tanh (about 20 times faster).
void TanhInPlace(float* y, int64_t n);
// y[i] = max(y[i], 0).
void ReluInPlace(float* y, int64_t n);

// rows [m, n] += bias [n] on every row.
void AddRowVector(float* rows, const float* bias, int m, int n);
// out[n] (+)= the column sums of rows [m, n]: overwritten unless accumulate.
void ColumnSums(const float* rows, int m, int n, float* out, bool accumulate);

// d[i] *= 1 - y[i]^2 (tanh's derivative from its output y).
void MulTanhDerivative(float* d, const float* y, int64_t n);
// d[i] = 0 where y[i] <= 0 (ReLU's derivative from its output y).
void MaskRelu(float* d, const float* y, int64_t n);
// out[i] = y[i] > 0 ? d[i] : 0.
void MaskedCopy(float* out, const float* d, const float* y, int64_t n);

// One float: tanh, as TanhInPlace computes it.
float FastTanh(float x);

}  // namespace irlab::nn
