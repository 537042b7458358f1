// Helpers for the viewer tests: ffprobe's view of a video and simple image
// statistics, beside the shared scratch folders and irlab runs.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/process.h"
#include "core/strings.h"
#include "gtest/gtest.h"
#include "tests/util/test_util.h"

namespace irlab::viewer::testing {

using irlab::testing::Irlab;
using irlab::testing::Run;
using irlab::testing::RunResult;
using irlab::testing::TestDir;

struct VideoFacts {
  int frames = -1, width = -1, height = -1;
  std::string codec;
};

// Decodes the whole video (or image) with ffprobe and counts its frames.
inline VideoFacts Probe(const std::filesystem::path& video) {
  const RunResult r =
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
