// A minimal PNG encoder (8-bit RGB, no interlace) over zlib, for screenshots
// and video frames.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "absl/status/status.h"

namespace irlab::viewer {

// Encodes rows of `rgb` ([height, width, 3], top row first) as a PNG file.
std::string EncodePng(std::span<const uint8_t> rgb, int width, int height);

// Writes EncodePng's bytes to a temporary sibling and renames it to `path`.
absl::Status WritePng(const std::filesystem::path& path, std::span<const uint8_t> rgb, int width,
                      int height);

}  // namespace irlab::viewer
