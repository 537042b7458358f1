// TensorBoard event files for scalars, without a protobuf dependency.
//
// An events.out.tfevents.* file is a sequence of TFRecords:
//   uint64 length (little-endian) | uint32 masked_crc32c(length bytes)
//   | data[length] | uint32 masked_crc32c(data)
// where each data is a serialised tensorflow.Event. The few fields written
// here are encoded by hand:
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3;
//             Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; }
// `tensorboard --logdir runs/` shows the scalars; tests/util/tensorboard_reader.h
// reads them back.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab {

// CRC-32C (Castagnoli), as used by TFRecord.
uint32_t Crc32c(std::string_view data);
// The masked form stored in TFRecords: rotate right by 15, add 0xa282ead8.
uint32_t MaskCrc32c(uint32_t crc);

// One TFRecord (length, CRCs, data) around `data`.
std::string FrameTfRecord(std::string_view data);

// Serialised tensorflow.Event messages.
std::string EncodeFileVersionEvent(double wall_time);
std::string EncodeScalarsEvent(double wall_time, int64_t step,
                               const std::vector<std::pair<std::string, double>>& scalars);

// Appends scalar events to a new events.out.tfevents.<time>.<host>.<pid>
// file in a run directory. Each Log call is one flushed record; a failed
// write (a full disk) is an error naming the file.
class TensorBoardWriter {
 public:
  static absl::StatusOr<TensorBoardWriter> Open(const std::filesystem::path& run_dir);
  TensorBoardWriter(TensorBoardWriter&& other) noexcept;
  TensorBoardWriter& operator=(TensorBoardWriter&& other) noexcept;
  ~TensorBoardWriter();

  [[nodiscard]] absl::Status Log(int64_t step,
                                 const std::vector<std::pair<std::string, double>>& scalars);
  const std::filesystem::path& path() const { return path_; }

 private:
  TensorBoardWriter() = default;
  absl::Status Append(std::string_view event);

  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace irlab
