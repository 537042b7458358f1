#include "viewer/recorder.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <system_error>

#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "viewer/gl_context.h"
#include "viewer/overlay.h"
#include "viewer/png.h"
#include "viewer/scene_renderer.h"
#include "viewer/video_writer.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

std::string FrameName(int64_t k) {
  char name[32];
  std::snprintf(name, sizeof(name), "frame_%06lld.png", static_cast<long long>(k));
  return name;
}

int FontScale(int height) {
  if (height >= 1400) return mjFONTSCALE_200;
  if (height >= 900) return mjFONTSCALE_150;
  return mjFONTSCALE_100;
}

}  // namespace

double DefaultFps(double dt) {
  if (!(dt > 0)) return 30;
  const double per_step = 1.0 / dt;
  if (per_step > 60) return 60;
  const double rounded = std::round(per_step);
  return std::abs(per_step - rounded) < 1e-6 ? rounded : per_step;
}

int64_t FramesPerEpisode(int64_t steps, double dt, double fps) {
  return static_cast<int64_t>(std::floor(steps * dt * fps + 1e-6)) + 1;
}

absl::Status CheckRecordOptions(const RecordOptions& options) {
  if (options.video.empty() == options.frames_dir.empty()) {
    return absl::InvalidArgumentError("give exactly one of a video file and a frames folder");
  }
  for (int size : {options.width, options.height}) {
    if (size < 16 || size > 8192) {
      return absl::InvalidArgumentError(
          StrCat("frame size ", options.width, "x", options.height, " is outside 16..8192"));
    }
  }
  if (options.fps < 0 || options.fps > 1000) {
    return absl::InvalidArgumentError(StrCat("fps ", options.fps, " is outside 0..1000"));
  }
  if (!options.video.empty()) return CheckVideoOutput(options.video, options.width, options.height);
  const fs::path& dir = options.frames_dir;
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return absl::InvalidArgumentError(StrCat(dir.string(), ": exists and is not a folder"));
    }
    if (::access(dir.c_str(), W_OK) != 0) {
      return absl::PermissionDeniedError(StrCat(dir.string(), ": folder is not writable"));
    }
    if (fs::exists(dir / FrameName(0), ec)) {
      return absl::AlreadyExistsError(StrCat(dir.string(), ": already holds frames (", FrameName(0),
                                             "); remove them or pick another folder"));
    }
    return absl::OkStatus();
  }
  // a new folder: its nearest existing ancestor must be writable ("frames/"
  // names the folder frames, whose parent is the working directory)
  fs::path target = dir.lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  fs::path parent = target.parent_path();
  while (!parent.empty() && !fs::exists(parent, ec) && parent != parent.parent_path()) {
    parent = parent.parent_path();
  }
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec) || ::access(parent.c_str(), W_OK) != 0) {
    return absl::PermissionDeniedError(
        StrCat("cannot create ", dir.string(), ": ", parent.string(), " is not a writable folder"));
  }
  return absl::OkStatus();
}

absl::StatusOr<RecordSummary> Record(EpisodeSource& source, const std::vector<int>& episodes,
                                     const RecordOptions& options,
                                     const std::function<void(const StepReadout&)>& on_episode) {
  IRLAB_RETURN_IF_ERROR(CheckRecordOptions(options));
  for (int e : episodes) {
    if (e < 0 || e >= source.num_episodes()) {
      return absl::OutOfRangeError(StrCat("episode ", e, " is out of range: there are ",
                                          source.num_episodes(), " episode(s), 0 to ",
                                          source.num_episodes() - 1));
    }
  }
  const int w = options.width, h = options.height;
  const double dt = source.env().spec().dt;
  RecordSummary summary;
  summary.fps = options.fps > 0 ? options.fps : DefaultFps(dt);

  // the hidden window only provides the context; frames go to the offscreen buffer
  IRLAB_ASSIGN_OR_RETURN(auto gl, GlWindow::Create({.width = 64, .height = 64, .visible = false}));
  IRLAB_ASSIGN_OR_RETURN(auto renderer, SceneRenderer::ForEnv(source.env(), w, h, FontScale(h)));
  renderer->UseOffscreen(true);

  std::unique_ptr<VideoWriter> video;
  if (!options.video.empty()) {
    IRLAB_ASSIGN_OR_RETURN(video, VideoWriter::Open(options.video, w, h, summary.fps));
  } else {
    IRLAB_RETURN_IF_ERROR(EnsureDirectory(options.frames_dir));
  }

  const mjrRect viewport = {0, 0, w, h};
  std::vector<uint8_t> rgb;
  for (int e : episodes) {
    IRLAB_RETURN_IF_ERROR(source.Start(e));
    for (int64_t k = 0;; ++k) {
      // the state index frame k shows
      const int64_t step = static_cast<int64_t>(std::floor(k / (summary.fps * dt) + 1e-6));
      while (source.readout().step < step && !source.readout().done()) {
        IRLAB_RETURN_IF_ERROR(source.Step());
      }
      if (source.readout().step < step) break;  // the episode ended before this frame
      IRLAB_RETURN_IF_ERROR(renderer->Sync(source.env()));
      renderer->Render(viewport, options.overlay ? StepOverlay(source) : OverlayText());
      renderer->ReadPixels(viewport, rgb);
      if (video) {
        IRLAB_RETURN_IF_ERROR(video->AddFrame(rgb));
      } else {
        IRLAB_RETURN_IF_ERROR(WritePng(options.frames_dir / FrameName(summary.frames), rgb, w, h));
      }
      ++summary.frames;
    }
    summary.episodes.push_back(source.readout());
    if (on_episode) on_episode(source.readout());
  }
  if (video) IRLAB_RETURN_IF_ERROR(video->Close());
  return summary;
}

}  // namespace irlab::viewer
