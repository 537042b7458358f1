// The arithmetic of the small networks: row-major matrix products (BLAS) and
// element-wise activations written to vectorise. Plain pointers and sizes, no
// allocation; every function is deterministic for a given BLAS thread count.
#pragma once

#include <cstdint>

namespace irlab::nn {

// C[m, n] = alpha * op(A) op(B) + beta * C, all row-major; op(A) is [m, k]
// (A stored [k, m] when trans_a), op(B) is [k, n] (B stored [n, k] when trans_b).
void Gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, const float* b, float beta,
          float* c);

// y[i] = tanh(y[i]), to within a few float ulps of std::tanh (about 20 times faster).
void TanhInPlace(float* y, int64_t n);
// y[i] = max(y[i], 0).
void ReluInPlace(float* y, int64_t n);

// rows [m, n] += bias [n] on every row.
void AddRowVector(float* rows, const float* bias, int m, int n);
// out[n] (+)= the column sums of rows [m, n]: overwritten unless accumulate.
void ColumnSums(const float* rows, int m, int n, float* out, bool accumulate);

// One float: tanh, as TanhInPlace computes it.
float FastTanh(float x);

}  // namespace irlab::nn
