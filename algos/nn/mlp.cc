#include "algos/nn/mlp.h"

#include <algorithm>

#include "algos/nn/kernels.h"
#include "core/status.h"

namespace irlab::nn {

MlpLayout::MlpLayout(int in, const std::vector<int>& hidden, int out, Activation act, int64_t first)
    : activation(act), offset(first) {
  sizes.push_back(in);
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(out);
}

int64_t MlpLayout::num_params() const {
  int64_t n = 0;
  for (int l = 0; l < layers(); ++l) n += int64_t(sizes[l + 1]) * sizes[l] + sizes[l + 1];
  return n;
}

int64_t MlpLayout::weight(int l) const {
  int64_t at = offset;
  for (int k = 0; k < l; ++k) at += int64_t(sizes[k + 1]) * sizes[k] + sizes[k + 1];
  return at;
}

namespace {

// The layer outputs of a forward pass over n rows.
void Reserve(const MlpLayout& mlp, int n, MlpScratch& s) {
  s.outputs.resize(mlp.layers());
  for (int l = 0; l < mlp.layers(); ++l) {
    if (s.outputs[l].size() < size_t(n) * mlp.sizes[l + 1])
      s.outputs[l].resize(size_t(n) * mlp.sizes[l + 1]);
  }
}

// The gradient scratch of a backward pass over the last forward's rows (a
// forward-only user never allocates it).
void ReserveGrads(const MlpLayout& mlp, MlpScratch& s) {
  const int widest = *std::max_element(mlp.sizes.begin(), mlp.sizes.end());
  if (s.grad_a.size() < size_t(s.rows) * widest) {
    s.grad_a.resize(size_t(s.rows) * widest);
    s.grad_b.resize(size_t(s.rows) * widest);
  }
}

// Every one of n rows [n, width] set to row: the first row, then the filled
// rows doubled with one copy at a time (log2 n copies rather than n).
void BroadcastRow(const float* row, int n, int width, float* out) {
  if (n == 0) return;
  std::copy_n(row, width, out);
  for (int64_t filled = 1; filled < n;) {
    const int64_t more = std::min<int64_t>(filled, n - filled);
    std::copy_n(out, more * width, out + filled * width);
    filled += more;
  }
}

}  // namespace

const float* Forward(const MlpLayout& mlp, const float* params, const float* x, int n,
                     MlpScratch& s) {
  Reserve(mlp, n, s);
  s.input = x;
  s.rows = n;
  const float* in = x;
  for (int l = 0; l < mlp.layers(); ++l) {
    const int fan_in = mlp.sizes[l], fan_out = mlp.sizes[l + 1];
    float* out = s.outputs[l].data();
    // out = in W^T + b
    BroadcastRow(params + mlp.bias(l), n, fan_out, out);
    Gemm(false, true, n, fan_out, fan_in, 1.0f, in, params + mlp.weight(l), 1.0f, out);
    if (l + 1 < mlp.layers()) {
      if (mlp.activation == Activation::kTanh) {
        TanhInPlace(out, int64_t(n) * fan_out);
      } else {
        ReluInPlace(out, int64_t(n) * fan_out);
      }
    }
    in = out;
  }
  return s.outputs.back().data();
}

void Backward(const MlpLayout& mlp, const float* params, MlpScratch& s, const float* dout,
              float* grads, bool accumulate, float* dx) {
  const int n = s.rows;
  ReserveGrads(mlp, s);
  const float beta = accumulate ? 1.0f : 0.0f;
  const float* g = dout;  // dL/d(layer l's pre-activation output) [n, out_l]
  for (int l = mlp.layers() - 1; l >= 0; --l) {
    const int fan_in = mlp.sizes[l], fan_out = mlp.sizes[l + 1];
    const float* in = l == 0 ? s.input : s.outputs[l - 1].data();
    // dW = g^T in, db = column sums of g
    Gemm(true, false, fan_out, fan_in, n, 1.0f, g, in, beta, grads + mlp.weight(l));
    ColumnSums(g, n, fan_out, grads + mlp.bias(l), accumulate);
    if (l == 0 && dx == nullptr) break;
    // d in = g W, then through the previous layer's activation
    float* next = l == 0 ? dx : (g == s.grad_a.data() ? s.grad_b.data() : s.grad_a.data());
    Gemm(false, false, n, fan_in, fan_out, 1.0f, g, params + mlp.weight(l), 0.0f, next);
    if (l > 0) {
      const float* h = in;  // the activation's output
      const int64_t count = int64_t(n) * fan_in;
      if (mlp.activation == Activation::kTanh) {
        MulTanhDerivative(next, h, count);
      } else {
        MaskRelu(next, h, count);
      }
    }
    g = next;
  }
}

void InputGradient(const MlpLayout& mlp, const float* params, MlpScratch& s, const float* c,
                   float* u) {
  IRLAB_CHECK(mlp.activation == Activation::kRelu && mlp.out() == 1,
              "InputGradient takes a one-output ReLU MLP");
  const int n = s.rows, L = mlp.layers();
  // q_l = d(c out) / d(layer l's pre-activation) [n, sizes[l + 1]]
  s.input_grad_terms.resize(L);
  for (int l = 0; l < L; ++l) s.input_grad_terms[l].resize(size_t(n) * mlp.sizes[l + 1]);
  auto& q = s.input_grad_terms;
  for (int r = 0; r < n; ++r) q[L - 1][r] = c ? c[r] : 1.0f;
  for (int l = L - 1; l >= 1; --l) {
    // q_{l-1} = (q_l W_l) masked by ReLU_{l-1}
    float* prev = q[l - 1].data();
    Gemm(false, false, n, mlp.sizes[l], mlp.sizes[l + 1], 1.0f, q[l].data(), params + mlp.weight(l),
         0.0f, prev);
    const float* h = s.outputs[l - 1].data();
    MaskRelu(prev, h, int64_t(n) * mlp.sizes[l]);
  }
  Gemm(false, false, n, mlp.in(), mlp.sizes[1], 1.0f, q[0].data(), params + mlp.weight(0), 0.0f, u);
}

void InputGradientBackward(const MlpLayout& mlp, const float* params, MlpScratch& s,
                           const float* du, float* grads) {
  const int n = s.rows, L = mlp.layers();
  ReserveGrads(mlp, s);
  const auto& q = s.input_grad_terms;
  // u = q_0 W_0: dW_0 += q_0^T du, dq_0 = du W_0^T
  Gemm(true, false, mlp.sizes[1], mlp.in(), n, 1.0f, q[0].data(), du, 1.0f, grads + mlp.weight(0));
  if (L == 1) return;
  float* dq = s.grad_a.data();
  float* dp = s.grad_b.data();
  Gemm(false, true, n, mlp.sizes[1], mlp.in(), 1.0f, du, params + mlp.weight(0), 0.0f, dq);
  for (int l = 1; l < L; ++l) {
    // q_{l-1} = mask * (q_l W_l): dp = mask * dq; dW_l += q_l^T dp; dq_l = dp W_l^T
    const float* h = s.outputs[l - 1].data();
    MaskedCopy(dp, dq, h, int64_t(n) * mlp.sizes[l]);
    Gemm(true, false, mlp.sizes[l + 1], mlp.sizes[l], n, 1.0f, q[l].data(), dp, 1.0f,
         grads + mlp.weight(l));
    if (l + 1 < L)
      Gemm(false, true, n, mlp.sizes[l + 1], mlp.sizes[l], 1.0f, dp, params + mlp.weight(l), 0.0f,
           dq);
  }
}

}  // namespace irlab::nn
