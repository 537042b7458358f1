#include "data/convert_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>

#include "core/files.h"
#include "core/json.h"
#include "core/status.h"
#include "core/strings.h"
#include "data/demo_file.h"
#include "data/demo_writer.h"
#include "data/hdf5.h"
#include "data/metadata_io.h"

namespace irlab::convert {

namespace fs = std::filesystem;

// The note for float64 datasets among `columns`, which irlab stores as float32
// (its format's observations, actions and rewards are float32); nullopt when
// there are none.
std::optional<std::string> Float64Note(std::initializer_list<const Column*> columns) {
  std::string names;
  for (const Column* c : columns) {
    if (c && c->info.kind == h5::Kind::kFloat && c->info.element_size == 8) {
      StrAppend(&names, names.empty() ? "" : ", ", c->name);
    }
  }
  if (names.empty()) return std::nullopt;
  return StrCat("float64 data stored as float32 (about 7 significant digits kept): ", names);
}

// Opens a numeric dataset of rank 1 ([rows]) or 2 ([rows, width]).
absl::StatusOr<Column> OpenColumn(hid_t loc, const std::string& name, const fs::path& file) {
  Column c;
  c.name = name;
  IRLAB_ASSIGN_OR_RETURN(c.id, h5::OpenDataset(loc, name, file));
  IRLAB_ASSIGN_OR_RETURN(c.info, h5::Describe(c.id.get(), name, file));
  const h5::Kind kind = c.info.kind;
  if (kind != h5::Kind::kFloat && kind != h5::Kind::kSignedInt && kind != h5::Kind::kUnsignedInt &&
      kind != h5::Kind::kBoolEnum) {
    return absl::InvalidArgumentError(StrCat(file.string(), ": dataset '", name, "' is ",
                                             c.info.type_name, ", expected numbers"));
  }
  if (c.info.dims.empty() || c.info.dims.size() > 2) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": dataset '", name, "' has rank ", c.info.dims.size(),
               ", expected 1 or 2 (only flat vectors are supported)"));
  }
  c.rows = c.info.dims[0];
  c.width = c.info.dims.size() == 2 ? c.info.dims[1] : 1;
  if (c.width < 1) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": dataset '", name, "' has no columns"));
  }
  return c;
}

absl::Status ExpectRows(const Column& c, int64_t rows, std::string_view reference,
                        const fs::path& file) {
  if (c.rows == rows) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(file.string(), ": dataset '", c.name, "' has ", c.rows,
                                           " rows, expected ", rows, " (", reference, ")"));
}

absl::Status ExpectWidth(const Column& c, int64_t width, const fs::path& file) {
  if (c.width == width) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(file.string(), ": dataset '", c.name, "' has ", c.width,
                                           " columns, expected ", width));
}

// Reads 0/1 flags from bool, integer or float datasets.
absl::Status ReadFlags(const Column& c, int64_t begin, int64_t count, std::vector<uint8_t>& out,
                       const fs::path& file) {
  if (c.width != 1) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": dataset '", c.name, "' has ", c.width, " columns, expected 1"));
  }
  out.resize(count);
  if (c.info.kind == h5::Kind::kBoolEnum) {
    h5::Id type = h5::FlagMemoryType(c.id.get());
    IRLAB_RETURN_IF_ERROR(
        h5::ReadRows(c.id.get(), type.get(), begin, count, out.data(), c.name, file));
  } else {
    std::vector<double> values;
    IRLAB_RETURN_IF_ERROR(ReadColumn(c, begin, count, values, file));
    for (int64_t i = 0; i < count; ++i) {
      if (values[i] != 0.0 && values[i] != 1.0) {
        out[i] = 2;  // reported below
      } else {
        out[i] = static_cast<uint8_t>(values[i]);
      }
    }
  }
  for (int64_t i = 0; i < count; ++i) {
    if (out[i] > 1) {
      return absl::InvalidArgumentError(
          StrCat(file.string(), ": dataset '", c.name, "' row ", begin + i, " is neither 0 nor 1"));
    }
  }
  return absl::OkStatus();
}

// The metadata of a converted file: the task from --env or the file's own
// attributes, checked against the data's sizes.
absl::StatusOr<DemoMetadata> ResolveMetadata(hid_t root, const fs::path& in, DemoLayout from,
                                             const ConvertOptions& options, int64_t obs_dim,
                                             int64_t act_dim, int64_t nq, int64_t nv,
                                             std::string_view obs_name, std::string_view act_name) {
  DemoMetadata m;
  const bool has_attributes = HasTaskAttributes(root);
  if (has_attributes) {
    IRLAB_ASSIGN_OR_RETURN(m, ReadMetadataAttributes(root, in, /*irlab_layout=*/false));
  }
  if (options.task) {
    // the task and its spec from --env, the provenance from the file if any
    DemoMetadata t = *options.task;
    t.policy_run = m.policy_run;
    t.config_hash = m.config_hash;
    t.source = m.source;
    t.created = m.created;
    m = t;
  } else if (!has_attributes) {
    return absl::InvalidArgumentError(
        StrCat(in.string(), ": the file does not say which irlab task it holds; pass --env TASK"));
  }
  if (m.obs_dim != obs_dim) {
    return absl::InvalidArgumentError(StrCat(in.string(), ": dataset '", obs_name, "' has ",
                                             obs_dim, " columns but task ", m.task, " has obs_dim ",
                                             m.obs_dim));
  }
  if (m.act_dim != act_dim) {
    return absl::InvalidArgumentError(StrCat(in.string(), ": dataset '", act_name, "' has ",
                                             act_dim, " columns but task ", m.task, " has act_dim ",
                                             m.act_dim));
  }
  if (nq > 0 && options.task && options.task->nq > 0 &&
      (options.task->nq != nq || options.task->nv != nv)) {
    return absl::InvalidArgumentError(StrCat(in.string(), ": infos/qpos, infos/qvel have ", nq,
                                             " / ", nv, " columns but task ", m.task, " has nq ",
                                             options.task->nq, ", nv ", options.task->nv));
  }
  m.nq = static_cast<int>(nq);
  m.nv = static_cast<int>(nv);
  if (m.source.empty()) {
    m.source = StrCat("converted from ", DemoLayoutName(from), ": ", in.filename().string());
  }
  IRLAB_RETURN_IF_ERROR(CheckMetadata(m, in));
  return m;
}

}  // namespace irlab::convert
