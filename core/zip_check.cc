#include "core/zip_check.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_format.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kZip64End = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;

// Little-endian reads that fail (false) past the end instead of reading it.
struct Bytes {
  std::string_view data;
  bool U16(uint64_t at, uint32_t* out) const {
    if (at > data.size() || data.size() - at < 2) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data() + at);
    *out = p[0] | (uint32_t{p[1]} << 8);
    return true;
  }
  bool U32(uint64_t at, uint32_t* out) const {
    if (at > data.size() || data.size() - at < 4) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data() + at);
    *out = p[0] | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
    return true;
  }
  bool U64(uint64_t at, uint64_t* out) const {
    uint32_t lo, hi;
    if (!U32(at, &lo) || !U32(at + 4, &hi)) return false;
    *out = lo | (uint64_t{hi} << 32);
    return true;
  }
};

}  // namespace

uint32_t Crc32(std::string_view bytes, uint32_t crc) {
  // zlib's (sliced, ~1 GB/s); the same polynomial as the table below
  while (!bytes.empty()) {
    const uInt n = static_cast<uInt>(std::min<size_t>(bytes.size(), 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), n));
    bytes.remove_prefix(n);
  }
  return crc;
}

absl::Status VerifyZipBytes(std::string_view data, const std::string& name) {
  const Bytes b{data};
  auto damaged = [&](const std::string& why) {
    return absl::DataLossError(StrCat(name, ": damaged checkpoint (", why, ")"));
  };
  // the end of central directory record: 22 bytes + a comment of <= 65535
  if (data.size() < 22) return damaged("too short to be an archive: truncated?");
  uint64_t eocd = data.size() - 22;
  const uint64_t lowest = data.size() >= 22 + 65535 ? data.size() - 22 - 65535 : 0;
  uint32_t sig = 0;
  while (true) {
    if (b.U32(eocd, &sig) && sig == kEndOfCentralDirectory) break;
    if (eocd == lowest) return damaged("no end of central directory: truncated or not an archive");
    --eocd;
  }
  uint32_t entries16 = 0, cd_size32 = 0, cd_offset32 = 0;
  if (!b.U16(eocd + 10, &entries16) || !b.U32(eocd + 12, &cd_size32) ||
      !b.U32(eocd + 16, &cd_offset32)) {
    return damaged("end of central directory cut short");
  }
  uint64_t entries = entries16, cd_size = cd_size32, cd_offset = cd_offset32;
  if (entries16 == 0xFFFF || cd_size32 == 0xFFFFFFFF || cd_offset32 == 0xFFFFFFFF) {
    // ZIP64: the locator just before, pointing at the ZIP64 end record
    uint64_t end64 = 0;
    if (eocd < 20 || !b.U32(eocd - 20, &sig) || sig != kZip64Locator || !b.U64(eocd - 12, &end64) ||
        !b.U32(end64, &sig) || sig != kZip64End || !b.U64(end64 + 32, &entries) ||
        !b.U64(end64 + 40, &cd_size) || !b.U64(end64 + 48, &cd_offset)) {
      return damaged("bad ZIP64 end of central directory");
    }
  }
  if (cd_offset > data.size() || cd_size > data.size() - cd_offset) {
    return damaged("central directory outside the file");
  }
  if (entries == 0) return damaged("no entries");

  uint64_t at = cd_offset;
  for (uint64_t i = 0; i < entries; ++i) {
    uint32_t method = 0, crc = 0, csize32 = 0, usize32 = 0, name_len = 0, extra_len = 0,
             comment_len = 0, local32 = 0;
    if (!b.U32(at, &sig) || sig != kCentralHeader || !b.U16(at + 10, &method) ||
        !b.U32(at + 16, &crc) || !b.U32(at + 20, &csize32) || !b.U32(at + 24, &usize32) ||
        !b.U16(at + 28, &name_len) || !b.U16(at + 30, &extra_len) ||
        !b.U16(at + 32, &comment_len) || !b.U32(at + 42, &local32) ||
        at + 46 + name_len > data.size()) {
      return damaged(StrCat("central directory entry ", i, " is malformed"));
    }
    const std::string entry(data.substr(at + 46, name_len));
    uint64_t csize = csize32, usize = usize32, local = local32;
    // ZIP64 extended information: the 0xFFFFFFFF fields, in this order
    for (uint64_t x = at + 46 + name_len; x + 4 <= at + 46 + name_len + extra_len;) {
      uint32_t id = 0, len = 0;
      if (!b.U16(x, &id) || !b.U16(x + 2, &len)) break;
      if (id == 0x0001) {
        uint64_t y = x + 4;
        if (usize32 == 0xFFFFFFFF && b.U64(y, &usize)) y += 8;
        if (csize32 == 0xFFFFFFFF && b.U64(y, &csize)) y += 8;
        if (local32 == 0xFFFFFFFF && b.U64(y, &local)) y += 8;
      }
      x += 4 + len;
    }
    if (method != 0 && method != 8) {
      return damaged(StrCat("entry '", entry, "' uses compression method ", method,
                            ", not stored or deflated"));
    }
    uint32_t local_name_len = 0, local_extra_len = 0;
    if ((method == 0 && csize != usize) || !b.U32(local, &sig) || sig != kLocalHeader ||
        !b.U16(local + 26, &local_name_len) || !b.U16(local + 28, &local_extra_len)) {
      return damaged(StrCat("entry '", entry, "' has a bad local header"));
    }
    const uint64_t begin = local + 30 + local_name_len + local_extra_len;
    if (begin > data.size() || csize > data.size() - begin) {
      return damaged(StrCat("entry '", entry, "' extends past the end of the file"));
    }
    const std::string_view stored = data.substr(begin, csize);
    uint32_t actual = 0;
    if (method == 0) {
      actual = Crc32(stored);
    } else {
      // deflated (LibTorch compresses its code/ entries): inflate in pieces
      z_stream z{};
      if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return damaged("zlib failed to start");
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(stored.data()));
      z.avail_in = static_cast<uInt>(stored.size());
      std::array<char, 1 << 16> out;
      uint64_t produced = 0;
      int rc = Z_OK;
      while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = out.size();
        rc = inflate(&z, Z_NO_FLUSH);
        const size_t n = out.size() - z.avail_out;
        actual = Crc32(std::string_view(out.data(), n), actual);
        produced += n;
        if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // input ended early
        if (rc == Z_OK && produced > usize) break;
      }
      inflateEnd(&z);
      if (rc != Z_STREAM_END || produced != usize) {
        return damaged(
            StrCat("entry '", entry, "' does not inflate to its recorded ", usize, " bytes"));
      }
    }
    if (actual != crc) {
      return damaged(StrCat("entry '", entry, "' fails its CRC-32 check: recorded ",
                            absl::StrFormat("%08x", crc), ", computed ",
                            absl::StrFormat("%08x", actual)));
    }
    at += 46 + uint64_t{name_len} + extra_len + comment_len;
  }
  return absl::OkStatus();
}

absl::Status VerifyZipFile(const std::filesystem::path& path) {
  IRLAB_ASSIGN_OR_RETURN(const std::string bytes, ReadFile(path));
  return VerifyZipBytes(bytes, path.string());
}

}  // namespace irlab
