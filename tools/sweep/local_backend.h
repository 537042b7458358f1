// The `local` backend: a pool of at most `jobs` child processes on this
// machine, each cell in its own process group with its output in its log.
#pragma once

#include <filesystem>

#include "tools/sweep/backend.h"

namespace irlab::sweep {

class LocalBackend : public Backend {
 public:
  // `jobs` <= 0 means one per core. Each child gets OMP_NUM_THREADS (cores /
  // jobs, at least 1) unless the environment sets it already, so LibTorch
  // cells do not oversubscribe the machine.
  LocalBackend(int jobs, std::filesystem::path irlab_binary);

  absl::Status Run(const std::vector<const Cell*>& cells, SweepObserver& observer) override;
  int parallelism() const override { return jobs_; }

 private:
  int jobs_;
  std::filesystem::path irlab_binary_;
};

}  // namespace irlab::sweep
