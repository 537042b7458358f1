// Helpers for the viewer tests: scratch folders, running the irlab binary
// and ffprobe, and simple image statistics.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "gtest/gtest.h"

namespace irlab::viewer::testing {

// A fresh folder for the running test.
inline std::filesystem::path TestDir() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) /
      StrCat("irlab_viewer_", ::getpid(), "_", info ? info->test_suite_name() : "suite", "_",
             info ? info->name() : "setup", "_", counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command line, capturing stdout and stderr.
inline CommandResult Run(const std::string& command_line) {
  CommandResult run;
  FILE* pipe = ::popen(StrCat(command_line, " 2>&1").c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

inline CommandResult Irlab(const std::string& args) { return Run(StrCat(IRLAB_BINARY, " ", args)); }

struct VideoFacts {
  int frames = -1, width = -1, height = -1;
  std::string codec;
};

// `text` quoted for a POSIX shell.
inline std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Decodes the whole video (or image) with ffprobe and counts its frames.
inline VideoFacts Probe(const std::filesystem::path& video) {
  const CommandResult r =
      Run(StrCat("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                 "stream=nb_read_frames,width,height,codec_name -of default=noprint_wrappers=1 ",
                 ShellQuote(video.string())));
  VideoFacts facts;
  if (r.code != 0) return facts;
  size_t at = 0;
  while (at < r.output.size()) {
    size_t end = r.output.find('\n', at);
    if (end == std::string::npos) end = r.output.size();
    const std::string line = r.output.substr(at, end - at);
    const size_t eq = line.find('=');
    if (eq != std::string::npos) {
      const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
      if (key == "nb_read_frames") facts.frames = std::atoi(value.c_str());
      if (key == "width") facts.width = std::atoi(value.c_str());
      if (key == "height") facts.height = std::atoi(value.c_str());
      if (key == "codec_name") facts.codec = value;
    }
    at = end + 1;
  }
  return facts;
}

// Distinct RGB colours in an image.
inline int DistinctColors(const std::vector<uint8_t>& rgb) {
  std::set<uint32_t> colours;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) {
    colours.insert(uint32_t(rgb[i]) << 16 | uint32_t(rgb[i + 1]) << 8 | rgb[i + 2]);
  }
  return static_cast<int>(colours.size());
}

// Fraction of pixels whose colour differs by more than `threshold` in some channel.
inline double FractionDiffering(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b,
                                int threshold = 24) {
  if (a.size() != b.size() || a.empty()) return 0;
  size_t differing = 0;
  for (size_t i = 0; i + 2 < a.size(); i += 3) {
    for (int c = 0; c < 3; ++c) {
      if (std::abs(int(a[i + c]) - int(b[i + c])) > threshold) {
        ++differing;
        break;
      }
    }
  }
  return double(differing) / double(a.size() / 3);
}

}  // namespace irlab::viewer::testing
