// Reading and writing Minari's layout: one HDF5 group per episode, alone or in
// a dataset folder beside metadata.json.
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
#include "data/convert_io.h"
#include "data/demo_file.h"
#include "data/demo_writer.h"
#include "data/hdf5.h"
#include "data/metadata_io.h"

namespace irlab::convert {
namespace {

namespace fs = std::filesystem;
namespace k = demo_keys;

constexpr char kMinariFile[] = "main_data.hdf5";

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
                                         t + 1, m.obs_dim, /*two_dimensional=*/true, obs.data(),
                                         p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "actions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t,
                                         m.act_dim, /*two_dimensional=*/true, ep.actions.data(),
                                         p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "rewards", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t, 1,
                                         /*two_dimensional=*/false, ep.rewards.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "terminations", bool_.get(), bool_.get(), t, 1,
                                         /*two_dimensional=*/false, ep.terminals.data(), p));
    IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "truncations", bool_.get(), bool_.get(), t, 1,
                                         /*two_dimensional=*/false, ep.timeouts.data(), p));
    if (m.nq > 0) {
      // Minari keeps T + 1 infos (reset, then each step) when the final state is known
      std::vector<double> qpos(ep.qpos), qvel(ep.qvel);
      qpos.insert(qpos.end(), ep.final_qpos.begin(), ep.final_qpos.end());
      qvel.insert(qvel.end(), ep.final_qvel.begin(), ep.final_qvel.end());
      const int64_t rows = ep.final_qpos.empty() ? t : t + 1;
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "infos/qpos", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           rows, m.nq, /*two_dimensional=*/true, qpos.data(), p));
      IRLAB_RETURN_IF_ERROR(h5::WriteArray(gid, "infos/qvel", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                           rows, m.nv, /*two_dimensional=*/true, qvel.data(), p));
    }
    ++episodes_;
    steps_ += t;
    return absl::OkStatus();
  }

  absl::Status Close() override {
    const fs::path& p = file_path_;
    IRLAB_RETURN_IF_ERROR(
        WriteMetadataAttributes(file_.get(), metadata_, /*irlab_layout=*/false, p));
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

absl::StatusOr<std::unique_ptr<DemoReader>> OpenMinari(const fs::path& in,
                                                       const ConvertOptions& options) {
  return MinariSource::Open(in, options);
}

absl::StatusOr<std::unique_ptr<EpisodeSink>> CreateMinariSink(const fs::path& out,
                                                              const DemoMetadata& metadata,
                                                              const ConvertOptions& options) {
  return MinariSink::Create(out, metadata, options);
}

}  // namespace irlab::convert
