#include "data/convert.h"

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

namespace irlab {
namespace {

namespace fs = std::filesystem;
namespace k = demo_keys;

constexpr char kMinariFile[] = "main_data.hdf5";
constexpr char kD4rlSeeds[] = "metadata/episode_seeds";
constexpr char kD4rlFinalQpos[] = "metadata/episode_final_qpos";
constexpr char kD4rlFinalQvel[] = "metadata/episode_final_qvel";

// ---------------------------------------------------------------------------
// Reading numeric datasets of foreign files, whatever their numeric type.

struct Column {
  h5::Id id;
  h5::DatasetInfo info;
  std::string name;  // full path in the file, for messages
  int64_t rows = 0, width = 1;
};

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

template <class T>
absl::Status ReadColumn(const Column& c, int64_t begin, int64_t count, std::vector<T>& out,
                        const fs::path& file) {
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

// ---------------------------------------------------------------------------
// Sources: episodes one at a time.

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

class IrlabSource : public DemoReader {
 public:
  static absl::StatusOr<std::unique_ptr<DemoReader>> Open(const fs::path& in,
                                                             const ConvertOptions& options) {
    auto source = std::make_unique<IrlabSource>();
    IRLAB_ASSIGN_OR_RETURN(source->file_, DemoFile::Open(in));  // validated
    const DemoFile& f = *source->file_;
    source->metadata_ = f.metadata();
    if (options.task) {
      const DemoMetadata& t = *options.task;
      if (t.obs_dim != f.metadata().obs_dim || t.act_dim != f.metadata().act_dim) {
        return absl::InvalidArgumentError(
            StrCat(in.string(), ": dataset 'observations' / 'actions' have ", f.metadata().obs_dim,
                   " / ", f.metadata().act_dim, " columns but task ", t.task, " has obs_dim ",
                   t.obs_dim, ", act_dim ", t.act_dim));
      }
      DemoMetadata& m = source->metadata_;
      m.task = t.task;
      m.dt = t.dt;
      m.horizon = t.horizon;
      m.act_low = t.act_low;
      m.act_high = t.act_high;
      m.env_options = t.env_options;
    }
    if (f.has_final_state()) {
      source->final_qpos_.resize(f.num_episodes() * f.metadata().nq);
      source->final_qvel_.resize(f.num_episodes() * f.metadata().nv);
      IRLAB_RETURN_IF_ERROR(f.ReadFinalState(source->final_qpos_, source->final_qvel_));
    }
    return source;
  }

  int64_t num_episodes() const override { return file_->num_episodes(); }

  absl::Status Read(int64_t i, Episode& ep) override {
    const DemoFile& f = *file_;
    const DemoMetadata& m = f.metadata();
    const int64_t start = f.episodes().start[i], t = f.episodes().length[i];
    ep.Clear();
    ep.observations.resize(t * m.obs_dim);
    ep.actions.resize(t * m.act_dim);
    ep.rewards.resize(t);
    ep.next_observations.resize(t * m.obs_dim);
    ep.terminals.resize(t);
    ep.timeouts.resize(t);
    IRLAB_RETURN_IF_ERROR(
        f.Read(DemoField::kObservations, start, t, std::span<float>(ep.observations)));
    IRLAB_RETURN_IF_ERROR(f.Read(DemoField::kActions, start, t, std::span<float>(ep.actions)));
    IRLAB_RETURN_IF_ERROR(f.Read(DemoField::kRewards, start, t, std::span<float>(ep.rewards)));
    IRLAB_RETURN_IF_ERROR(
        f.Read(DemoField::kNextObservations, start, t, std::span<float>(ep.next_observations)));
    IRLAB_RETURN_IF_ERROR(
        f.Read(DemoField::kTerminals, start, t, std::span<uint8_t>(ep.terminals)));
    IRLAB_RETURN_IF_ERROR(f.Read(DemoField::kTimeouts, start, t, std::span<uint8_t>(ep.timeouts)));
    if (m.nq > 0) {
      ep.qpos.resize(t * m.nq);
      ep.qvel.resize(t * m.nv);
      IRLAB_RETURN_IF_ERROR(f.Read(DemoField::kQpos, start, t, std::span<double>(ep.qpos)));
      IRLAB_RETURN_IF_ERROR(f.Read(DemoField::kQvel, start, t, std::span<double>(ep.qvel)));
    }
    if (f.has_final_state()) {
      ep.final_qpos.assign(final_qpos_.begin() + i * m.nq, final_qpos_.begin() + (i + 1) * m.nq);
      ep.final_qvel.assign(final_qvel_.begin() + i * m.nv, final_qvel_.begin() + (i + 1) * m.nv);
    }
    ep.seed = f.episodes().seed[i];
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<DemoFile> file_;
  std::vector<double> final_qpos_, final_qvel_;
};

// The first non-finite value of `values` ([steps, width], read from dataset
// `name` from row `first_row` on) as an error naming the file's row.
template <class T>
absl::Status CheckFiniteRows(const std::vector<T>& values, int64_t width, const std::string& name,
                             int64_t first_row, int64_t episode, const fs::path& in) {
  if (width < 1) return absl::OkStatus();
  for (size_t k = 0; k < values.size(); ++k) {
    if (std::isfinite(values[k])) continue;
    const int64_t step = static_cast<int64_t>(k) / width;
    return absl::InvalidArgumentError(StrCat(in.string(), ": dataset '", name, "' row ", first_row + step,
                                             " column ", static_cast<int64_t>(k) % width,
                                             " has a non-finite value (", values[k], "); episode ",
                                             episode, " step ", step, " after splitting at the flags"));
  }
  return absl::OkStatus();
}

class D4rlSource : public DemoReader {
 public:
  static absl::StatusOr<std::unique_ptr<DemoReader>> Open(const fs::path& in,
                                                             const ConvertOptions& options) {
    auto s = std::make_unique<D4rlSource>();
    s->path_ = in;
    IRLAB_ASSIGN_OR_RETURN(s->file_, h5::OpenFile(in));
    const hid_t f = s->file_.get();
    IRLAB_ASSIGN_OR_RETURN(s->obs_, OpenColumn(f, k::kObservations, in));
    const int64_t n = s->obs_.rows;
    if (n == 0) {
      return absl::InvalidArgumentError(
          StrCat(in.string(), ": dataset 'observations' is empty: zero episodes"));
    }
    IRLAB_ASSIGN_OR_RETURN(s->act_, OpenColumn(f, k::kActions, in));
    IRLAB_ASSIGN_OR_RETURN(s->rew_, OpenColumn(f, k::kRewards, in));
    IRLAB_ASSIGN_OR_RETURN(s->term_, OpenColumn(f, k::kTerminals, in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(s->act_, n, "as observations", in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(s->rew_, n, "as observations", in));
    IRLAB_RETURN_IF_ERROR(ExpectWidth(s->rew_, 1, in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(s->term_, n, "as observations", in));
    if (h5::Exists(f, k::kTimeouts)) {
      IRLAB_ASSIGN_OR_RETURN(s->timeout_, OpenColumn(f, k::kTimeouts, in));
      IRLAB_RETURN_IF_ERROR(ExpectRows(*s->timeout_, n, "as observations", in));
    } else {
      s->notes_.push_back("no 'timeouts' dataset: episodes end only at terminals");
    }
    if (h5::Exists(f, k::kNextObservations)) {
      IRLAB_ASSIGN_OR_RETURN(s->next_, OpenColumn(f, k::kNextObservations, in));
      IRLAB_RETURN_IF_ERROR(ExpectRows(*s->next_, n, "as observations", in));
      IRLAB_RETURN_IF_ERROR(ExpectWidth(*s->next_, s->obs_.width, in));
    }
    if (auto note = Float64Note({&s->obs_, &s->act_, &s->rew_, s->next_ ? &*s->next_ : nullptr})) {
      s->notes_.push_back(*note);
    }
    int64_t nq = 0, nv = 0;
    if (h5::Exists(f, k::kQpos) && h5::Exists(f, k::kQvel)) {
      IRLAB_ASSIGN_OR_RETURN(s->qpos_, OpenColumn(f, k::kQpos, in));
      IRLAB_ASSIGN_OR_RETURN(s->qvel_, OpenColumn(f, k::kQvel, in));
      IRLAB_RETURN_IF_ERROR(ExpectRows(*s->qpos_, n, "as observations", in));
      IRLAB_RETURN_IF_ERROR(ExpectRows(*s->qvel_, n, "as observations", in));
      nq = s->qpos_->width;
      nv = s->qvel_->width;
    }
    IRLAB_ASSIGN_OR_RETURN(s->metadata_,
                           ResolveMetadata(f, in, DemoLayout::kD4rl, options, s->obs_.width,
                                           s->act_.width, nq, nv, k::kObservations, k::kActions));
    IRLAB_RETURN_IF_ERROR(s->FindEpisodes());
    IRLAB_RETURN_IF_ERROR(s->ReadStash());
    return s;
  }

  int64_t num_episodes() const override { return static_cast<int64_t>(spans_.size()); }

  absl::Status Read(int64_t i, Episode& ep) override {
    const Span& span = spans_[i];
    const int64_t t = span.length, start = span.start;
    const fs::path& in = path_;
    ep.Clear();
    IRLAB_RETURN_IF_ERROR(ReadColumn(obs_, start, t, ep.observations, in));
    IRLAB_RETURN_IF_ERROR(ReadColumn(act_, start, t, ep.actions, in));
    IRLAB_RETURN_IF_ERROR(ReadColumn(rew_, start, t, ep.rewards, in));
    // without next_observations the rows after each step are its next obs
    IRLAB_RETURN_IF_ERROR(
        ReadColumn(next_ ? *next_ : obs_, next_ ? start : start + 1, t, ep.next_observations, in));
    ep.terminals.assign(t, 0);
    ep.timeouts.assign(t, 0);
    ep.terminals[t - 1] = span.terminal;
    ep.timeouts[t - 1] = span.timeout;
    if (qpos_) {
      IRLAB_RETURN_IF_ERROR(ReadColumn(*qpos_, start, t, ep.qpos, in));
      IRLAB_RETURN_IF_ERROR(ReadColumn(*qvel_, start, t, ep.qvel, in));
    }
    // a non-finite value is reported at its row of the file, which the user
    // can look up, besides the episode and step the split gave it
    const int64_t od = metadata_.obs_dim, ad = metadata_.act_dim;
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(ep.observations, od, obs_.name, start, i, in));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(ep.actions, ad, act_.name, start, i, in));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(ep.rewards, 1, rew_.name, start, i, in));
    IRLAB_RETURN_IF_ERROR(CheckFiniteRows(ep.next_observations, od, next_ ? next_->name : obs_.name,
                                          next_ ? start : start + 1, i, in));
    if (qpos_) {
      IRLAB_RETURN_IF_ERROR(CheckFiniteRows(ep.qpos, metadata_.nq, qpos_->name, start, i, in));
      IRLAB_RETURN_IF_ERROR(CheckFiniteRows(ep.qvel, metadata_.nv, qvel_->name, start, i, in));
    }
    if (!seeds_.empty()) ep.seed = seeds_[i];
    if (!final_qpos_.empty()) {
      const int nq = metadata_.nq, nv = metadata_.nv;
      ep.final_qpos.assign(final_qpos_.begin() + i * nq, final_qpos_.begin() + (i + 1) * nq);
      ep.final_qvel.assign(final_qvel_.begin() + i * nv, final_qvel_.begin() + (i + 1) * nv);
    }
    return absl::OkStatus();
  }

 private:
  struct Span {
    int64_t start, length;
    uint8_t terminal, timeout;
  };

  // Splits the rows into episodes at terminals / timeouts (and where
  // next_observations stops matching the following observation).
  absl::Status FindEpisodes() {
    const int64_t n = obs_.rows, od = obs_.width;
    constexpr int64_t kBlock = 65536;
    std::vector<uint8_t> term, timeout;
    std::vector<float> obs, next, carry_next;
    int64_t start = 0, unflagged = 0;
    for (int64_t begin = 0; begin < n; begin += kBlock) {
      const int64_t rows = std::min(kBlock, n - begin);
      IRLAB_RETURN_IF_ERROR(ReadFlags(term_, begin, rows, term, path_));
      if (timeout_) {
        IRLAB_RETURN_IF_ERROR(ReadFlags(*timeout_, begin, rows, timeout, path_));
      } else {
        timeout.assign(rows, 0);
      }
      if (next_) {
        // one extra row of observations to compare the block's last next obs
        const int64_t extra = begin + rows < n ? 1 : 0;
        IRLAB_RETURN_IF_ERROR(ReadColumn(obs_, begin, rows + extra, obs, path_));
        IRLAB_RETURN_IF_ERROR(ReadColumn(*next_, begin, rows, next, path_));
      }
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t row = begin + r;
        bool ends = term[r] || timeout[r];
        uint8_t end_timeout = timeout[r];
        if (!ends && next_ && row + 1 < n &&
            std::memcmp(&next[r * od], &obs[(r + 1) * od], od * sizeof(float)) != 0) {
          ends = true;  // an episode boundary nobody flagged
          end_timeout = 1;
          ++unflagged;
        }
        if (!ends && row == n - 1) {
          ends = true;
          end_timeout = 1;
          notes_.push_back(StrCat("the last ", n - start,
                                  " rows end without a terminal or timeout flag: kept as a "
                                  "truncated episode"));
        }
        if (ends) {
          spans_.push_back({start, row + 1 - start, term[r], end_timeout});
          start = row + 1;
        }
      }
    }
    if (unflagged > 0) {
      notes_.push_back(StrCat(unflagged, " episode boundaries were found where next_observations ",
                              "does not continue into the next row; marked as timeouts"));
    }
    if (!next_) {
      // no next obs for an episode's last step: drop that step
      std::vector<Span> kept;
      for (const Span& s : spans_) {
        if (s.length > 1) kept.push_back({s.start, s.length - 1, 0, 1});
      }
      notes_.push_back(StrCat("no 'next_observations' dataset: dropped the last step of each of ",
                              spans_.size(), " episodes (", spans_.size() - kept.size(),
                              " one-step episodes removed); the new last steps are timeouts"));
      spans_ = std::move(kept);
    }
    if (spans_.empty()) {
      return absl::InvalidArgumentError(
          StrCat(path_.string(), ": dataset 'terminals': zero episodes"));
    }
    return absl::OkStatus();
  }

  // Episode information an irlab D4RL export keeps under metadata/.
  absl::Status ReadStash() {
    const hid_t f = file_.get();
    const int64_t e = num_episodes();
    if (h5::Exists(f, kD4rlSeeds)) {
      IRLAB_ASSIGN_OR_RETURN(h5::Id d, h5::OpenDataset(f, kD4rlSeeds, path_));
      IRLAB_ASSIGN_OR_RETURN(h5::DatasetInfo info, h5::Describe(d.get(), kD4rlSeeds, path_));
      if (info.dims.size() == 1 && info.dims[0] == e) {
        seeds_.resize(e);
        IRLAB_RETURN_IF_ERROR(
            h5::ReadRows(d.get(), H5T_NATIVE_UINT64, 0, e, seeds_.data(), kD4rlSeeds, path_));
      }
    }
    if (qpos_ && h5::Exists(f, kD4rlFinalQpos) && h5::Exists(f, kD4rlFinalQvel)) {
      IRLAB_ASSIGN_OR_RETURN(Column qp, OpenColumn(f, kD4rlFinalQpos, path_));
      IRLAB_ASSIGN_OR_RETURN(Column qv, OpenColumn(f, kD4rlFinalQvel, path_));
      if (qp.rows == e && qv.rows == e && qp.width == metadata_.nq && qv.width == metadata_.nv) {
        IRLAB_RETURN_IF_ERROR(ReadColumn(qp, 0, e, final_qpos_, path_));
        IRLAB_RETURN_IF_ERROR(ReadColumn(qv, 0, e, final_qvel_, path_));
      }
    }
    return absl::OkStatus();
  }

  fs::path path_;
  h5::Id file_;
  Column obs_, act_, rew_, term_;
  std::optional<Column> timeout_, next_, qpos_, qvel_;
  std::vector<Span> spans_;
  std::vector<uint64_t> seeds_;
  std::vector<double> final_qpos_, final_qvel_;
};

// "episode_12" -> 12; -1 for other names.
int64_t MinariEpisodeId(std::string_view name) {
  constexpr std::string_view kPrefix = "episode_";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.size() == kPrefix.size()) return -1;
  int64_t id = -1;
  const char* begin = name.data() + kPrefix.size();
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(begin, end, id);
  return ec == std::errc() && ptr == end ? id : -1;
}

class MinariSource : public DemoReader {
 public:
  static absl::StatusOr<std::unique_ptr<DemoReader>> Open(const fs::path& in,
                                                             const ConvertOptions& options) {
    auto s = std::make_unique<MinariSource>();
    s->path_ = in;
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      // a Minari dataset folder
      for (const fs::path& candidate : {in / "data" / kMinariFile, in / kMinariFile}) {
        if (fs::is_regular_file(candidate, ec)) s->path_ = candidate;
      }
      if (s->path_ == in) {
        return absl::InvalidArgumentError(StrCat(in.string(), ": is a directory without data/",
                                                 kMinariFile, " (not a Minari dataset)"));
      }
    }
    const fs::path& path = s->path_;
    IRLAB_ASSIGN_OR_RETURN(s->file_, h5::OpenFile(path));
    const hid_t f = s->file_.get();
    IRLAB_ASSIGN_OR_RETURN(const std::vector<std::string> names, h5::ListGroup(f, ".", path));
    for (const std::string& name : names) {
      const int64_t id = MinariEpisodeId(name);
      if (id >= 0 && h5::IsGroup(f, name)) s->episodes_.push_back({id, name});
    }
    std::sort(s->episodes_.begin(), s->episodes_.end());
    if (s->episodes_.empty()) {
      return absl::InvalidArgumentError(
          StrCat(path.string(), ": no episode_{id} groups: zero episodes (not a Minari file?)"));
    }
    // sizes from the first episode
    const std::string& first = s->episodes_[0].second;
    const std::string obs_name = first + "/observations";
    if (h5::IsGroup(f, obs_name)) {
      return absl::InvalidArgumentError(StrCat(path.string(), ": '", obs_name,
                                               "' is a group (a Dict or Tuple space); only Box "
                                               "observations are supported"));
    }
    IRLAB_ASSIGN_OR_RETURN(Column obs, OpenColumn(f, obs_name, path));
    IRLAB_ASSIGN_OR_RETURN(Column act, OpenColumn(f, first + "/actions", path));
    int64_t nq = 0, nv = 0;
    if (h5::Exists(f, first + "/infos/qpos") && h5::Exists(f, first + "/infos/qvel")) {
      IRLAB_ASSIGN_OR_RETURN(Column qpos, OpenColumn(f, first + "/infos/qpos", path));
      IRLAB_ASSIGN_OR_RETURN(Column qvel, OpenColumn(f, first + "/infos/qvel", path));
      nq = qpos.width;
      nv = qvel.width;
    }
    IRLAB_ASSIGN_OR_RETURN(Column rew, OpenColumn(f, first + "/rewards", path));
    if (auto note = Float64Note({&obs, &act, &rew})) s->notes_.push_back(*note);
    IRLAB_ASSIGN_OR_RETURN(
        s->metadata_, ResolveMetadata(f, path, DemoLayout::kMinari, options, obs.width, act.width,
                                      nq, nv, obs_name, first + "/actions"));
    return s;
  }

  int64_t num_episodes() const override { return static_cast<int64_t>(episodes_.size()); }

  absl::Status Read(int64_t i, Episode& ep) override {
    const hid_t f = file_.get();
    const fs::path& in = path_;
    const std::string& g = episodes_[i].second;
    const DemoMetadata& m = metadata_;
    IRLAB_ASSIGN_OR_RETURN(Column obs, OpenColumn(f, g + "/observations", in));
    IRLAB_ASSIGN_OR_RETURN(Column act, OpenColumn(f, g + "/actions", in));
    IRLAB_ASSIGN_OR_RETURN(Column rew, OpenColumn(f, g + "/rewards", in));
    IRLAB_ASSIGN_OR_RETURN(Column term, OpenColumn(f, g + "/terminations", in));
    IRLAB_ASSIGN_OR_RETURN(Column trunc, OpenColumn(f, g + "/truncations", in));
    const int64_t t = act.rows;
    if (t < 1) return absl::InvalidArgumentError(StrCat(in.string(), ": '", g, "' has no steps"));
    IRLAB_RETURN_IF_ERROR(ExpectWidth(obs, m.obs_dim, in));
    IRLAB_RETURN_IF_ERROR(ExpectWidth(act, m.act_dim, in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(obs, t + 1, "one more than actions: first to final obs", in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(rew, t, "as actions", in));
    IRLAB_RETURN_IF_ERROR(ExpectWidth(rew, 1, in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(term, t, "as actions", in));
    IRLAB_RETURN_IF_ERROR(ExpectRows(trunc, t, "as actions", in));
    ep.Clear();
    std::vector<float> all_obs;
    IRLAB_RETURN_IF_ERROR(ReadColumn(obs, 0, t + 1, all_obs, in));
    ep.observations.assign(all_obs.begin(), all_obs.end() - m.obs_dim);
    ep.next_observations.assign(all_obs.begin() + m.obs_dim, all_obs.end());
    IRLAB_RETURN_IF_ERROR(ReadColumn(act, 0, t, ep.actions, in));
    IRLAB_RETURN_IF_ERROR(ReadColumn(rew, 0, t, ep.rewards, in));
    IRLAB_RETURN_IF_ERROR(ReadFlags(term, 0, t, ep.terminals, in));
    IRLAB_RETURN_IF_ERROR(ReadFlags(trunc, 0, t, ep.timeouts, in));
    for (int64_t s = 0; s + 1 < t; ++s) {
      if (ep.terminals[s] || ep.timeouts[s]) {
        return absl::InvalidArgumentError(StrCat(in.string(), ": '", g, "/terminations' / '", g,
                                                 "/truncations': step ", s, " of ", t,
                                                 " ends the episode before its last step"));
      }
    }
    if (!ep.terminals[t - 1] && !ep.timeouts[t - 1]) {
      ep.timeouts[t - 1] = 1;
      ++unflagged_;
    }
    if (m.nq > 0) {
      IRLAB_ASSIGN_OR_RETURN(Column qpos, OpenColumn(f, g + "/infos/qpos", in));
      IRLAB_ASSIGN_OR_RETURN(Column qvel, OpenColumn(f, g + "/infos/qvel", in));
      IRLAB_RETURN_IF_ERROR(ExpectWidth(qpos, m.nq, in));
      IRLAB_RETURN_IF_ERROR(ExpectWidth(qvel, m.nv, in));
      if ((qpos.rows != t && qpos.rows != t + 1) || qvel.rows != qpos.rows) {
        return absl::InvalidArgumentError(StrCat(in.string(), ": '", g, "/infos/qpos' has ",
                                                 qpos.rows, " rows, expected ", t + 1, " or ", t));
      }
      std::vector<double> qp, qv;
      IRLAB_RETURN_IF_ERROR(ReadColumn(qpos, 0, qpos.rows, qp, in));
      IRLAB_RETURN_IF_ERROR(ReadColumn(qvel, 0, qvel.rows, qv, in));
      ep.qpos.assign(qp.begin(), qp.begin() + t * m.nq);
      ep.qvel.assign(qv.begin(), qv.begin() + t * m.nv);
      if (qpos.rows == t + 1) {
        ep.final_qpos.assign(qp.begin() + t * m.nq, qp.end());
        ep.final_qvel.assign(qv.begin() + t * m.nv, qv.end());
      }
    }
    const hid_t group = H5Gopen2(f, g.c_str(), H5P_DEFAULT);
    if (group >= 0) {
      h5::Id owned(group);
      if (h5::HasAttribute(group, "seed")) {
        auto seed = h5::ReadUint64Attribute(group, "seed", in);
        if (seed.ok()) ep.seed = *seed;
      }
    }
    h5::TakeErrorMessage();
    if (i + 1 == num_episodes() && unflagged_ > 0) {
      notes_.push_back(StrCat(unflagged_, " episodes end with neither termination nor ",
                              "truncation; marked as truncated"));
    }
    return absl::OkStatus();
  }

 private:
  fs::path path_;
  h5::Id file_;
  std::vector<std::pair<int64_t, std::string>> episodes_;  // (id, group name) by id
  int64_t unflagged_ = 0;
};

// ---------------------------------------------------------------------------
// Sinks.

class EpisodeSink {
 public:
  virtual ~EpisodeSink() = default;
  virtual absl::Status Append(const Episode& episode) = 0;
  virtual absl::Status Close() = 0;
};

class WriterSink : public EpisodeSink {
 public:
  explicit WriterSink(std::unique_ptr<DemoWriter> writer) : writer_(std::move(writer)) {}
  absl::Status Append(const Episode& episode) override { return writer_->Append(episode); }
  absl::Status Close() override { return writer_->Close(); }

 private:
  std::unique_ptr<DemoWriter> writer_;
};

// A number as Python's json writes it (Infinity for inf): Minari's space
// strings are read back with Python's json, and null bounds would become NaN
// there; the only JSON irlab writes outside nlohmann::json.
std::string JsonNumber(double v) {
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (std::isnan(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// Minari's serialisation of a float32 Box space.
std::string BoxSpaceJson(int dim, const std::vector<double>& low, const std::vector<double>& high) {
  std::string lows, highs;
  for (int i = 0; i < dim; ++i) {
    const char* sep = i > 0 ? ", " : "";
    StrAppend(&lows, sep, JsonNumber(low.empty() ? -INFINITY : low[i]));
    StrAppend(&highs, sep, JsonNumber(high.empty() ? INFINITY : high[i]));
  }
  return StrCat("{\"type\": \"Box\", \"dtype\": \"float32\", \"shape\": [", dim, "], \"low\": [",
                lows, "], \"high\": [", highs, "]}");
}

class MinariSink : public EpisodeSink {
 public:
  static absl::StatusOr<std::unique_ptr<EpisodeSink>> Create(const fs::path& out,
                                                             const DemoMetadata& metadata,
                                                             const ConvertOptions& options) {
    auto sink = std::unique_ptr<MinariSink>(new MinariSink());
    sink->out_ = out;
    sink->metadata_ = metadata;
    sink->overwrite_ = options.overwrite;
    const std::string ext = out.extension().string();
    sink->folder_ = ext != ".h5" && ext != ".hdf5";
    RemoveStaleTempFiles(out);  // what a killed convert left
    sink->temp_ = TempPathFor(out);
    fs::path file = sink->temp_;
    if (sink->folder_) {
      std::error_code ec;
      fs::create_directories(sink->temp_ / "data", ec);
      if (ec) {
        return absl::UnavailableError(
            StrCat(out.string(), ": cannot create ", sink->temp_.string(), ": ", ec.message()));
      }
      file = sink->temp_ / "data" / kMinariFile;
      sink->dataset_id_ = options.minari_dataset_id;
      if (sink->dataset_id_.empty()) {
        for (char c : metadata.task) sink->dataset_id_ += static_cast<char>(std::tolower(c));
        sink->dataset_id_ += "-irlab-v0";
      }
    }
    sink->file_path_ = file;
    IRLAB_ASSIGN_OR_RETURN(sink->file_, h5::CreateFile(file));
    sink->bool_ = h5::BoolEnumType();
    return std::unique_ptr<EpisodeSink>(std::move(sink));
  }

  ~MinariSink() override {
    if (!done_) {
      file_.Reset();
      std::error_code ec;
      fs::remove_all(temp_, ec);
    }
  }

  absl::Status Append(const Episode& ep) override {
    const DemoMetadata& m = metadata_;
    const fs::path& p = file_path_;
    const int64_t t = ep.length();
    const std::string g = StrCat("episode_", episodes_);
    h5::Id group(H5Gcreate2(file_.get(), g.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (!group.valid())
      return h5::Error(absl::StatusCode::kUnavailable, p, StrCat("cannot create group ", g));
    const hid_t gid = group.get();
    IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(gid, "id", episodes_, p));
    IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(gid, "seed", ep.seed, p));
    IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(gid, "total_steps", t, p));
    // observations: the first obs of each step, then the final next obs
    std::vector<float> obs(ep.observations);
    obs.insert(obs.end(), ep.next_observations.end() - m.obs_dim, ep.next_observations.end());
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "observations", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT,
                                         t + 1, m.obs_dim, true, obs.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "actions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t,
                                         m.act_dim, true, ep.actions.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "rewards", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t, 1,
                                         false, ep.rewards.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "terminations", bool_.get(), bool_.get(), t, 1, false,
                                         ep.terminals.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "truncations", bool_.get(), bool_.get(), t, 1, false,
                                         ep.timeouts.data(), p));
    if (m.nq > 0) {
      // Minari keeps T + 1 infos (reset, then each step) when the final state is known
      std::vector<double> qpos(ep.qpos), qvel(ep.qvel);
      qpos.insert(qpos.end(), ep.final_qpos.begin(), ep.final_qpos.end());
      qvel.insert(qvel.end(), ep.final_qvel.begin(), ep.final_qvel.end());
      const int64_t rows = ep.final_qpos.empty() ? t : t + 1;
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "infos/qpos", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           rows, m.nq, true, qpos.data(), p));
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "infos/qvel", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           rows, m.nv, true, qvel.data(), p));
    }
    ++episodes_;
    steps_ += t;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    const fs::path& p = file_path_;
    IRLAB_RETURN_IF_ERROR(WriteMetadataAttributes(file_.get(), metadata_, false, p));
    IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(file_.get(), "total_episodes", episodes_, p));
    IRLAB_RETURN_IF_ERROR(h5::WriteAttribute(file_.get(), "total_steps", steps_, p));
    if (H5Fclose(file_.Release()) < 0) {
      return h5::Error(absl::StatusCode::kUnavailable, p, "closing the file failed");
    }
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
      if (fd >= 0) ::close(fd);
      return absl::UnavailableError(StrCat(p.string(), ": flush failed"));
    }
    ::close(fd);
    if (folder_) IRLAB_RETURN_IF_ERROR(WriteMetadataJson());
    IRLAB_RETURN_IF_ERROR(MoveIntoPlace());
    done_ = true;
    return absl::OkStatus();
  }

 private:
  MinariSink() = default;

  absl::Status WriteMetadataJson() {
    const DemoMetadata& m = metadata_;
    const Json json{{"dataset_id", dataset_id_},
                    {"total_episodes", episodes_},
                    {"total_steps", steps_},
                    {"data_format", "hdf5"},
                    {"observation_space", BoxSpaceJson(m.obs_dim, {}, {})},
                    {"action_space", BoxSpaceJson(m.act_dim, m.act_low, m.act_high)},
                    {"minari_version", ">=0.4.0"},
                    {"author", "irlab"},
                    {"algorithm_name", m.source},
                    {"irlab_task", m.task}};
    return WriteJsonFile(temp_ / "data" / "metadata.json", json);
  }

  absl::Status MoveIntoPlace() {
    std::error_code ec;
    const bool exists = fs::exists(out_, ec);
    if (exists && !overwrite_) {
      return absl::AlreadyExistsError(
          StrCat(out_.string(), ": already exists (pass --overwrite to replace it)"));
    }
    if (exists && folder_ && fs::is_directory(out_, ec)) {
      // move the old folder aside, the new one in, then delete the old one
      const fs::path old = TempPathFor(out_).string() + ".old";
      if (::rename(out_.c_str(), old.c_str()) != 0 || ::rename(temp_.c_str(), out_.c_str()) != 0) {
        return absl::UnavailableError(
            StrCat(out_.string(), ": cannot replace: ", std::strerror(errno)));
      }
      fs::remove_all(old, ec);
      return absl::OkStatus();
    }
    if (::rename(temp_.c_str(), out_.c_str()) != 0) {
      return absl::UnavailableError(StrCat(out_.string(), ": rename from ", temp_.string(),
                                           " failed: ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

  fs::path out_, temp_, file_path_;
  DemoMetadata metadata_;
  bool overwrite_ = false, folder_ = false, done_ = false;
  std::string dataset_id_;
  h5::Id file_, bool_;
  int64_t episodes_ = 0, steps_ = 0;
};

}  // namespace

absl::StatusOr<ConvertSummary> ConvertDemos(DemoLayout from, const fs::path& in, DemoLayout to,
                                            const fs::path& out, const ConvertOptions& options) {
  h5::SilenceErrors();
  // refuse an existing output before reading anything
  std::error_code ec;
  if (fs::exists(out, ec)) {
    const bool minari_folder =
        to == DemoLayout::kMinari && out.extension() != ".h5" && out.extension() != ".hdf5";
    if (fs::is_directory(out, ec) && !minari_folder) {
      return absl::InvalidArgumentError(StrCat(out.string(), ": is a directory, not a file"));
    }
    if (!options.overwrite) {
      return absl::AlreadyExistsError(
          StrCat(out.string(), ": already exists (pass --overwrite to replace it)"));
    }
  }
  // (in == out is allowed with --overwrite: the output is written aside and
  // renamed over the input only once complete)

  std::unique_ptr<DemoReader> source;
  switch (from) {
    case DemoLayout::kIrlab: {
      IRLAB_ASSIGN_OR_RETURN(source, IrlabSource::Open(in, options));
      break;
    }
    case DemoLayout::kD4rl: {
      IRLAB_ASSIGN_OR_RETURN(source, D4rlSource::Open(in, options));
      break;
    }
    case DemoLayout::kMinari: {
      IRLAB_ASSIGN_OR_RETURN(source, MinariSource::Open(in, options));
      break;
    }
  }
  const DemoMetadata& metadata = source->metadata();

  std::unique_ptr<EpisodeSink> sink;
  if (to == DemoLayout::kMinari) {
    IRLAB_ASSIGN_OR_RETURN(sink, MinariSink::Create(out, metadata, options));
  } else {
    DemoWriterOptions writer_options;
    writer_options.overwrite = options.overwrite;
    writer_options.layout = to;
    IRLAB_ASSIGN_OR_RETURN(std::unique_ptr<DemoWriter> writer,
                           DemoWriter::Create(out, metadata, writer_options));
    sink = std::make_unique<WriterSink>(std::move(writer));
  }

  ConvertSummary summary;
  Episode episode;
  for (int64_t i = 0; i < source->num_episodes(); ++i) {
    IRLAB_RETURN_IF_ERROR(source->Read(i, episode));
    // checked here so errors name the input, then again by the writer
    IRLAB_RETURN_IF_ERROR(
        CheckEpisodeArrays(metadata, episode, StrCat(in.string(), ": episode ", i)));
    IRLAB_RETURN_IF_ERROR(sink->Append(episode));
    ++summary.episodes;
    summary.transitions += episode.length();
  }
  IRLAB_RETURN_IF_ERROR(sink->Close());
  summary.notes = source->notes();
  return summary;
}

}  // namespace irlab
