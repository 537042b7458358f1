// Scalar metrics per step, written to the console, metrics.csv,
// metrics.jsonl and a TensorBoard events.out.tfevents.* file in a run
// directory.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/tensorboard.h"

namespace irlab {

class MetricsLogger {
 public:
  using Scalars = std::vector<std::pair<std::string, double>>;

  // Opens (appending, for resumed runs) the files in `run_dir`; an empty
  // run_dir logs to the console only. A run resumed from a checkpoint at step
  // `resume_step` first drops the CSV and JSONL rows logged after it (the steps
  // it is about to redo), so its curves have each step once. (The TensorBoard
  // file is append-only; TensorBoard shows the later value of a repeated step.)
  static absl::StatusOr<MetricsLogger> Open(const std::filesystem::path& run_dir, bool console,
                                            std::optional<int64_t> resume_step = std::nullopt);
  MetricsLogger(MetricsLogger&&) noexcept;
  MetricsLogger& operator=(MetricsLogger&&) noexcept;
  ~MetricsLogger();

  // Records `scalars` at `step`. metrics.csv has a column for every key any
  // row logged: a key first seen later (eval_return at the first evaluation)
  // rewrites the file atomically with a wider header, older rows padded with
  // empty cells. Numbers keep full precision in both files; non-finite values
  // are "nan" in the CSV and null in the JSONL. A failed write (a full disk,
  // a directory made read-only before the CSV is widened) is an error naming
  // the file; every later call returns it too, so no file goes on silently
  // missing rows.
  [[nodiscard]] absl::Status Log(int64_t step, const Scalars& scalars);

 private:
  MetricsLogger() = default;
  absl::Status WriteFiles(int64_t step, const Scalars& scalars);

  bool console_ = false;
  std::FILE* csv_ = nullptr;
  std::FILE* jsonl_ = nullptr;
  std::vector<std::string> csv_columns_;
  std::filesystem::path csv_path_, jsonl_path_;
  std::optional<TensorBoardWriter> tensorboard_;
  absl::Status failed_;  // the first failed write
};

}  // namespace irlab
