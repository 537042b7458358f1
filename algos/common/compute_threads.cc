#include "algos/common/compute_threads.h"

#include <dlfcn.h>

#include "algos/common/torch_pch.h"

namespace irlab {

void SetComputeThreads(int threads) {
  torch::set_num_threads(threads);
  // Looked up at run time: LibTorch reaches the BLAS through libblas.so.3, which
  // Debian's alternatives point at OpenBLAS or at the reference BLAS (no threads).
  using SetThreads = void (*)(int);
  if (auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")))
    set(threads);
}

}  // namespace irlab
