#include "viewer/video_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/str_format.h"
#include "core/files.h"
#include "core/strings.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

std::string Extension(const fs::path& path) {
  std::string ext = path.extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool IsH264Container(const std::string& ext) {
  return ext == "mp4" || ext == "mov" || ext == "mkv" || ext == "m4v";
}

// The last `max_bytes` of ffmpeg's log, for error messages ("" if unreadable).
std::string LogTail(const fs::path& log, size_t max_bytes = 2000) {
  std::ifstream in(log, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace

absl::Status CheckVideoOutput(const fs::path& path, int width, int height) {
  if (!FindInPath("ffmpeg")) {
    return absl::FailedPreconditionError(
        StrCat("cannot write ", path.string(),
               ": the ffmpeg command is not in PATH (Debian package "
               "ffmpeg; tools/setup.sh installs it); --frames DIR writes PNG frames without it"));
  }
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return absl::InvalidArgumentError(StrCat(path.string(), ": is a directory, not a video file"));
  }
  const std::string ext = Extension(path);
  if (ext.empty()) {
    return absl::InvalidArgumentError(
        StrCat(path.string(), ": no file extension to choose the video format by (e.g. .mp4)"));
  }
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(
        StrCat("cannot write ", path.string(), ": ", dir.string(),
               fs::exists(dir, ec) ? " is not a folder" : " does not exist"));
  }
  if (::access(dir.c_str(), W_OK) != 0) {
    return absl::PermissionDeniedError(
        StrCat("cannot write ", path.string(), ": folder ", dir.string(), " is not writable"));
  }
  if (IsH264Container(ext) && (width % 2 != 0 || height % 2 != 0)) {
    return absl::InvalidArgumentError(StrCat(path.string(),
                                             ": H.264 video needs an even width and "
                                             "height, got ",
                                             width, "x", height));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<VideoWriter>> VideoWriter::Open(const fs::path& path, int width,
                                                               int height, double fps) {
  if (absl::Status s = CheckVideoOutput(path, width, height); !s.ok()) return s;
  if (!(fps > 0)) return absl::InvalidArgumentError(StrCat(path.string(), ": fps must be > 0"));
  auto writer = std::unique_ptr<VideoWriter>(new VideoWriter());
  const std::string ext = Extension(path);
  writer->path_ = path;
  // keep the extension: ffmpeg picks the container by it
  writer->temp_path_ = fs::path(StrCat(TempPathFor(path).string(), ".", ext));
  writer->log_path_ = fs::path(StrCat(TempPathFor(path).string(), ".log"));
  writer->width_ = width;
  writer->height_ = height;
  std::vector<std::string> argv = {"ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                                   // raw frames on stdin
                                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
                                   StrCat(width, "x", height), "-framerate",
                                   absl::StrFormat("%.6g", fps), "-i", "-", "-an"};
  if (IsH264Container(ext)) {
    for (const char* a :
         {"-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p"}) {
      argv.push_back(a);
    }
    if (ext != "mkv") {
      argv.push_back("-movflags");
      argv.push_back("+faststart");
    }
  }
  argv.push_back(writer->temp_path_.string());
  SpawnOptions options;
  options.log = writer->log_path_;
  options.input_pipe = true;
  auto ffmpeg = Subprocess::Start(argv, options);
  if (!ffmpeg.ok()) {
    return absl::UnavailableError(StrCat(path.string(), ": ", ffmpeg.status().message()));
  }
  writer->ffmpeg_.emplace(std::move(*ffmpeg));
  return writer;
}

VideoWriter::~VideoWriter() {
  if (!closed_) Abandon();
}

void VideoWriter::Abandon() {
  closed_ = true;
  if (ffmpeg_) ffmpeg_->Wait();
  ffmpeg_.reset();
  std::error_code ec;
  fs::remove(temp_path_, ec);
  fs::remove(log_path_, ec);
}

absl::Status VideoWriter::AddFrame(std::span<const uint8_t> rgb) {
  if (closed_) return absl::FailedPreconditionError(StrCat(path_.string(), ": already closed"));
  if (rgb.size() != size_t(width_) * height_ * 3) {
    return absl::InvalidArgumentError(StrCat(path_.string(), ": frame of ", rgb.size(),
                                             " bytes, expected ", width_, "x", height_, "x3"));
  }
  if (absl::Status s = ffmpeg_->Write(rgb.data(), rgb.size()); !s.ok()) {
    const std::string log = LogTail(log_path_);
    Abandon();
    return absl::UnavailableError(
        StrCat(path_.string(), ": ", s.message(), log.empty() ? "" : ": ", log));
  }
  ++frames_;
  return absl::OkStatus();
}

absl::Status VideoWriter::Close() {
  if (closed_) return absl::FailedPreconditionError(StrCat(path_.string(), ": already closed"));
  if (frames_ == 0) {
    Abandon();
    return absl::FailedPreconditionError(StrCat(path_.string(), ": no frames to encode"));
  }
  const int code = ExitCodeOf(ffmpeg_->Wait());
  ffmpeg_.reset();
  if (code != 0) {
    const std::string log = LogTail(log_path_);
    Abandon();
    return absl::UnavailableError(StrCat(path_.string(), ": ffmpeg failed with exit code ", code,
                                         log.empty() ? "" : ": ", log));
  }
  std::error_code ec;
  fs::rename(temp_path_, path_, ec);
  if (ec) {
    Abandon();
    return absl::UnavailableError(StrCat(path_.string(), ": rename failed: ", ec.message()));
  }
  closed_ = true;
  fs::remove(log_path_, ec);
  return absl::OkStatus();
}

}  // namespace irlab::viewer
