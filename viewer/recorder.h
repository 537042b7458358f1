// Offscreen recording: plays episodes of an EpisodeSource without a window
// and writes the frames as a video (ffmpeg) or as numbered PNG files.
// Video time is simulation time: frame k shows the state at k / fps seconds
// into its episode (the last state reached by then), so an episode of T steps
// of dt seconds gives floor(T * dt * fps) + 1 frames, the first being the
// reset state. Episodes follow each other in one file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "viewer/episode_source.h"

namespace irlab::viewer {

struct RecordOptions {
  std::filesystem::path video{};       // a video file (.mp4, ...) through ffmpeg, or
  std::filesystem::path frames_dir{};  // a folder for frame_000000.png, frame_000001.png, ...
  int width = 640, height = 480;       // pixels
  double fps = 0;                      // frames per simulated second; 0: DefaultFps(dt)
  bool overlay = true;                 // draw the task / step / reward text
};

// One frame per env step when that is at most 60 frames per second
// (1 / dt, rounded when within 1e-6 of an integer), else 60.
double DefaultFps(double dt);

// Frames an episode of `steps` env steps gives at `fps`.
int64_t FramesPerEpisode(int64_t steps, double dt, double fps);

// Checks the output before anything is rendered: exactly one of video and
// frames_dir, sizes in [16, 8192], a writable place (see CheckVideoOutput),
// and a frames folder without earlier frames in it.
absl::Status CheckRecordOptions(const RecordOptions& options);

struct RecordSummary {
  int64_t frames = 0;
  double fps = 0;
  std::vector<StepReadout> episodes;  // the last readout of each episode recorded
};

// Renders `episodes` of `source` offscreen (a hidden GLFW window provides
// the OpenGL context: needs a display, e.g. Xvfb). `on_episode` is called
// after each episode.
absl::StatusOr<RecordSummary> Record(
    EpisodeSource& source, const std::vector<int>& episodes, const RecordOptions& options,
    const std::function<void(const StepReadout&)>& on_episode = nullptr);

}  // namespace irlab::viewer
