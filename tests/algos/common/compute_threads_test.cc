// SetComputeThreads sets LibTorch's and OpenBLAS's thread counts, and a run of
// the irlab binary gives the same numbers whatever OMP_NUM_THREADS says.
#include "algos/common/compute_threads.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "algos/common/torch_pch.h"
#include "core/files.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

TEST(ComputeThreadsTest, SetsTorchAndOpenBlas) {
  using GetThreads = int (*)();
  auto* blas_threads =
      reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  for (int n : {2, 1}) {
    SetComputeThreads(n);
    EXPECT_EQ(torch::get_num_threads(), n);
    if (blas_threads) {
      EXPECT_EQ(blas_threads(), n);
    }
  }
  if (!blas_threads) GTEST_SKIP() << "the BLAS is not OpenBLAS: only LibTorch's threads checked";
}

// metrics.csv without its two timing columns (round_seconds, steps_per_second)
std::string MetricsWithoutTimes(const fs::path& run) {
  std::istringstream in(ReadFile(run / "metrics.csv").value_or(""));
  std::string line, out;
  std::vector<bool> timing;  // per column, from the header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (timing.empty()) {
      for (const auto& c : cells) timing.push_back(c == "round_seconds" || c == "steps_per_second");
    }
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i >= timing.size() || !timing[i]) out += cells[i] + ",";
    }
    out += "\n";
  }
  return out;
}

// The discriminator's 512-sample batches are large enough for OpenBLAS to split
// them over its threads; before SetComputeThreads the two runs differed in the
// sixth significant digit from the second round on.
TEST(ComputeThreadsTest, RunIgnoresOmpNumThreads) {
  const fs::path dir = testing::TestDir();
  std::string metrics[2];
  for (int omp : {1, 2}) {
    const fs::path out = dir / ("omp" + std::to_string(omp));
    const testing::RunResult run = testing::Run(
        "OMP_NUM_THREADS=" + std::to_string(omp) + " " + IRLAB_BINARY +
        " train --algo airl --env Pendulum --demos " + IRLAB_SOURCE_DIR +
        "/assets/demos/pendulum.h5 --seed 1 --set total_steps=6144 --set disc.batch_size=512"
        " --set eval_every=0 --set eval_episodes=1 --out " +
        out.string());
    ASSERT_EQ(run.code, 0) << run.output;
    metrics[omp - 1] = MetricsWithoutTimes(out);
  }
  EXPECT_GT(metrics[0].size(), 100u);
  EXPECT_EQ(metrics[0], metrics[1]);
}

}  // namespace
}  // namespace irlab
