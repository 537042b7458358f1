// The threads of LibTorch's CPU kernels and of the BLAS beneath them, set together.
#pragma once

namespace irlab {

// LibTorch's intra-op threads and, when the BLAS is OpenBLAS, its threads, to `threads`.
// OpenBLAS otherwise takes its count from OPENBLAS_NUM_THREADS or OMP_NUM_THREADS (or the
// core count) and splits large products differently for each count, so one seed's run
// came out differently launched by hand and by `irlab sweep` (which sets OMP_NUM_THREADS).
void SetComputeThreads(int threads);

}  // namespace irlab
