#include "viewer/png.h"

#include <zlib.h>

#include <vector>

#include "core/files.h"
#include "core/status.h"

namespace irlab::viewer {
namespace {

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// A chunk: length, type, data, CRC over type and data.
void PutChunk(std::string& out, const char type[4], const uint8_t* data, size_t size) {
  PutU32(out, static_cast<uint32_t>(size));
  const size_t type_at = out.size();
  out.append(type, 4);
  out.append(reinterpret_cast<const char*>(data), size);
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + type_at), size + 4);
  PutU32(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::string EncodePng(std::span<const uint8_t> rgb, int width, int height) {
  IRLAB_CHECK(width > 0 && height > 0 && rgb.size() == size_t(width) * height * 3,
              "EncodePng: image size does not match its buffer");
  // each row is prefixed by its filter type (0: none)
  const size_t row_bytes = size_t(width) * 3;
  std::vector<uint8_t> raw((row_bytes + 1) * height);
  for (int y = 0; y < height; ++y) {
    raw[y * (row_bytes + 1)] = 0;
    std::copy_n(rgb.data() + y * row_bytes, row_bytes, raw.data() + y * (row_bytes + 1) + 1);
  }
  uLongf packed_size = compressBound(raw.size());
  std::vector<uint8_t> packed(packed_size);
  const int z = compress2(packed.data(), &packed_size, raw.data(), raw.size(), Z_BEST_SPEED);
  IRLAB_CHECK(z == Z_OK, "EncodePng: zlib compress2 failed");

  std::string out = "\x89PNG\r\n\x1a\n";
  uint8_t header[13] = {};
  for (int i = 0; i < 4; ++i) {
    header[i] = static_cast<uint8_t>(uint32_t(width) >> (24 - 8 * i));
    header[4 + i] = static_cast<uint8_t>(uint32_t(height) >> (24 - 8 * i));
  }
  header[8] = 8;  // bit depth
  header[9] = 2;  // colour type: truecolour RGB
  PutChunk(out, "IHDR", header, sizeof(header));
  PutChunk(out, "IDAT", packed.data(), packed_size);
  PutChunk(out, "IEND", nullptr, 0);
  return out;
}

absl::Status WritePng(const std::filesystem::path& path, std::span<const uint8_t> rgb, int width,
                      int height) {
  return WriteFileAtomically(path, EncodePng(rgb, width, height));
}

}  // namespace irlab::viewer
