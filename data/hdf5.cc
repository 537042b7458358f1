#include "data/hdf5.h"

#include <algorithm>
#include <memory>

#include "core/status.h"
#include "core/strings.h"

namespace irlab::h5 {
namespace {

// HDF5 closes what is still open when the process exits; a dataset whose
// flush failed (a full disk) crashes that pass (HDF5 1.10: H5D_close from
// H5_term_library). irlab closes every file it writes itself and checks the
// close, so the exit-time pass is switched off, before any other HDF5 call.
[[maybe_unused]] const bool kNoExitTimeClose = [] { return H5dont_atexit() >= 0; }();

namespace fs = std::filesystem;

constexpr size_t kMaxAttributeBytes = 1 << 20;  // larger is a corrupt or foreign file
constexpr int kMaxRank = 8;
constexpr unsigned kDeflateLevel = 4;

herr_t InnermostMessage(unsigned /*n*/, const H5E_error2_t* err, void* data) {
  // walked from the API call inwards: the last description is the root cause
  if (err->desc != nullptr && err->desc[0] != '\0') *static_cast<std::string*>(data) = err->desc;
  return 0;
}

std::string TypeName(Kind kind, size_t size) {
  switch (kind) {
    case Kind::kFloat:
      return StrCat("float", size * 8);
    case Kind::kSignedInt:
      return StrCat("int", size * 8);
    case Kind::kUnsignedInt:
      return StrCat("uint", size * 8);
    case Kind::kBoolEnum:
      return "bool";
    case Kind::kString:
      return "string";
    case Kind::kOther:
      break;
  }
  return "an unsupported type";
}

Kind KindOf(hid_t type) {
  switch (H5Tget_class(type)) {
    case H5T_FLOAT:
      return Kind::kFloat;
    case H5T_INTEGER:
      return H5Tget_sign(type) == H5T_SGN_NONE ? Kind::kUnsignedInt : Kind::kSignedInt;
    case H5T_ENUM:
      return H5Tget_size(type) == 1 ? Kind::kBoolEnum : Kind::kOther;
    case H5T_STRING:
      return Kind::kString;
    default:
      return Kind::kOther;
  }
}

// Opens attribute `name` of `loc` and checks it holds `expected` elements.
absl::StatusOr<Id> OpenAttribute(hid_t loc, std::string_view name, const fs::path& file,
                                 int64_t* num_elements) {
  SilenceErrors();
  const std::string n(name);
  IRLAB_ASSIGN_OR_RETURN(const bool exists, CheckedHasAttribute(loc, name, file));
  if (!exists) {
    return absl::NotFoundError(StrCat(file.string(), ": attribute '", name, "' is missing"));
  }
  Id attr(H5Aopen(loc, n.c_str(), H5P_DEFAULT));
  if (!attr.valid()) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot open attribute '", name, "'"));
  }
  Id space(H5Aget_space(attr.get()));
  const hssize_t points = space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
  if (points < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("attribute '", name, "' is unreadable"));
  }
  *num_elements = points;
  return attr;
}

}  // namespace

void Id::Reset() {
  if (id_ >= 0) {
    SilenceErrors();
    H5Idec_ref(id_);
    id_ = H5I_INVALID_HID;
  }
}

void SilenceErrors() {
  thread_local bool silenced = false;
  if (silenced) return;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  silenced = true;
}

std::string TakeErrorMessage() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, InnermostMessage, &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

absl::Status Error(absl::StatusCode code, const fs::path& file, std::string_view what) {
  const std::string detail = TakeErrorMessage();
  std::string message = StrCat(file.string(), ": ", what);
  if (!detail.empty()) StrAppend(&message, " (HDF5: ", detail, ")");
  return absl::Status(code, message);
}

absl::StatusOr<Id> OpenFile(const fs::path& path) {
  SilenceErrors();
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (!fs::exists(st)) return absl::NotFoundError(StrCat(path.string(), ": no such file"));
  if (fs::is_directory(st)) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": is a directory, not a file"));
  }
  if (!fs::is_regular_file(st)) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": is not a regular file"));
  }
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) {
    TakeErrorMessage();
    return absl::InvalidArgumentError(StrCat(path.string(), ": not an HDF5 file"));
  }
  if (is_hdf5 < 0) return Error(absl::StatusCode::kDataLoss, path, "cannot read the file");
  Id fapl(H5Pcreate(H5P_FILE_ACCESS));
  // no flock: our writers rename complete files into place, and cluster file
  // systems often lack locks
  H5Pset_file_locking(fapl.get(), false, true);
  Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file.valid()) {
    return Error(absl::StatusCode::kDataLoss, path,
                 "cannot open as HDF5 (truncated or corrupt file?)");
  }
  return file;
}

absl::StatusOr<Id> CreateFile(const fs::path& path) {
  SilenceErrors();
  Id fapl(H5Pcreate(H5P_FILE_ACCESS));
  // HDF5 1.10 structures: checksummed superblock, object headers and chunk
  // indexes, so damage is detected instead of misread
  H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V110, H5F_LIBVER_V110);
  H5Pset_file_locking(fapl.get(), false, true);
  Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  if (!file.valid()) return Error(absl::StatusCode::kUnavailable, path, "cannot create the file");
  return file;
}

bool Exists(hid_t loc, std::string_view name) {
  SilenceErrors();
  // check each prefix: H5Lexists fails when an intermediate link is missing
  size_t pos = 0;
  while (true) {
    pos = name.find('/', pos + 1);
    const std::string prefix(name.substr(0, pos));
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) {
      TakeErrorMessage();
      return false;
    }
    if (pos == std::string_view::npos) return true;
  }
}

absl::StatusOr<bool> CheckedExists(hid_t loc, std::string_view name, const fs::path& file) {
  SilenceErrors();
  size_t pos = 0;
  while (true) {
    pos = name.find('/', pos + 1);
    const std::string prefix(name.substr(0, pos));
    const htri_t exists = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
    if (exists < 0) {
      return Error(absl::StatusCode::kDataLoss, file,
                   StrCat("cannot look up '", prefix, "' (damaged file?)"));
    }
    if (exists == 0) return false;
    if (pos == std::string_view::npos) return true;
  }
}

absl::StatusOr<bool> CheckedHasAttribute(hid_t loc, std::string_view name, const fs::path& file) {
  SilenceErrors();
  const htri_t exists = H5Aexists(loc, std::string(name).c_str());
  if (exists < 0) {
    return Error(absl::StatusCode::kDataLoss, file,
                 StrCat("cannot look up attribute '", name, "' (damaged file?)"));
  }
  return exists > 0;
}

bool IsGroup(hid_t loc, std::string_view name) {
  if (!Exists(loc, name)) return false;
  Id object(H5Oopen(loc, std::string(name).c_str(), H5P_DEFAULT));
  const bool group = object.valid() && H5Iget_type(object.get()) == H5I_GROUP;
  TakeErrorMessage();
  return group;
}

absl::StatusOr<std::vector<std::string>> ListGroup(hid_t loc, std::string_view name,
                                                   const fs::path& file) {
  SilenceErrors();
  const std::string group_name(name);
  H5G_info_t info;
  if (H5Gget_info_by_name(loc, group_name.c_str(), &info, H5P_DEFAULT) < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot list group '", name, "'"));
  }
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = H5Lget_name_by_idx(loc, group_name.c_str(), H5_INDEX_NAME, H5_ITER_INC, i,
                                            nullptr, 0, H5P_DEFAULT);
    if (size < 0 || size > 4096) {
      return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot list group '", name, "'"));
    }
    std::string link(static_cast<size_t>(size) + 1, '\0');
    H5Lget_name_by_idx(loc, group_name.c_str(), H5_INDEX_NAME, H5_ITER_INC, i, link.data(),
                       link.size(), H5P_DEFAULT);
    link.resize(static_cast<size_t>(size));
    names.push_back(std::move(link));
  }
  return names;
}

absl::StatusOr<Id> OpenDataset(hid_t loc, std::string_view name, const fs::path& file,
                               size_t chunk_cache_bytes) {
  SilenceErrors();
  IRLAB_ASSIGN_OR_RETURN(const bool exists, CheckedExists(loc, name, file));
  if (!exists) {
    return absl::InvalidArgumentError(StrCat(file.string(), ": dataset '", name, "' is missing"));
  }
  Id dapl(H5Pcreate(H5P_DATASET_ACCESS));
  // (w0 < 1: with 1.0, HDF5 1.10 keeps partially read chunks in every slot,
  // whatever the byte limit)
  if (chunk_cache_bytes > 0) H5Pset_chunk_cache(dapl.get(), 521, chunk_cache_bytes, 0.75);
  Id dataset(H5Dopen2(loc, std::string(name).c_str(), dapl.get()));
  if (!dataset.valid()) {
    return Error(absl::StatusCode::kInvalidArgument, file,
                 StrCat("'", name, "' is not a readable dataset"));
  }
  return dataset;
}

absl::StatusOr<DatasetInfo> Describe(hid_t dataset, std::string_view name, const fs::path& file) {
  SilenceErrors();
  Id type(H5Dget_type(dataset));
  Id space(H5Dget_space(dataset));
  if (!type.valid() || !space.valid()) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("dataset '", name, "' is unreadable"));
  }
  DatasetInfo info;
  info.kind = KindOf(type.get());
  info.element_size = H5Tget_size(type.get());
  info.type_name = TypeName(info.kind, info.element_size);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0 || rank > kMaxRank) {
    return Error(absl::StatusCode::kDataLoss, file,
                 StrCat("dataset '", name, "' has an unreadable shape"));
  }
  hsize_t dims[kMaxRank] = {};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  for (int i = 0; i < rank; ++i) info.dims.push_back(static_cast<int64_t>(dims[i]));
  Id dcpl(H5Dget_create_plist(dataset));
  if (dcpl.valid() && H5Pget_layout(dcpl.get()) == H5D_CHUNKED && rank > 0) {
    hsize_t chunk[kMaxRank] = {};
    if (H5Pget_chunk(dcpl.get(), rank, chunk) == rank)
      info.chunk_rows = static_cast<int64_t>(chunk[0]);
  }
  TakeErrorMessage();
  return info;
}

absl::StatusOr<int64_t> StoredChunks(hid_t dataset, std::string_view name, const fs::path& file) {
  SilenceErrors();
  hsize_t chunks = 0;
  Id space(H5Dget_space(dataset));
  if (!space.valid() || H5Dget_num_chunks(dataset, space.get(), &chunks) < 0) {
    return Error(absl::StatusCode::kDataLoss, file,
                 StrCat("cannot count the chunks of dataset '", name, "'"));
  }
  return static_cast<int64_t>(chunks);
}

int64_t ChunkRows(int64_t row_bytes) {
  constexpr int64_t kMaxChunkBytes = 512 << 10;
  int64_t rows = kBlockRows;
  while (rows > 1 && rows * row_bytes > kMaxChunkBytes) rows /= 2;
  return rows;
}

absl::StatusOr<Id> CreateRowDataset(hid_t loc, std::string_view name, hid_t file_type, int64_t cols,
                                    bool two_dimensional, const fs::path& file) {
  SilenceErrors();
  const int rank = two_dimensional ? 2 : 1;
  const hsize_t dims[2] = {0, static_cast<hsize_t>(cols)};
  const hsize_t max_dims[2] = {H5S_UNLIMITED, static_cast<hsize_t>(cols)};
  const int64_t row_bytes =
      static_cast<int64_t>(H5Tget_size(file_type)) * (two_dimensional ? cols : 1);
  const int64_t chunk_rows = ChunkRows(row_bytes);
  const hsize_t chunk[2] = {static_cast<hsize_t>(chunk_rows), static_cast<hsize_t>(cols)};
  Id space(H5Screate_simple(rank, dims, max_dims));
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
  Id lcpl(H5Pcreate(H5P_LINK_CREATE));
  Id dapl(H5Pcreate(H5P_DATASET_ACCESS));
  H5Pset_chunk(dcpl.get(), rank, chunk);
  H5Pset_shuffle(dcpl.get());
  H5Pset_deflate(dcpl.get(), kDeflateLevel);
  H5Pset_fletcher32(dcpl.get());
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  // the chunk being appended to stays cached until it is full
  H5Pset_chunk_cache(dapl.get(), 521, std::max<size_t>(1 << 20, 2 * chunk_rows * row_bytes), 0.75);
  Id dataset(H5Dcreate2(loc, std::string(name).c_str(), file_type, space.get(), lcpl.get(),
                        dcpl.get(), dapl.get()));
  if (!dataset.valid()) {
    return Error(absl::StatusCode::kUnavailable, file,
                 StrCat("cannot create dataset '", name, "'"));
  }
  return dataset;
}

absl::Status AppendRows(hid_t dataset, hid_t mem_type, int64_t rows, int64_t cols, const void* data,
                        std::string_view name, const fs::path& file) {
  SilenceErrors();
  if (rows == 0) return absl::OkStatus();
  Id space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  const hsize_t start[2] = {dims[0], 0};
  const hsize_t count[2] = {static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
  dims[0] += static_cast<hsize_t>(rows);
  if (H5Dset_extent(dataset, dims) < 0) {
    return Error(absl::StatusCode::kUnavailable, file,
                 StrCat("cannot extend dataset '", name, "'"));
  }
  Id file_space(H5Dget_space(dataset));
  Id mem_space(H5Screate_simple(rank, count, nullptr));
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
      H5Dwrite(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data) < 0) {
    return Error(absl::StatusCode::kUnavailable, file, StrCat("cannot write dataset '", name, "'"));
  }
  return absl::OkStatus();
}

absl::Status ReadRows(hid_t dataset, hid_t mem_type, int64_t begin, int64_t rows, void* out,
                      std::string_view name, const fs::path& file) {
  SilenceErrors();
  if (rows == 0) return absl::OkStatus();
  Id file_space(H5Dget_space(dataset));
  const int rank = file_space.valid() ? H5Sget_simple_extent_ndims(file_space.get()) : -1;
  if (rank != 1 && rank != 2) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("dataset '", name, "' is unreadable"));
  }
  hsize_t dims[2] = {0, 1};
  H5Sget_simple_extent_dims(file_space.get(), dims, nullptr);
  if (begin < 0 || rows < 0 || static_cast<hsize_t>(begin + rows) > dims[0]) {
    return absl::OutOfRangeError(StrCat(file.string(), ": dataset '", name, "': rows [", begin,
                                        ", ", begin + rows, ") are beyond its ", dims[0], " rows"));
  }
  const hsize_t start[2] = {static_cast<hsize_t>(begin), 0};
  const hsize_t count[2] = {static_cast<hsize_t>(rows), dims[1]};
  Id mem_space(H5Screate_simple(rank, count, nullptr));
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr) < 0 ||
      H5Dread(dataset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out) < 0) {
    return Error(absl::StatusCode::kDataLoss, file,
                 StrCat("cannot read rows [", begin, ", ", begin + rows, ") of dataset '", name,
                        "' (corrupt data?)"));
  }
  return absl::OkStatus();
}

Id FlagMemoryType(hid_t dataset) {
  SilenceErrors();
  Id type(H5Dget_type(dataset));
  if (type.valid() && H5Tget_class(type.get()) == H5T_ENUM && H5Tget_size(type.get()) == 1) {
    return Id(H5Tcopy(type.get()));
  }
  return Id();
}

Id BoolEnumType() {
  Id type(H5Tenum_create(H5T_STD_I8LE));
  int8_t value = 0;
  H5Tenum_insert(type.get(), "FALSE", &value);
  value = 1;
  H5Tenum_insert(type.get(), "TRUE", &value);
  return type;
}

namespace {

absl::Status WriteAttributeRaw(hid_t loc, std::string_view name, hid_t file_type, hid_t mem_type,
                               hid_t space, const void* data, const fs::path& file) {
  SilenceErrors();
  const std::string n(name);
  if (H5Aexists(loc, n.c_str()) > 0) H5Adelete(loc, n.c_str());
  Id attr(H5Acreate2(loc, n.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid() || H5Awrite(attr.get(), mem_type, data) < 0) {
    return Error(absl::StatusCode::kUnavailable, file,
                 StrCat("cannot write attribute '", name, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteAttribute(hid_t loc, std::string_view name, std::string_view value,
                            const fs::path& file) {
  Id type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), value.size() + 1);
  H5Tset_strpad(type.get(), H5T_STR_NULLTERM);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  Id space(H5Screate(H5S_SCALAR));
  const std::string terminated(value);
  return WriteAttributeRaw(loc, name, type.get(), type.get(), space.get(), terminated.c_str(),
                           file);
}

absl::Status WriteAttribute(hid_t loc, std::string_view name, int64_t value, const fs::path& file) {
  Id space(H5Screate(H5S_SCALAR));
  return WriteAttributeRaw(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), &value, file);
}

absl::Status WriteAttribute(hid_t loc, std::string_view name, uint64_t value,
                            const fs::path& file) {
  Id space(H5Screate(H5S_SCALAR));
  return WriteAttributeRaw(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, space.get(), &value, file);
}

absl::Status WriteAttribute(hid_t loc, std::string_view name, double value, const fs::path& file) {
  Id space(H5Screate(H5S_SCALAR));
  return WriteAttributeRaw(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), &value, file);
}

absl::Status WriteAttribute(hid_t loc, std::string_view name, const std::vector<double>& values,
                            const fs::path& file) {
  const hsize_t n = values.size();
  Id space(n == 0 ? H5Screate(H5S_NULL) : H5Screate_simple(1, &n, nullptr));
  return WriteAttributeRaw(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), values.data(),
                           file);
}

bool HasAttribute(hid_t loc, std::string_view name) {
  SilenceErrors();
  const bool exists = H5Aexists(loc, std::string(name).c_str()) > 0;
  TakeErrorMessage();
  return exists;
}

absl::StatusOr<std::string> ReadStringAttribute(hid_t loc, std::string_view name,
                                                const fs::path& file) {
  int64_t points = 0;
  IRLAB_ASSIGN_OR_RETURN(Id attr, OpenAttribute(loc, name, file, &points));
  Id type(H5Aget_type(attr.get()));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING || points != 1) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": attribute '", name, "' is not a string"));
  }
  if (H5Tis_variable_str(type.get()) > 0) {
    Id mem_type(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem_type.get(), H5T_VARIABLE);
    H5Tset_cset(mem_type.get(), H5Tget_cset(type.get()));
    char* text = nullptr;
    if (H5Aread(attr.get(), mem_type.get(), &text) < 0) {
      return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot read attribute '", name, "'"));
    }
    std::string value = text != nullptr ? std::string(text) : std::string();
    H5free_memory(text);
    return value;
  }
  const size_t size = H5Tget_size(type.get());
  if (size == 0 || size > kMaxAttributeBytes) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": attribute '", name, "' has an implausible size"));
  }
  std::string buffer(size + 1, '\0');
  Id mem_type(H5Tcopy(type.get()));
  if (H5Aread(attr.get(), mem_type.get(), buffer.data()) < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot read attribute '", name, "'"));
  }
  buffer.resize(std::min(buffer.find('\0'), size));
  return buffer;
}

absl::StatusOr<int64_t> ReadIntAttribute(hid_t loc, std::string_view name, const fs::path& file) {
  int64_t points = 0;
  IRLAB_ASSIGN_OR_RETURN(Id attr, OpenAttribute(loc, name, file, &points));
  Id type(H5Aget_type(attr.get()));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_INTEGER || points != 1) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": attribute '", name, "' is not one integer"));
  }
  int64_t value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot read attribute '", name, "'"));
  }
  return value;
}

absl::StatusOr<uint64_t> ReadUint64Attribute(hid_t loc, std::string_view name,
                                             const fs::path& file) {
  int64_t points = 0;
  IRLAB_ASSIGN_OR_RETURN(Id attr, OpenAttribute(loc, name, file, &points));
  Id type(H5Aget_type(attr.get()));
  if (!type.valid() || H5Tget_class(type.get()) != H5T_INTEGER || points != 1) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": attribute '", name, "' is not one integer"));
  }
  uint64_t value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_UINT64, &value) < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot read attribute '", name, "'"));
  }
  return value;
}

absl::StatusOr<double> ReadDoubleAttribute(hid_t loc, std::string_view name, const fs::path& file) {
  int64_t points = 0;
  IRLAB_ASSIGN_OR_RETURN(Id attr, OpenAttribute(loc, name, file, &points));
  Id type(H5Aget_type(attr.get()));
  const H5T_class_t cls = type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) || points != 1) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": attribute '", name, "' is not one number"));
  }
  double value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot read attribute '", name, "'"));
  }
  return value;
}

absl::StatusOr<std::vector<double>> ReadDoubleArrayAttribute(hid_t loc, std::string_view name,
                                                             const fs::path& file) {
  int64_t points = 0;
  IRLAB_ASSIGN_OR_RETURN(Id attr, OpenAttribute(loc, name, file, &points));
  Id type(H5Aget_type(attr.get()));
  const H5T_class_t cls = type.valid() ? H5Tget_class(type.get()) : H5T_NO_CLASS;
  if ((cls != H5T_FLOAT && cls != H5T_INTEGER) ||
      points > static_cast<int64_t>(kMaxAttributeBytes / sizeof(double))) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": attribute '", name, "' is not an array of numbers"));
  }
  std::vector<double> values(static_cast<size_t>(points));
  if (points > 0 && H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()) < 0) {
    return Error(absl::StatusCode::kDataLoss, file, StrCat("cannot read attribute '", name, "'"));
  }
  return values;
}

absl::Status WriteArray(hid_t loc, std::string_view name, hid_t file_type, hid_t mem_type,
                        int64_t rows, int64_t cols, bool two_dimensional, const void* data,
                        const fs::path& file) {
  auto dataset = CreateRowDataset(loc, name, file_type, cols, two_dimensional, file);
  if (!dataset.ok()) return dataset.status();
  return AppendRows(dataset->get(), mem_type, rows, cols, data, name, file);
}

}  // namespace irlab::h5
