// Multilayer perceptrons on flat parameter buffers, forward and backward at
// their arithmetic cost: each dense layer is one matrix product (BLAS) on
// buffers kept between calls, the activations are element-wise loops, and
// the backward pass is written out rather than recorded.
//
// Parameters of layer l: W_l [out, in] then b_l [out] (the nn.Linear layout),
// layer after layer from the layout's offset in the flat buffer.
#pragma once

#include <cstdint>
#include <vector>

namespace irlab::nn {

enum class Activation { kTanh, kRelu };

// Dense layers sizes[0] -> sizes[1] -> ... -> sizes.back(), the activation
// after every layer but the last.
struct MlpLayout {
  std::vector<int> sizes;
  Activation activation = Activation::kTanh;
  int64_t offset = 0;  // of W_0 in the flat parameter buffer

  MlpLayout() = default;
  MlpLayout(int in, const std::vector<int>& hidden, int out, Activation activation, int64_t offset);
  int in() const { return sizes.front(); }
  int out() const { return sizes.back(); }
  int layers() const { return static_cast<int>(sizes.size()) - 1; }
  int64_t num_params() const;
  int64_t end() const { return offset + num_params(); }  // one past the last parameter
  int64_t weight(int l) const;                           // offset of W_l
  int64_t bias(int l) const { return weight(l) + int64_t(sizes[l + 1]) * sizes[l]; }
};

// The buffers of one batch: each layer's output (kept for the backward pass)
// and gradient scratch. Grows to the largest batch seen; reuse it across calls.
struct MlpScratch {
  std::vector<std::vector<float>> outputs;           // layer l: [rows, sizes[l + 1]]
  std::vector<std::vector<float>> input_grad_terms;  // InputGradient's dOut/dz per layer
  std::vector<float> grad_a, grad_b;                 // [rows, widest layer]
  const float* input = nullptr;                      // [rows, in] of the last Forward
  int rows = 0;
};

// out [n, out] = the MLP at rows x [n, in]; the pointer is into `s` (valid
// until its next Forward). x must stay alive until Backward.
const float* Forward(const MlpLayout& mlp, const float* params, const float* x, int n,
                     MlpScratch& s);

// The backward pass of the last Forward on `s`: from dL/dout [n, out], writes
// dL/dparams into grads at the layout's offsets (added to what is there when
// accumulate) and, when dx is not null, dL/dx [n, in] into dx.
void Backward(const MlpLayout& mlp, const float* params, MlpScratch& s, const float* dout,
              float* grads, bool accumulate, float* dx);

// For a ReLU MLP with one output, at the activations of the last Forward: the
// gradient of c_i * out_i with respect to row i's input, u [n, in] (c null: 1).
void InputGradient(const MlpLayout& mlp, const float* params, MlpScratch& s, const float* c,
                   float* u);
// The parameter gradient of sum_i <du_i, u_i> for the u of the last
// InputGradient (ReLU masks held fixed, as autograd's double backward does),
// added into grads. Biases get none.
void InputGradientBackward(const MlpLayout& mlp, const float* params, MlpScratch& s,
                           const float* du, float* grads);

}  // namespace irlab::nn
