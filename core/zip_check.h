// Damage detection for ZIP archives (LibTorch's checkpoints are ZIP files of
// stored entries, and a few deflated ones): every entry's CRC-32, recorded by the writer in the
// central directory, is recomputed over the entry's bytes. LibTorch 1.13
// reads archives without checking them, so a few flipped bits in a weight
// would otherwise load as a different network.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace irlab {

// CRC-32 (ISO-HDLC, as ZIP and zlib) of `bytes`, continuing from `crc`.
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

// Checks that `bytes` is a whole ZIP archive (end of central directory found,
// ZIP64 included) whose entries, stored or deflated, lie inside the archive
// and match their CRC-32 (deflated ones also their recorded size). Errors are DataLoss and start
// with `name`.
absl::Status VerifyZipBytes(std::string_view bytes, const std::string& name);

// Reads `path` and verifies it as above; errors name the file.
absl::Status VerifyZipFile(const std::filesystem::path& path);

}  // namespace irlab
