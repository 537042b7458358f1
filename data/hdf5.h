// A thin layer over HDF5's C API: owned identifiers, errors turned into
// absl::Status naming the file and dataset, and the few dataset and attribute
// operations the demonstration files need. HDF5's own error printing is
// silenced; its innermost message is appended to ours instead.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace irlab::h5 {

// Owns one HDF5 identifier (file, group, dataset, type, space, property list).
class Id {
 public:
  Id() = default;
  explicit Id(hid_t id) : id_(id) {}
  ~Id() { Reset(); }
  Id(Id&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      Reset();
      id_ = other.id_;
      other.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void Reset();
  // Gives up ownership without closing.
  hid_t Release() {
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's printing of its error stack for the calling thread (HDF5
// keeps that setting per thread). Every entry point calls it; it is cheap.
void SilenceErrors();

// The innermost message on the calling thread's HDF5 error stack ("" if
// none), and clears the stack.
std::string TakeErrorMessage();

// "<file>: <what>[: <hdf5 message>]" with the given code.
absl::Status Error(absl::StatusCode code, const std::filesystem::path& file, std::string_view what);

// Opens an existing file read-only. Clear errors for a missing path, a
// directory, a file that is not HDF5 and a truncated one.
absl::StatusOr<Id> OpenFile(const std::filesystem::path& path);

// Creates (truncating) a file in the layout every irlab file uses: HDF5 1.10
// structures, whose metadata carry checksums.
absl::StatusOr<Id> CreateFile(const std::filesystem::path& path);

// True if `name` ("a/b/c") names an existing object under `loc`.
bool Exists(hid_t loc, std::string_view name);
// Like Exists, but an unreadable (damaged) link or attribute table is an
// error rather than "absent".
absl::StatusOr<bool> CheckedExists(hid_t loc, std::string_view name,
                                   const std::filesystem::path& file);
absl::StatusOr<bool> CheckedHasAttribute(hid_t loc, std::string_view name,
                                         const std::filesystem::path& file);
// True if `name` exists and is a group.
bool IsGroup(hid_t loc, std::string_view name);
// Names of the links directly under group `name` of `loc`.
absl::StatusOr<std::vector<std::string>> ListGroup(hid_t loc, std::string_view name,
                                                   const std::filesystem::path& file);

// The kind of values a dataset or attribute holds.
enum class Kind { kFloat, kSignedInt, kUnsignedInt, kBoolEnum, kString, kOther };

struct DatasetInfo {
  Kind kind = Kind::kOther;
  size_t element_size = 0;    // bytes per element in the file
  std::vector<int64_t> dims;  // current extent
  int64_t chunk_rows = 0;     // rows per chunk along dim 0, 0 if not chunked
  std::string type_name;      // "float32", "uint8", "bool", ... for messages
};

// Opens dataset `name`; the error names the file and dataset.
absl::StatusOr<Id> OpenDataset(hid_t loc, std::string_view name, const std::filesystem::path& file,
                               size_t chunk_cache_bytes = 0);
absl::StatusOr<DatasetInfo> Describe(hid_t dataset, std::string_view name,
                                     const std::filesystem::path& file);

// Number of chunks allocated in the file for a chunked dataset.
absl::StatusOr<int64_t> StoredChunks(hid_t dataset, std::string_view name,
                                     const std::filesystem::path& file);

// Rows per chunk for a dataset whose rows are `row_bytes` long: a power of two
// no larger than kBlockRows, chunks between 10 KiB and 1 MiB (the smallest
// rows give 16 KiB, wider rows up to 512 KiB).
inline constexpr int64_t kBlockRows = 16384;
int64_t ChunkRows(int64_t row_bytes);

// Creates an extendible 1-D ([0]) or 2-D ([0, cols]) dataset, chunked along
// rows, with shuffle + deflate + Fletcher-32 checksums. Intermediate groups
// are created.
absl::StatusOr<Id> CreateRowDataset(hid_t loc, std::string_view name, hid_t file_type, int64_t cols,
                                    bool two_dimensional, const std::filesystem::path& file);

// Appends `rows` rows (of `cols` elements, memory type `mem_type`) at the end
// of a dataset created by CreateRowDataset.
absl::Status AppendRows(hid_t dataset, hid_t mem_type, int64_t rows, int64_t cols, const void* data,
                        std::string_view name, const std::filesystem::path& file);

// Reads rows [begin, begin + rows) of a 1-D or 2-D dataset into `out`
// ([rows, cols] of `mem_type`); HDF5 converts numeric types.
absl::Status ReadRows(hid_t dataset, hid_t mem_type, int64_t begin, int64_t rows, void* out,
                      std::string_view name, const std::filesystem::path& file);

// A type for reading 0/1 flags into uint8 from uint8/int/bool-enum datasets.
// Returns an invalid Id (read with H5T_NATIVE_UINT8) unless the dataset is a
// one-byte enum (h5py's bool), whose own type is then returned.
Id FlagMemoryType(hid_t dataset);

// h5py's bool type: an int8 enum {FALSE = 0, TRUE = 1}.
Id BoolEnumType();

// Attributes on a file, group or dataset. Strings are fixed-width and
// null-terminated; numbers are little-endian int64 / float64.
absl::Status WriteAttribute(hid_t loc, std::string_view name, std::string_view value,
                            const std::filesystem::path& file);
absl::Status WriteAttribute(hid_t loc, std::string_view name, int64_t value,
                            const std::filesystem::path& file);
absl::Status WriteAttribute(hid_t loc, std::string_view name, uint64_t value,
                            const std::filesystem::path& file);
absl::Status WriteAttribute(hid_t loc, std::string_view name, double value,
                            const std::filesystem::path& file);
absl::Status WriteAttribute(hid_t loc, std::string_view name, const std::vector<double>& values,
                            const std::filesystem::path& file);

bool HasAttribute(hid_t loc, std::string_view name);
// Reads fixed or variable-length string attributes.
absl::StatusOr<std::string> ReadStringAttribute(hid_t loc, std::string_view name,
                                                const std::filesystem::path& file);
// Reads a scalar integer (or one-element) attribute.
absl::StatusOr<int64_t> ReadIntAttribute(hid_t loc, std::string_view name,
                                         const std::filesystem::path& file);
absl::StatusOr<uint64_t> ReadUint64Attribute(hid_t loc, std::string_view name,
                                             const std::filesystem::path& file);
absl::StatusOr<double> ReadDoubleAttribute(hid_t loc, std::string_view name,
                                           const std::filesystem::path& file);
absl::StatusOr<std::vector<double>> ReadDoubleArrayAttribute(hid_t loc, std::string_view name,
                                                             const std::filesystem::path& file);

// Writes a whole small 1-D or 2-D array as a chunked dataset (episode tables).
absl::Status WriteArray(hid_t loc, std::string_view name, hid_t file_type, hid_t mem_type,
                        int64_t rows, int64_t cols, bool two_dimensional, const void* data,
                        const std::filesystem::path& file);

}  // namespace irlab::h5
