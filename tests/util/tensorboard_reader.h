// Reading TensorBoard event files back, for the tests of what
// core/tensorboard.h writes: the TFRecords of a file and the scalars of an
// Event.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab::testing {

// Splits a whole TFRecord file into its records, checking both CRCs of each;
// the error names the file and the byte offset of the bad record.
absl::StatusOr<std::vector<std::string>> ReadTfRecords(const std::filesystem::path& path);

// A scalar decoded back from an Event.
struct TensorBoardScalar {
  double wall_time = 0;
  int64_t step = 0;
  std::string tag;
  float value = 0;
};
// Decodes the scalar summaries of one serialised Event (none for the
// file-version event); an error for malformed protobuf.
absl::StatusOr<std::vector<TensorBoardScalar>> DecodeScalarsEvent(std::string_view event);

}  // namespace irlab::testing
