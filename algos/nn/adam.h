// Adam and the global gradient-norm clip on flat buffers: one pass each.
#pragma once

#include <cstdint>

namespace irlab::nn {

struct AdamSettings {
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

// One Adam step (PyTorch's rule, bias-corrected; `step` counts from 1) on n
// parameters with gradient g and moments m, v.
void AdamStep(float* params, const float* g, float* m, float* v, int64_t n, int64_t step, double lr,
              const AdamSettings& adam);

// The L2 norm of g [n] (accumulated in double).
double Norm(const float* g, int64_t n);
// Scales g so that its norm is at most max_norm (0: no clip); returns the norm before.
double ClipNorm(float* g, int64_t n, double max_norm);

}  // namespace irlab::nn
