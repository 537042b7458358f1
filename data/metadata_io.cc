#include "data/metadata_io.h"

#include <cmath>

#include "core/status.h"
#include "core/strings.h"
#include "data/hdf5.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
namespace k = demo_keys;

// Reads an optional attribute into `out`; a present but unreadable one is an error.
absl::Status ReadOptional(hid_t loc, const char* name, const fs::path& file, std::string& out) {
  IRLAB_ASSIGN_OR_RETURN(const bool present, h5::CheckedHasAttribute(loc, name, file));
  if (!present) return absl::OkStatus();
  IRLAB_ASSIGN_OR_RETURN(out, h5::ReadStringAttribute(loc, name, file));
  return absl::OkStatus();
}

absl::Status ReadOptional(hid_t loc, const char* name, const fs::path& file, double& out) {
  IRLAB_ASSIGN_OR_RETURN(const bool present, h5::CheckedHasAttribute(loc, name, file));
  if (!present) return absl::OkStatus();
  IRLAB_ASSIGN_OR_RETURN(out, h5::ReadDoubleAttribute(loc, name, file));
  return absl::OkStatus();
}

absl::Status ReadOptional(hid_t loc, const char* name, const fs::path& file,
                          std::vector<double>& out) {
  IRLAB_ASSIGN_OR_RETURN(const bool present, h5::CheckedHasAttribute(loc, name, file));
  if (!present) return absl::OkStatus();
  IRLAB_ASSIGN_OR_RETURN(out, h5::ReadDoubleArrayAttribute(loc, name, file));
  return absl::OkStatus();
}

// Reads a required int attribute that must lie in [lo, hi].
absl::StatusOr<int> ReadSize(hid_t loc, const char* name, const fs::path& file, int64_t lo,
                             int64_t hi) {
  IRLAB_ASSIGN_OR_RETURN(const int64_t value, h5::ReadIntAttribute(loc, name, file));
  if (value < lo || value > hi) {
    return absl::InvalidArgumentError(StrCat(file.string(), ": attribute '", name, "' is ", value,
                                             ", outside [", lo, ", ", hi, "]"));
  }
  return static_cast<int>(value);
}

constexpr int64_t kMaxDim = 1 << 20;

}  // namespace

absl::Status WriteMetadataAttributes(hid_t loc, const DemoMetadata& m, bool irlab_layout,
                                     const fs::path& file) {
  if (irlab_layout) {
    IRLAB_RETURN_IF_ERROR(
        h5::WriteAttribute(loc, k::kAttrFormat, std::string_view(kDemoFormatName), file));
    IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrFormatVersion, kDemoFormatVersion, file));
  }
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrTask, std::string_view(m.task), file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrObsDim, int64_t{m.obs_dim}, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrActDim, int64_t{m.act_dim}, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrNq, int64_t{m.nq}, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrNv, int64_t{m.nv}, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrDt, m.dt, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrHorizon, int64_t{m.horizon}, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrActLow, m.act_low, file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrActHigh, m.act_high, file));
  IRLAB_RETURN_IF_ERROR(
      h5::WriteAttribute(loc, k::kAttrEnvOptions, std::string_view(m.env_options), file));
  IRLAB_RETURN_IF_ERROR(
      h5::WriteAttribute(loc, k::kAttrPolicyRun, std::string_view(m.policy_run), file));
  IRLAB_RETURN_IF_ERROR(
      h5::WriteAttribute(loc, k::kAttrConfigHash, std::string_view(m.config_hash), file));
  IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(loc, k::kAttrSource, std::string_view(m.source), file));
  IRLAB_RETURN_IF_ERROR(
      h5::WriteAttribute(loc, k::kAttrCreated, std::string_view(m.created), file));
  IRLAB_RETURN_IF_ERROR(
      h5::WriteAttribute(loc, k::kAttrIrlabVersion, std::string_view(m.irlab_version), file));
  return absl::OkStatus();
}

absl::StatusOr<DemoMetadata> ReadMetadataAttributes(hid_t loc, const fs::path& file,
                                                    bool irlab_layout) {
  DemoMetadata m;
  if (irlab_layout) {
    IRLAB_ASSIGN_OR_RETURN(const bool has_format,
                           h5::CheckedHasAttribute(loc, k::kAttrFormat, file));
    if (!has_format) {
      return absl::InvalidArgumentError(
          StrCat(file.string(), ": not an irlab demonstration file (no '", k::kAttrFormat,
                 "' attribute); for Minari or D4RL files use irlab convert --from minari|d4rl"));
    }
    IRLAB_ASSIGN_OR_RETURN(const std::string format,
                           h5::ReadStringAttribute(loc, k::kAttrFormat, file));
    if (format != kDemoFormatName) {
      return absl::InvalidArgumentError(StrCat(file.string(), ": attribute 'format' is '", format,
                                               "', expected '", kDemoFormatName, "'"));
    }
    IRLAB_ASSIGN_OR_RETURN(m.format_version,
                           h5::ReadIntAttribute(loc, k::kAttrFormatVersion, file));
    if (m.format_version < 1 || m.format_version > kDemoFormatVersion) {
      return absl::InvalidArgumentError(StrCat(file.string(), ": format_version ", m.format_version,
                                               " is not supported (this irlab reads 1 to ",
                                               kDemoFormatVersion, ")"));
    }
  }
  IRLAB_ASSIGN_OR_RETURN(m.task, h5::ReadStringAttribute(loc, k::kAttrTask, file));
  IRLAB_ASSIGN_OR_RETURN(m.obs_dim, ReadSize(loc, k::kAttrObsDim, file, 1, kMaxDim));
  IRLAB_ASSIGN_OR_RETURN(m.act_dim, ReadSize(loc, k::kAttrActDim, file, 1, kMaxDim));
  IRLAB_ASSIGN_OR_RETURN(m.nq, ReadSize(loc, k::kAttrNq, file, 0, kMaxDim));
  IRLAB_ASSIGN_OR_RETURN(m.nv, ReadSize(loc, k::kAttrNv, file, 0, kMaxDim));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrDt, file, m.dt));
  IRLAB_ASSIGN_OR_RETURN(const bool has_horizon,
                         h5::CheckedHasAttribute(loc, k::kAttrHorizon, file));
  if (has_horizon) {
    IRLAB_ASSIGN_OR_RETURN(m.horizon, ReadSize(loc, k::kAttrHorizon, file, 0, int64_t{1} << 31));
  }
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrActLow, file, m.act_low));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrActHigh, file, m.act_high));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrEnvOptions, file, m.env_options));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrPolicyRun, file, m.policy_run));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrConfigHash, file, m.config_hash));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrSource, file, m.source));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrCreated, file, m.created));
  IRLAB_RETURN_IF_ERROR(ReadOptional(loc, k::kAttrIrlabVersion, file, m.irlab_version));
  IRLAB_RETURN_IF_ERROR(CheckMetadata(m, file));
  return m;
}

bool HasTaskAttributes(hid_t loc) {
  return h5::HasAttribute(loc, k::kAttrTask) && h5::HasAttribute(loc, k::kAttrObsDim) &&
         h5::HasAttribute(loc, k::kAttrActDim);
}

absl::Status CheckMetadata(const DemoMetadata& m, const fs::path& file) {
  auto bad = [&](std::string_view what) {
    return absl::InvalidArgumentError(StrCat(file.string(), ": ", what));
  };
  if (m.task.empty()) return bad("the task name is empty");
  if (m.obs_dim < 1 || m.act_dim < 1) {
    return bad(StrCat("obs_dim ", m.obs_dim, " / act_dim ", m.act_dim, " must be positive"));
  }
  if (m.nq < 0 || m.nv < 0 || (m.nq == 0) != (m.nv == 0)) {
    return bad(StrCat("nq ", m.nq, " / nv ", m.nv, " must both be positive or both 0"));
  }
  if (!std::isfinite(m.dt) || m.dt < 0) return bad("attribute 'dt' is not a finite time step");
  if (m.horizon < 0) return bad("attribute 'horizon' is negative");
  for (const auto* range : {&m.act_low, &m.act_high}) {
    if (!range->empty() && static_cast<int>(range->size()) != m.act_dim) {
      return bad(
          StrCat("act_low / act_high have ", range->size(), " entries, act_dim is ", m.act_dim));
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab
