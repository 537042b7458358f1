// Reading D4RL's flat layout: episodes split where terminals or timeouts is set.
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

constexpr char kD4rlSeeds[] = "metadata/episode_seeds";
constexpr char kD4rlFinalQpos[] = "metadata/episode_final_qpos";
constexpr char kD4rlFinalQvel[] = "metadata/episode_final_qvel";

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

}  // namespace

absl::StatusOr<std::unique_ptr<DemoReader>> OpenD4rl(const fs::path& in,
                                                     const ConvertOptions& options) {
  return D4rlSource::Open(in, options);
}

}  // namespace irlab::convert
