#include "data/demo_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "data/hdf5.h"
#include "data/metadata_io.h"

namespace irlab {

namespace fs = std::filesystem;
namespace k = demo_keys;

// Keys of the episode information a D4RL export keeps beside the flat arrays.
namespace d4rl_keys {
inline constexpr char kEpisodeSeeds[] = "metadata/episode_seeds";
inline constexpr char kEpisodeFinalQpos[] = "metadata/episode_final_qpos";
inline constexpr char kEpisodeFinalQvel[] = "metadata/episode_final_qvel";
}  // namespace d4rl_keys

struct DemoWriter::Impl {
  h5::Id file;
  h5::Id observations, actions, rewards, next_observations, terminals, timeouts, episode_ids;
  h5::Id qpos, qvel;
  h5::Id flag_type;  // file and memory type of the flags: uint8, or bool for D4RL
};

void Episode::Clear() {
  observations.clear();
  actions.clear();
  rewards.clear();
  next_observations.clear();
  terminals.clear();
  timeouts.clear();
  qpos.clear();
  qvel.clear();
  final_qpos.clear();
  final_qvel.clear();
  seed = 0;
}

void Episode::AddStep(std::span<const float> obs, std::span<const float> action, float reward,
                      std::span<const float> next_obs, bool terminal, bool timeout,
                      std::span<const double> step_qpos, std::span<const double> step_qvel) {
  observations.insert(observations.end(), obs.begin(), obs.end());
  actions.insert(actions.end(), action.begin(), action.end());
  rewards.push_back(reward);
  next_observations.insert(next_observations.end(), next_obs.begin(), next_obs.end());
  terminals.push_back(terminal ? 1 : 0);
  timeouts.push_back(timeout ? 1 : 0);
  qpos.insert(qpos.end(), step_qpos.begin(), step_qpos.end());
  qvel.insert(qvel.end(), step_qvel.begin(), step_qvel.end());
}

namespace {

template <class T>
absl::Status CheckSize(const std::vector<T>& v, int64_t expected, std::string_view name,
                       std::string_view where) {
  if (static_cast<int64_t>(v.size()) == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat(where, ": '", name, "' has ", v.size(), " values, expected ", expected));
}

template <class T>
absl::Status CheckFinite(const std::vector<T>& v, int64_t width, std::string_view name,
                         std::string_view where) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      return absl::InvalidArgumentError(
          StrCat(where, ": '", name, "' step ", i / width, " has a non-finite value (", v[i], ")"));
    }
  }
  return absl::OkStatus();
}

// Flushes a closed file to disk.
absl::Status SyncFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(StrCat(path.string(), ": flush failed: ", std::strerror(err)));
  }
  ::close(fd);
  return absl::OkStatus();
}

// Moves the finished temporary file to `path`; without `overwrite` an
// existing file there is never replaced (link() fails if it exists).
absl::Status MoveIntoPlace(const fs::path& temp, const fs::path& path, bool overwrite) {
  if (!overwrite) {
    if (::link(temp.c_str(), path.c_str()) == 0) {
      ::unlink(temp.c_str());
      return absl::OkStatus();
    }
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(
          StrCat(path.string(), ": already exists (pass --overwrite to replace it)"));
    }
    // file systems without hard links: fall back to rename after a check
    std::error_code ec;
    if (fs::exists(path, ec)) {
      return absl::AlreadyExistsError(
          StrCat(path.string(), ": already exists (pass --overwrite to replace it)"));
    }
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(
        StrCat(path.string(), ": rename from ", temp.string(), " failed: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// An error about the temporary file, with the file it was to become named
// first: "demos.h5: cannot write it: .demos.h5.tmp.123: ...".
absl::Status NamingTarget(const fs::path& path, const absl::Status& s) {
  if (s.ok() || s.message().substr(0, path.string().size()) == path.string()) return s;
  return absl::Status(s.code(), StrCat(path.string(), ": cannot write it: ", s.message()));
}

}  // namespace

absl::Status CheckEpisodeArrays(const DemoMetadata& m, const Episode& ep, std::string_view where) {
  const int64_t t = ep.length();
  if (t < 1) return absl::InvalidArgumentError(StrCat(where, ": the episode has no steps"));
  IRLAB_RETURN_IF_ERROR(CheckSize(ep.observations, t * m.obs_dim, k::kObservations, where));
  IRLAB_RETURN_IF_ERROR(CheckSize(ep.actions, t * m.act_dim, k::kActions, where));
  IRLAB_RETURN_IF_ERROR(
      CheckSize(ep.next_observations, t * m.obs_dim, k::kNextObservations, where));
  IRLAB_RETURN_IF_ERROR(CheckSize(ep.terminals, t, k::kTerminals, where));
  IRLAB_RETURN_IF_ERROR(CheckSize(ep.timeouts, t, k::kTimeouts, where));
  IRLAB_RETURN_IF_ERROR(CheckSize(ep.qpos, t * m.nq, k::kQpos, where));
  IRLAB_RETURN_IF_ERROR(CheckSize(ep.qvel, t * m.nv, k::kQvel, where));
  if (!ep.final_qpos.empty() || !ep.final_qvel.empty()) {
    IRLAB_RETURN_IF_ERROR(CheckSize(ep.final_qpos, m.nq, "final_qpos", where));
    IRLAB_RETURN_IF_ERROR(CheckSize(ep.final_qvel, m.nv, "final_qvel", where));
  }
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.observations, m.obs_dim, k::kObservations, where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.actions, m.act_dim, k::kActions, where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.rewards, 1, k::kRewards, where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.next_observations, m.obs_dim, k::kNextObservations, where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.qpos, std::max(m.nq, 1), k::kQpos, where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.qvel, std::max(m.nv, 1), k::kQvel, where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.final_qpos, std::max(m.nq, 1), "final_qpos", where));
  IRLAB_RETURN_IF_ERROR(CheckFinite(ep.final_qvel, std::max(m.nv, 1), "final_qvel", where));
  for (int64_t i = 0; i < t; ++i) {
    const bool last = i == t - 1;
    if (ep.terminals[i] > 1 || ep.timeouts[i] > 1) {
      return absl::InvalidArgumentError(
          StrCat(where, ": step ", i, ": terminals / timeouts must be 0 or 1"));
    }
    const bool ends = ep.terminals[i] || ep.timeouts[i];
    if (ends != last) {
      return absl::InvalidArgumentError(StrCat(where, ": step ", i, " of ", t,
                                               ": terminals or timeouts must be set on the last ",
                                               "step and on no other"));
    }
  }
  const size_t d = m.obs_dim;
  for (int64_t i = 0; i + 1 < t; ++i) {
    if (std::memcmp(&ep.next_observations[i * d], &ep.observations[(i + 1) * d],
                    d * sizeof(float)) != 0) {
      return absl::InvalidArgumentError(
          StrCat(where, ": next_observations[", i, "] differs from observations[", i + 1, "]"));
    }
  }
  return absl::OkStatus();
}

DemoWriter::DemoWriter(fs::path path, DemoMetadata metadata, const DemoWriterOptions& options)
    : path_(std::move(path)),
      temp_path_(TempPathFor(path_)),
      metadata_(std::move(metadata)),
      options_(options),
      impl_(std::make_unique<Impl>()) {}

DemoWriter::~DemoWriter() {
  if (!closed_) Abandon();
}

void DemoWriter::Abandon() {
  impl_.reset();
  std::error_code ec;
  fs::remove(temp_path_, ec);
  closed_ = true;
}

absl::StatusOr<std::unique_ptr<DemoWriter>> DemoWriter::Create(const fs::path& path,
                                                               DemoMetadata metadata,
                                                               const DemoWriterOptions& options) {
  IRLAB_CHECK(options.layout != DemoLayout::kMinari, "Minari files are written by convert.h");
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": is a directory, not a file"));
  }
  if (!options.overwrite && fs::exists(path, ec)) {
    return absl::AlreadyExistsError(
        StrCat(path.string(), ": already exists (pass --overwrite to replace it)"));
  }
  const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(parent, ec)) {
    return absl::NotFoundError(
        StrCat(path.string(), ": folder ", parent.string(), " does not exist"));
  }
  IRLAB_RETURN_IF_ERROR(CheckMetadata(metadata, path));
  metadata.format_version = kDemoFormatVersion;
  metadata.irlab_version = std::string(IrlabVersion());
  if (metadata.created.empty()) metadata.created = UtcTimestamp();

  RemoveStaleTempFiles(path);  // what a killed collect or convert left
  std::unique_ptr<DemoWriter> writer(new DemoWriter(path, std::move(metadata), options));
  const fs::path& temp = writer->temp_path_;
  const DemoMetadata& m = writer->metadata_;
  const bool irlab = options.layout == DemoLayout::kIrlab;
  Impl& h = *writer->impl_;
  auto created = h5::CreateFile(temp);
  if (!created.ok()) return NamingTarget(path, created.status());
  h.file = std::move(*created);
  const hid_t f = h.file.get();
  h.flag_type = irlab ? h5::Id(H5Tcopy(H5T_STD_U8LE)) : h5::BoolEnumType();
  IRLAB_ASSIGN_OR_RETURN(h.observations,
                         h5::CreateRowDataset(f, k::kObservations, H5T_IEEE_F32LE, m.obs_dim,
                                              /*two_dimensional=*/true, temp));
  IRLAB_ASSIGN_OR_RETURN(h.actions, h5::CreateRowDataset(f, k::kActions, H5T_IEEE_F32LE, m.act_dim,
                                                         /*two_dimensional=*/true, temp));
  IRLAB_ASSIGN_OR_RETURN(h.rewards, h5::CreateRowDataset(f, k::kRewards, H5T_IEEE_F32LE, 1,
                                                         /*two_dimensional=*/false, temp));
  IRLAB_ASSIGN_OR_RETURN(h.next_observations,
                         h5::CreateRowDataset(f, k::kNextObservations, H5T_IEEE_F32LE, m.obs_dim,
                                              /*two_dimensional=*/true, temp));
  IRLAB_ASSIGN_OR_RETURN(h.terminals, h5::CreateRowDataset(f, k::kTerminals, h.flag_type.get(), 1,
                                                           /*two_dimensional=*/false, temp));
  IRLAB_ASSIGN_OR_RETURN(h.timeouts, h5::CreateRowDataset(f, k::kTimeouts, h.flag_type.get(), 1,
                                                          /*two_dimensional=*/false, temp));
  if (irlab) {
    IRLAB_ASSIGN_OR_RETURN(h.episode_ids, h5::CreateRowDataset(f, k::kEpisodeIds, H5T_STD_I64LE, 1,
                                                               /*two_dimensional=*/false, temp));
  }
  if (m.nq > 0) {
    IRLAB_ASSIGN_OR_RETURN(h.qpos, h5::CreateRowDataset(f, k::kQpos, H5T_IEEE_F64LE, m.nq,
                                                        /*two_dimensional=*/true, temp));
    IRLAB_ASSIGN_OR_RETURN(h.qvel, h5::CreateRowDataset(f, k::kQvel, H5T_IEEE_F64LE, m.nv,
                                                        /*two_dimensional=*/true, temp));
  }
  return writer;
}

absl::Status DemoWriter::CheckEpisode(const Episode& episode) const {
  const std::string where = StrCat(path_.string(), ": episode ", table_.size());
  IRLAB_RETURN_IF_ERROR(CheckEpisodeArrays(metadata_, episode, where));
  const bool has_final = !episode.final_qpos.empty();
  if (table_.size() > 0 && has_final != has_final_state_) {
    return absl::InvalidArgumentError(
        StrCat(where, ": final_qpos / final_qvel must be given for every episode or for none"));
  }
  return absl::OkStatus();
}

absl::Status DemoWriter::Append(const Episode& episode) {
  if (closed_) return absl::FailedPreconditionError(StrCat(path_.string(), ": writer is closed"));
  if (failed_) {
    return absl::FailedPreconditionError(StrCat(path_.string(), ": an earlier write failed"));
  }
  IRLAB_RETURN_IF_ERROR(CheckEpisode(episode));
  if (absl::Status s = WriteEpisode(episode); !s.ok()) {
    failed_ = true;  // the datasets may now disagree in length
    return NamingTarget(path_, s);
  }
  return absl::OkStatus();
}

absl::Status DemoWriter::WriteEpisode(const Episode& ep) {
  const int64_t t = ep.length();
  const DemoMetadata& m = metadata_;
  const fs::path& p = temp_path_;
  Impl& h = *impl_;
  IRLAB_RETURN_IF_ERROR(h5::AppendRows(h.observations.get(), H5T_NATIVE_FLOAT, t, m.obs_dim,
                                       ep.observations.data(), k::kObservations, p));
  IRLAB_RETURN_IF_ERROR(h5::AppendRows(h.actions.get(), H5T_NATIVE_FLOAT, t, m.act_dim,
                                       ep.actions.data(), k::kActions, p));
  IRLAB_RETURN_IF_ERROR(
      h5::AppendRows(h.rewards.get(), H5T_NATIVE_FLOAT, t, 1, ep.rewards.data(), k::kRewards, p));
  IRLAB_RETURN_IF_ERROR(h5::AppendRows(h.next_observations.get(), H5T_NATIVE_FLOAT, t, m.obs_dim,
                                       ep.next_observations.data(), k::kNextObservations, p));
  IRLAB_RETURN_IF_ERROR(h5::AppendRows(h.terminals.get(), h.flag_type.get(), t, 1,
                                       ep.terminals.data(), k::kTerminals, p));
  IRLAB_RETURN_IF_ERROR(h5::AppendRows(h.timeouts.get(), h.flag_type.get(), t, 1,
                                       ep.timeouts.data(), k::kTimeouts, p));
  if (h.episode_ids.valid()) {
    const std::vector<int64_t> ids(t, table_.size());
    IRLAB_RETURN_IF_ERROR(
        h5::AppendRows(h.episode_ids.get(), H5T_NATIVE_INT64, t, 1, ids.data(), k::kEpisodeIds, p));
  }
  if (m.nq > 0) {
    IRLAB_RETURN_IF_ERROR(
        h5::AppendRows(h.qpos.get(), H5T_NATIVE_DOUBLE, t, m.nq, ep.qpos.data(), k::kQpos, p));
    IRLAB_RETURN_IF_ERROR(
        h5::AppendRows(h.qvel.get(), H5T_NATIVE_DOUBLE, t, m.nv, ep.qvel.data(), k::kQvel, p));
  }
  double ret = 0.0;
  for (float r : ep.rewards) ret += r;
  if (table_.size() == 0) has_final_state_ = !ep.final_qpos.empty();
  table_.start.push_back(num_transitions_);
  table_.length.push_back(t);
  table_.ret.push_back(ret);
  table_.seed.push_back(ep.seed);
  final_obs_.insert(final_obs_.end(), ep.next_observations.end() - m.obs_dim,
                    ep.next_observations.end());
  final_qpos_.insert(final_qpos_.end(), ep.final_qpos.begin(), ep.final_qpos.end());
  final_qvel_.insert(final_qvel_.end(), ep.final_qvel.begin(), ep.final_qvel.end());
  num_transitions_ += t;
  return absl::OkStatus();
}

absl::Status DemoWriter::Finish() {
  const fs::path& p = temp_path_;
  const hid_t f = impl_->file.get();
  const int64_t e = table_.size();
  const bool has_final = has_final_state_ && metadata_.nq > 0;
  if (options_.layout == DemoLayout::kIrlab) {
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeStart, H5T_STD_I64LE, H5T_NATIVE_INT64, e, 1,
                                         /*two_dimensional=*/false, table_.start.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeLength, H5T_STD_I64LE, H5T_NATIVE_INT64, e,
                                         1, /*two_dimensional=*/false, table_.length.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeReturn, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, e,
                                         1, /*two_dimensional=*/false, table_.ret.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeSeed, H5T_STD_U64LE, H5T_NATIVE_UINT64, e, 1,
                                         /*two_dimensional=*/false, table_.seed.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeFinalObservation, H5T_IEEE_F32LE,
                                         H5T_NATIVE_FLOAT, e, metadata_.obs_dim,
                                         /*two_dimensional=*/true, final_obs_.data(), p));
    if (has_final) {
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeFinalQpos, H5T_IEEE_F64LE,
                                           H5T_NATIVE_DOUBLE, e, metadata_.nq,
                                           /*two_dimensional=*/true, final_qpos_.data(), p));
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, k::kEpisodeFinalQvel, H5T_IEEE_F64LE,
                                           H5T_NATIVE_DOUBLE, e, metadata_.nv,
                                           /*two_dimensional=*/true, final_qvel_.data(), p));
    }
  } else {
    // D4RL has no episode table (terminals | timeouts mark the ends); keep
    // what cannot be recomputed beside it
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, d4rl_keys::kEpisodeSeeds, H5T_STD_U64LE,
                                         H5T_NATIVE_UINT64, e, 1, /*two_dimensional=*/false,
                                         table_.seed.data(), p));
    if (has_final) {
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, d4rl_keys::kEpisodeFinalQpos, H5T_IEEE_F64LE,
                                           H5T_NATIVE_DOUBLE, e, metadata_.nq,
                                           /*two_dimensional=*/true, final_qpos_.data(), p));
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(f, d4rl_keys::kEpisodeFinalQvel, H5T_IEEE_F64LE,
                                           H5T_NATIVE_DOUBLE, e, metadata_.nv,
                                           /*two_dimensional=*/true, final_qvel_.data(), p));
    }
  }
  const bool irlab = options_.layout == DemoLayout::kIrlab;
  IRLAB_RETURN_IF_ERROR(WriteMetadataAttributes(f, metadata_, irlab, p));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(f, k::kAttrNumTransitions, num_transitions_, p));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(f, k::kAttrNumEpisodes, e, p));

  // close every dataset, then the file, and check that the close flushed
  h5::Id file = std::move(impl_->file);
  impl_.reset();
  if (H5Fclose(file.Release()) < 0) {
    return h5::Error(absl::StatusCode::kUnavailable, p, "closing the file failed");
  }
  IRLAB_RETURN_IF_ERROR(SyncFile(p));
  return MoveIntoPlace(p, path_, options_.overwrite);
}

absl::Status DemoWriter::Close() {
  if (closed_) return absl::FailedPreconditionError(StrCat(path_.string(), ": already closed"));
  absl::Status status;
  if (failed_) {
    status = absl::FailedPreconditionError(
        StrCat(path_.string(), ": not written because an earlier write failed"));
  } else if (table_.size() == 0) {
    status = absl::FailedPreconditionError(StrCat(path_.string(), ": no episodes to write"));
  } else {
    status = NamingTarget(path_, Finish());
  }
  if (!status.ok()) Abandon();  // removes the temporary file
  closed_ = true;
  return status;
}

}  // namespace irlab
