// Encodes RGB frames into a video file by piping them to Debian's `ffmpeg`
// command. The file is written under a temporary sibling name and renamed
// into place by Close(), so an interrupted recording leaves no half video.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>

#include "absl/status/statusor.h"
#include "core/process.h"

namespace irlab::viewer {

// Checks, before any rendering, that `path` can be written as a video:
// ffmpeg is installed, the folder exists and is writable, the path is not a
// folder, and H.264 containers (mp4, mov, mkv) get an even width and height.
absl::Status CheckVideoOutput(const std::filesystem::path& path, int width, int height);

class VideoWriter {
 public:
  // Starts ffmpeg for frames of width x height at `fps` frames per second.
  // The container follows the file extension (mp4, mov, mkv: H.264; others:
  // ffmpeg's default codec for it).
  static absl::StatusOr<std::unique_ptr<VideoWriter>> Open(const std::filesystem::path& path,
                                                           int width, int height, double fps);
  // Without a successful Close(), stops ffmpeg and removes the temporary file.
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  // Appends one frame: [height, width, 3] RGB, top row first.
  absl::Status AddFrame(std::span<const uint8_t> rgb);
  // Finishes the encoding and renames the file into place.
  absl::Status Close();

  int64_t frames() const { return frames_; }

 private:
  VideoWriter() = default;
  void Abandon();

  std::filesystem::path path_, temp_path_, log_path_;
  int width_ = 0, height_ = 0;
  std::optional<Subprocess> ffmpeg_;  // reading frames on its stdin
  int64_t frames_ = 0;
  bool closed_ = false;
};

}  // namespace irlab::viewer
