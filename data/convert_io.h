// What the readers and writers of data/convert.cc share: numeric datasets
// of foreign files read whatever their numeric type, the metadata of a
// converted file, and the two interfaces conversion runs through (episodes
// read one at a time from a source, appended to a sink). Internal to data/.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "core/strings.h"
#include "data/convert.h"
#include "data/demo_format.h"
#include "data/demo_writer.h"
#include "data/hdf5.h"

namespace irlab::convert {

// A numeric dataset of rank 1 ([rows]) or 2 ([rows, width]).
struct Column {
  h5::Id id;
  h5::DatasetInfo info;
  std::string name;  // full path in the file, for messages
  int64_t rows = 0, width = 1;
};

// The note for float64 datasets among `columns`, which irlab stores as float32
// (its format's observations, actions and rewards are float32); nullopt when
// there are none.
std::optional<std::string> Float64Note(std::initializer_list<const Column*> columns);

// Opens a numeric dataset of rank 1 or 2.
absl::StatusOr<Column> OpenColumn(hid_t loc, const std::string& name,
                                  const std::filesystem::path& file);

absl::Status ExpectRows(const Column& c, int64_t rows, std::string_view reference,
                        const std::filesystem::path& file);
absl::Status ExpectWidth(const Column& c, int64_t width, const std::filesystem::path& file);

// Rows [begin, begin + count) as float or double.
template <class T>
absl::Status ReadColumn(const Column& c, int64_t begin, int64_t count, std::vector<T>& out,
                        const std::filesystem::path& file) {
  out.resize(count * c.width);
  const hid_t mem = std::is_same_v<T, float> ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
  if (c.info.kind == h5::Kind::kBoolEnum) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": dataset '", c.name, "' is bool, expected numbers"));
  }
  return h5::ReadRows(c.id.get(), mem, begin, count, out.data(), c.name, file);
}

// Reads 0/1 flags from bool, integer or float datasets.
absl::Status ReadFlags(const Column& c, int64_t begin, int64_t count, std::vector<uint8_t>& out,
                       const std::filesystem::path& file);

// The metadata of a converted file: the task from --env or the file's own
// attributes, checked against the data's sizes.
absl::StatusOr<DemoMetadata> ResolveMetadata(hid_t root, const std::filesystem::path& in,
                                             DemoLayout from, const ConvertOptions& options,
                                             int64_t obs_dim, int64_t act_dim, int64_t nq,
                                             int64_t nv, std::string_view obs_name,
                                             std::string_view act_name);

// The first non-finite value of `values` ([steps, width], read from dataset
// `name` from row `first_row` on) as an error naming the file's row.
template <class T>
absl::Status CheckFiniteRows(const std::vector<T>& values, int64_t width, const std::string& name,
                             int64_t first_row, int64_t episode, const std::filesystem::path& in) {
  if (width < 1) return absl::OkStatus();
  for (size_t k = 0; k < values.size(); ++k) {
    if (std::isfinite(values[k])) continue;
    const int64_t step = static_cast<int64_t>(k) / width;
    return absl::InvalidArgumentError(
        StrCat(in.string(), ": dataset '", name, "' row ", first_row + step, " column ",
               static_cast<int64_t>(k) % width, " has a non-finite value (", values[k],
               "); episode ", episode, " step ", step, " after splitting at the flags"));
  }
  return absl::OkStatus();
}

// Episodes one at a time.
class DemoReader {
 public:
  virtual ~DemoReader() = default;
  virtual int64_t num_episodes() const = 0;
  virtual absl::Status Read(int64_t i, Episode& episode) = 0;
  const DemoMetadata& metadata() const { return metadata_; }
  std::vector<std::string>& notes() { return notes_; }

 protected:
  DemoMetadata metadata_;
  std::vector<std::string> notes_;
};

class EpisodeSink {
 public:
  virtual ~EpisodeSink() = default;
  virtual absl::Status Append(const Episode& episode) = 0;
  virtual absl::Status Close() = 0;
};

// The D4RL reader (convert_d4rl.cc), the Minari reader and writer (convert_minari.cc).
absl::StatusOr<std::unique_ptr<DemoReader>> OpenD4rl(const std::filesystem::path& in,
                                                     const ConvertOptions& options);
absl::StatusOr<std::unique_ptr<DemoReader>> OpenMinari(const std::filesystem::path& in,
                                                       const ConvertOptions& options);
absl::StatusOr<std::unique_ptr<EpisodeSink>> CreateMinariSink(const std::filesystem::path& out,
                                                              const DemoMetadata& metadata,
                                                              const ConvertOptions& options);

}  // namespace irlab::convert
