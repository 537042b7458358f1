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
#include "data/convert_io.h"
#include "data/demo_file.h"
#include "data/demo_writer.h"
#include "data/hdf5.h"
#include "data/metadata_io.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
namespace k = demo_keys;
using convert::DemoReader;
using convert::EpisodeSink;

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

class WriterSink : public EpisodeSink {
 public:
  explicit WriterSink(std::unique_ptr<DemoWriter> writer) : writer_(std::move(writer)) {}
  absl::Status Append(const Episode& episode) override { return writer_->Append(episode); }
  absl::Status Close() override { return writer_->Close(); }

 private:
  std::unique_ptr<DemoWriter> writer_;
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
      IRLAB_ASSIGN_OR_RETURN(source, convert::OpenD4rl(in, options));
      break;
    }
    case DemoLayout::kMinari: {
      IRLAB_ASSIGN_OR_RETURN(source, convert::OpenMinari(in, options));
      break;
    }
  }
  const DemoMetadata& metadata = source->metadata();

  std::unique_ptr<EpisodeSink> sink;
  if (to == DemoLayout::kMinari) {
    IRLAB_ASSIGN_OR_RETURN(sink, convert::CreateMinariSink(out, metadata, options));
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
