#include "data/demo_file.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/status.h"
#include "core/strings.h"
#include "data/hdf5.h"
#include "data/metadata_io.h"

namespace irlab {

namespace fs = std::filesystem;
namespace k = demo_keys;

namespace {

struct FieldSpec {
  const char* key;
  h5::Kind kind;
  size_t element_size;
  bool two_dimensional;
};

// Indexed by DemoField.
constexpr std::array<FieldSpec, kNumDemoFields> kFields = {{
    {k::kObservations, h5::Kind::kFloat, 4, true},
    {k::kActions, h5::Kind::kFloat, 4, true},
    {k::kRewards, h5::Kind::kFloat, 4, false},
    {k::kNextObservations, h5::Kind::kFloat, 4, true},
    {k::kTerminals, h5::Kind::kUnsignedInt, 1, false},
    {k::kTimeouts, h5::Kind::kUnsignedInt, 1, false},
    {k::kEpisodeIds, h5::Kind::kSignedInt, 8, false},
    {k::kQpos, h5::Kind::kFloat, 8, true},
    {k::kQvel, h5::Kind::kFloat, 8, true},
}};

hid_t MemoryType(DemoField field) {
  switch (kFields[static_cast<int>(field)].element_size) {
    case 1:
      return H5T_NATIVE_UINT8;
    case 4:
      return H5T_NATIVE_FLOAT;
    default:
      return field == DemoField::kEpisodeIds ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  }
}

std::string ExpectedType(h5::Kind kind, size_t size) {
  switch (kind) {
    case h5::Kind::kFloat:
      return StrCat("float", size * 8);
    case h5::Kind::kUnsignedInt:
      return StrCat("uint", size * 8);
    default:
      return StrCat("int", size * 8);
  }
}

// Opens `name` and checks its type, rank, rows and columns; `cols` 0 for 1-D.
absl::StatusOr<h5::Id> OpenChecked(hid_t file, const fs::path& path, const char* name,
                                   h5::Kind kind, size_t element_size, int64_t rows, int64_t cols,
                                   size_t cache_bytes, h5::DatasetInfo* info_out) {
  IRLAB_ASSIGN_OR_RETURN(h5::Id dataset, h5::OpenDataset(file, name, path, cache_bytes));
  IRLAB_ASSIGN_OR_RETURN(h5::DatasetInfo info, h5::Describe(dataset.get(), name, path));
  const std::string where = StrCat(path.string(), ": dataset '", name, "'");
  if (info.kind != kind || info.element_size != element_size) {
    return absl::InvalidArgumentError(
        StrCat(where, " is ", info.type_name, ", expected ", ExpectedType(kind, element_size)));
  }
  const size_t rank = cols > 0 ? 2 : 1;
  if (info.dims.size() != rank) {
    return absl::InvalidArgumentError(StrCat(where, " has rank ", info.dims.size(), ", expected ",
                                             rank, cols > 0 ? " ([rows, cols])" : " ([rows])"));
  }
  if (info.dims[0] != rows) {
    return absl::InvalidArgumentError(
        StrCat(where, " has ", info.dims[0], " rows, expected ", rows));
  }
  if (cols > 0 && info.dims[1] != cols) {
    return absl::InvalidArgumentError(
        StrCat(where, " has ", info.dims[1], " columns, expected ", cols));
  }
  // every row must be backed by stored data: a shortened file would
  // otherwise read back as zeros
  if (info.chunk_rows > 0) {
    IRLAB_ASSIGN_OR_RETURN(const int64_t stored, h5::StoredChunks(dataset.get(), name, path));
    const int64_t expected = (rows + info.chunk_rows - 1) / info.chunk_rows;
    if (stored < expected) {
      return absl::DataLossError(StrCat(where, " has ", stored, " of its ", expected,
                                        " chunks stored (truncated or damaged file)"));
    }
  } else if (rows > 0) {
    int64_t bytes = 0;
    if (__builtin_mul_overflow(rows, std::max<int64_t>(cols, 1), &bytes) ||
        __builtin_mul_overflow(bytes, static_cast<int64_t>(element_size), &bytes) ||
        static_cast<int64_t>(H5Dget_storage_size(dataset.get())) < bytes) {
      return absl::DataLossError(StrCat(where, " stores fewer bytes than its shape needs"));
    }
  }
  if (info_out != nullptr) *info_out = info;
  return dataset;
}

// Checks `count` values of a float or double row block for NaN/Inf.
template <class T>
absl::Status CheckFiniteRows(const std::vector<T>& values, int64_t width, int64_t first_row,
                             const fs::path& path, std::string_view name) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(StrCat(path.string(), ": dataset '", name, "' row ",
                                               first_row + static_cast<int64_t>(i) / width,
                                               " has a non-finite value (", values[i], ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view DemoFieldName(DemoField field) { return kFields[static_cast<int>(field)].key; }

struct DemoFile::Impl {
  h5::Id file;
  std::array<h5::Id, kNumDemoFields> datasets;
  std::array<int64_t, kNumDemoFields> widths{};
  std::array<int64_t, kNumDemoFields> chunk_rows{};
  h5::Id final_obs, final_qpos, final_qvel;
};

DemoFile::DemoFile() : impl_(std::make_unique<Impl>()) {}
DemoFile::~DemoFile() = default;

absl::StatusOr<std::unique_ptr<DemoFile>> DemoFile::Open(const fs::path& path,
                                                         const DemoOpenOptions& options) {
  std::unique_ptr<DemoFile> file(new DemoFile());
  file->path_ = path;
  IRLAB_ASSIGN_OR_RETURN(file->impl_->file, h5::OpenFile(path));
  IRLAB_RETURN_IF_ERROR(file->CheckStructure(options));
  IRLAB_RETURN_IF_ERROR(file->ReadEpisodeTable());
  if (options.validate) IRLAB_RETURN_IF_ERROR(file->Validate());
  return file;
}

absl::Status DemoFile::CheckStructure(const DemoOpenOptions& options) {
  const hid_t f = impl_->file.get();
  IRLAB_ASSIGN_OR_RETURN(metadata_, ReadMetadataAttributes(f, path_, /*irlab_layout=*/true));
  IRLAB_ASSIGN_OR_RETURN(num_transitions_, h5::ReadIntAttribute(f, k::kAttrNumTransitions, path_));
  IRLAB_ASSIGN_OR_RETURN(const int64_t num_episodes,
                         h5::ReadIntAttribute(f, k::kAttrNumEpisodes, path_));
  if (num_episodes == 0 || num_transitions_ == 0) {
    return absl::InvalidArgumentError(
        StrCat(path_.string(), ": dataset '", k::kEpisodeStart, "': the file has zero episodes"));
  }
  if (num_episodes < 0 || num_transitions_ < num_episodes) {
    return absl::InvalidArgumentError(StrCat(path_.string(), ": attributes say ", num_transitions_,
                                             " transitions in ", num_episodes,
                                             " episodes, which cannot be"));
  }
  num_episodes_attribute_ = num_episodes;  // checked against episodes/start before any sizing

  const DemoMetadata& m = metadata_;
  const std::array<int64_t, kNumDemoFields> widths = {m.obs_dim, m.act_dim, 1,    m.obs_dim, 1,
                                                      1,         1,         m.nq, m.nv};
  for (int i = 0; i < kNumDemoFields; ++i) {
    const auto field = static_cast<DemoField>(i);
    if ((field == DemoField::kQpos || field == DemoField::kQvel) && m.nq == 0) continue;
    const FieldSpec& spec = kFields[i];
    h5::DatasetInfo info;
    IRLAB_ASSIGN_OR_RETURN(
        impl_->datasets[i],
        OpenChecked(f, path_, spec.key, spec.kind, spec.element_size, num_transitions_,
                    spec.two_dimensional ? widths[i] : 0, options.chunk_cache_bytes, &info));
    impl_->widths[i] = widths[i];
    impl_->chunk_rows[i] = info.chunk_rows;
  }
  auto check_task_dim = [&](int expected, DemoField field, const char* what) -> absl::Status {
    const int64_t actual = impl_->widths[static_cast<int>(field)];
    if (expected <= 0 || expected == actual) return absl::OkStatus();
    return absl::InvalidArgumentError(StrCat(path_.string(), ": dataset '", DemoFieldName(field),
                                             "' has ", actual, " columns but the task's ", what,
                                             " is ", expected, " (demonstrations from '", m.task,
                                             "')"));
  };
  IRLAB_RETURN_IF_ERROR(
      check_task_dim(options.expected_obs_dim, DemoField::kObservations, "obs_dim"));
  IRLAB_RETURN_IF_ERROR(check_task_dim(options.expected_act_dim, DemoField::kActions, "act_dim"));
  return absl::OkStatus();
}

absl::Status DemoFile::ReadEpisodeTable() {
  const hid_t f = impl_->file.get();
  const int64_t e = num_episodes_attribute_;
  auto read_column = [&](const char* key, h5::Kind kind, hid_t mem_type,
                         void* out) -> absl::Status {
    IRLAB_ASSIGN_OR_RETURN(h5::Id dataset, OpenChecked(f, path_, key, kind, 8, e, 0, 0, nullptr));
    return h5::ReadRows(dataset.get(), mem_type, 0, e, out, key, path_);
  };
  // the attribute's count against the real extents of the four columns
  // (and their stored bytes) before the table is sized from it
  for (const auto& [key, kind] : {std::pair{k::kEpisodeStart, h5::Kind::kSignedInt},
                                  std::pair{k::kEpisodeLength, h5::Kind::kSignedInt},
                                  std::pair{k::kEpisodeReturn, h5::Kind::kFloat},
                                  std::pair{k::kEpisodeSeed, h5::Kind::kUnsignedInt}}) {
    IRLAB_RETURN_IF_ERROR(OpenChecked(f, path_, key, kind, 8, e, 0, 0, nullptr).status());
  }
  episodes_.start.resize(e);
  episodes_.length.resize(e);
  episodes_.ret.resize(e);
  episodes_.seed.resize(e);
  IRLAB_RETURN_IF_ERROR(read_column(k::kEpisodeStart, h5::Kind::kSignedInt, H5T_NATIVE_INT64,
                                    episodes_.start.data()));
  IRLAB_RETURN_IF_ERROR(read_column(k::kEpisodeLength, h5::Kind::kSignedInt, H5T_NATIVE_INT64,
                                    episodes_.length.data()));
  IRLAB_RETURN_IF_ERROR(
      read_column(k::kEpisodeReturn, h5::Kind::kFloat, H5T_NATIVE_DOUBLE, episodes_.ret.data()));
  IRLAB_RETURN_IF_ERROR(read_column(k::kEpisodeSeed, h5::Kind::kUnsignedInt, H5T_NATIVE_UINT64,
                                    episodes_.seed.data()));

  IRLAB_ASSIGN_OR_RETURN(impl_->final_obs,
                         OpenChecked(f, path_, k::kEpisodeFinalObservation, h5::Kind::kFloat, 4, e,
                                     metadata_.obs_dim, 0, nullptr));

  // back to back, each at least one step, covering every transition
  int64_t next = 0;
  for (int64_t i = 0; i < e; ++i) {
    const std::string where = StrCat(path_.string(), ": episode ", i, ": ");
    if (episodes_.start[i] != next) {
      return absl::InvalidArgumentError(StrCat(where, "dataset '", k::kEpisodeStart, "' says ",
                                               episodes_.start[i], ", expected ", next));
    }
    if (episodes_.length[i] < 1 || episodes_.length[i] > num_transitions_ - next) {
      return absl::InvalidArgumentError(StrCat(where, "dataset '", k::kEpisodeLength, "' says ",
                                               episodes_.length[i], ", which does not fit in ",
                                               num_transitions_, " transitions"));
    }
    if (!std::isfinite(episodes_.ret[i])) {
      return absl::InvalidArgumentError(
          StrCat(where, "dataset '", k::kEpisodeReturn, "' is not finite"));
    }
    next += episodes_.length[i];
  }
  if (next != num_transitions_) {
    return absl::InvalidArgumentError(StrCat(path_.string(), ": dataset '", k::kEpisodeLength,
                                             "' sums to ", next, ", but there are ",
                                             num_transitions_, " transitions"));
  }

  IRLAB_ASSIGN_OR_RETURN(const bool has_qpos, h5::CheckedExists(f, k::kEpisodeFinalQpos, path_));
  IRLAB_ASSIGN_OR_RETURN(const bool has_qvel, h5::CheckedExists(f, k::kEpisodeFinalQvel, path_));
  if (has_qpos != has_qvel) {
    return absl::InvalidArgumentError(StrCat(path_.string(), ": dataset '",
                                             has_qpos ? k::kEpisodeFinalQvel : k::kEpisodeFinalQpos,
                                             "' is missing (the other final state is there)"));
  }
  if (has_qpos && metadata_.nq > 0) {
    IRLAB_ASSIGN_OR_RETURN(impl_->final_qpos,
                           OpenChecked(f, path_, k::kEpisodeFinalQpos, h5::Kind::kFloat, 8, e,
                                       metadata_.nq, 0, nullptr));
    IRLAB_ASSIGN_OR_RETURN(impl_->final_qvel,
                           OpenChecked(f, path_, k::kEpisodeFinalQvel, h5::Kind::kFloat, 8, e,
                                       metadata_.nv, 0, nullptr));
    has_final_state_ = true;
  }
  return absl::OkStatus();
}

int64_t DemoFile::width(DemoField field) const { return impl_->widths[static_cast<int>(field)]; }

int64_t DemoFile::chunk_rows(DemoField field) const {
  return impl_->chunk_rows[static_cast<int>(field)];
}

absl::Status DemoFile::ReadField(DemoField field, int64_t begin, int64_t count, void* out,
                                 size_t out_size, size_t element_size) const {
  const int i = static_cast<int>(field);
  IRLAB_CHECK(impl_->datasets[i].valid(), "reading a field the file does not have");
  IRLAB_CHECK(kFields[i].element_size == element_size, "wrong element type for the field");
  IRLAB_CHECK(count >= 0 && out_size >= static_cast<size_t>(count * impl_->widths[i]),
              "output buffer too small");
  return h5::ReadRows(impl_->datasets[i].get(), MemoryType(field), begin, count, out,
                      kFields[i].key, path_);
}

absl::Status DemoFile::Read(DemoField field, int64_t begin, int64_t count,
                            std::span<float> out) const {
  return ReadField(field, begin, count, out.data(), out.size(), sizeof(float));
}
absl::Status DemoFile::Read(DemoField field, int64_t begin, int64_t count,
                            std::span<uint8_t> out) const {
  return ReadField(field, begin, count, out.data(), out.size(), sizeof(uint8_t));
}
absl::Status DemoFile::Read(DemoField field, int64_t begin, int64_t count,
                            std::span<int64_t> out) const {
  IRLAB_CHECK(field == DemoField::kEpisodeIds, "int64 is the episode ids' type");
  return ReadField(field, begin, count, out.data(), out.size(), sizeof(int64_t));
}
absl::Status DemoFile::Read(DemoField field, int64_t begin, int64_t count,
                            std::span<double> out) const {
  IRLAB_CHECK(field != DemoField::kEpisodeIds, "episode ids are int64");
  return ReadField(field, begin, count, out.data(), out.size(), sizeof(double));
}

absl::Status DemoFile::ReadFinalObservations(std::span<float> out) const {
  IRLAB_CHECK(out.size() >= static_cast<size_t>(num_episodes() * metadata_.obs_dim),
              "output buffer too small");
  return h5::ReadRows(impl_->final_obs.get(), H5T_NATIVE_FLOAT, 0, num_episodes(), out.data(),
                      k::kEpisodeFinalObservation, path_);
}

absl::Status DemoFile::ReadFinalState(std::span<double> final_qpos,
                                      std::span<double> final_qvel) const {
  IRLAB_CHECK(has_final_state_, "the file has no final states");
  const int64_t e = num_episodes();
  IRLAB_CHECK(final_qpos.size() >= static_cast<size_t>(e * metadata_.nq) &&
                  final_qvel.size() >= static_cast<size_t>(e * metadata_.nv),
              "output buffer too small");
  IRLAB_RETURN_IF_ERROR(h5::ReadRows(impl_->final_qpos.get(), H5T_NATIVE_DOUBLE, 0, e,
                                     final_qpos.data(), k::kEpisodeFinalQpos, path_));
  return h5::ReadRows(impl_->final_qvel.get(), H5T_NATIVE_DOUBLE, 0, e, final_qvel.data(),
                      k::kEpisodeFinalQvel, path_);
}

absl::Status DemoFile::Validate(const std::function<void(int64_t)>& progress) const {
  const DemoMetadata& m = metadata_;
  const int64_t n = num_transitions_;
  const int64_t od = m.obs_dim, ad = m.act_dim;
  const int64_t row_bytes = 4 * (2 * od + ad + 1) + 2 + 8 + 8 * (m.nq + m.nv);
  const int64_t block = std::clamp<int64_t>((16 << 20) / row_bytes, 256, 65536);
  std::vector<float> obs, act, rew, next;
  std::vector<uint8_t> term, timeout;
  std::vector<int64_t> ids;
  std::vector<double> qpos, qvel;
  std::vector<float> carry_next(od);  // next obs of the last row of the previous block
  bool carry = false;                 // the previous block ended inside an episode
  int64_t episode = 0;
  double ret = 0.0, abs_sum = 0.0;
  const std::string file = path_.string();
  std::vector<float> final_obs(num_episodes() * od);
  IRLAB_RETURN_IF_ERROR(ReadFinalObservations(final_obs));
  IRLAB_RETURN_IF_ERROR(CheckFiniteRows(final_obs, od, 0, path_, k::kEpisodeFinalObservation));

  for (int64_t begin = 0; begin < n; begin += block) {
    const int64_t rows = std::min(block, n - begin);
    obs.resize(rows * od);
    act.resize(rows * ad);
    rew.resize(rows);
    next.resize(rows * od);
    term.resize(rows);
    timeout.resize(rows);
    ids.resize(rows);
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kObservations, begin, rows, std::span<float>(obs)));
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kActions, begin, rows, std::span<float>(act)));
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kRewards, begin, rows, std::span<float>(rew)));
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kNextObservations, begin, rows, std::span<float>(next)));
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kTerminals, begin, rows, std::span<uint8_t>(term)));
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kTimeouts, begin, rows, std::span<uint8_t>(timeout)));
    IRLAB_RETURN_IF_ERROR(Read(DemoField::kEpisodeIds, begin, rows, std::span<int64_t>(ids)));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(obs, od, begin, path_, k::kObservations));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(act, ad, begin, path_, k::kActions));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(rew, 1, begin, path_, k::kRewards));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(next, od, begin, path_, k::kNextObservations));
    if (m.nq > 0) {
      qpos.resize(rows * m.nq);
      qvel.resize(rows * m.nv);
      IRLAB_RETURN_IF_ERROR(Read(DemoField::kQpos, begin, rows, std::span<double>(qpos)));
      IRLAB_RETURN_IF_ERROR(Read(DemoField::kQvel, begin, rows, std::span<double>(qvel)));
      IRLAB_RETURN_IF_ERROR(CheckFiniteRows(qpos, m.nq, begin, path_, k::kQpos));
      IRLAB_RETURN_IF_ERROR(CheckFiniteRows(qvel, m.nv, begin, path_, k::kQvel));
    }
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t row = begin + r;
      const int64_t step = row - episodes_.start[episode];
      const bool last = step == episodes_.length[episode] - 1;
      const std::string where = StrCat(" row ", row, " (episode ", episode, ", step ", step, ")");
      if (term[r] > 1 || timeout[r] > 1) {
        return absl::InvalidArgumentError(StrCat(file, ": dataset '",
                                                 term[r] > 1 ? k::kTerminals : k::kTimeouts, "'",
                                                 where, " is neither 0 nor 1"));
      }
      if ((term[r] || timeout[r]) != last) {
        return absl::InvalidArgumentError(
            StrCat(file, ": datasets 'terminals' / 'timeouts'", where,
                   last ? ": the episode's last step has neither flag set"
                        : ": a flag is set before the episode's last step"));
      }
      if (ids[r] != episode) {
        return absl::InvalidArgumentError(StrCat(file, ": dataset '", k::kEpisodeIds, "'", where,
                                                 " says ", ids[r], ", expected ", episode));
      }
      // next_observations[t - 1] must equal observations[t] inside an episode
      if (step > 0) {
        const float* prev_next = r > 0 ? &next[(r - 1) * od] : carry_next.data();
        if ((r > 0 || carry) && std::memcmp(prev_next, &obs[r * od], od * sizeof(float)) != 0) {
          return absl::InvalidArgumentError(
              StrCat(file, ": dataset '", k::kNextObservations, "' row ", row - 1,
                     " differs from observations row ", row, " inside episode ", episode));
        }
      }
      ret += rew[r];
      abs_sum += std::fabs(rew[r]);
      if (last && std::memcmp(&final_obs[episode * od], &next[r * od], od * sizeof(float)) != 0) {
        return absl::InvalidArgumentError(
            StrCat(file, ": dataset '", k::kEpisodeFinalObservation, "' row ", episode,
                   " differs from next_observations row ", row, " (the episode's last step)"));
      }
      if (last) {
        const double stored = episodes_.ret[episode];
        if (std::fabs(ret - stored) > 1e-4 * (1.0 + abs_sum)) {
          return absl::InvalidArgumentError(StrCat(file, ": dataset '", k::kEpisodeReturn,
                                                   "' says episode ", episode, " returned ", stored,
                                                   ", its rewards sum to ", ret));
        }
        ++episode;
        ret = abs_sum = 0.0;
      }
    }
    std::copy(next.end() - od, next.end(), carry_next.begin());
    carry = true;
    if (progress) progress(begin + rows);
  }
  if (has_final_state_) {
    std::vector<double> final_qpos(num_episodes() * m.nq), final_qvel(num_episodes() * m.nv);
    IRLAB_RETURN_IF_ERROR(ReadFinalState(final_qpos, final_qvel));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(final_qpos, m.nq, 0, path_, k::kEpisodeFinalQpos));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(final_qvel, m.nv, 0, path_, k::kEpisodeFinalQvel));
  }
  return absl::OkStatus();
}

}  // namespace irlab
