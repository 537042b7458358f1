#include "core/tensorboard.h"

#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/files.h"
#include "core/strings.h"

namespace irlab {
namespace {

// protobuf wire types
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;  // reflected
    table[i] = c;
  }
  return table;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutTag(std::string& out, int field, int wire_type) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | wire_type);
}

template <class T>
void PutLittleEndian(std::string& out, T v) {
  static_assert(std::endian::native == std::endian::little, "little-endian hosts only");
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void PutBytes(std::string& out, int field, std::string_view bytes) {
  PutTag(out, field, kLengthDelimited);
  PutVarint(out, bytes.size());
  out.append(bytes);
}

double WallTimeNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A cursor over a serialised message; every read checks the bounds.
struct Reader {
  std::string_view data;
  size_t pos = 0;

  bool done() const { return pos >= data.size(); }
  bool Varint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= data.size()) return false;
      const uint8_t b = static_cast<uint8_t>(data[pos++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Fixed(void* out, size_t n) {
    if (data.size() - pos < n) return false;
    std::memcpy(out, data.data() + pos, n);
    pos += n;
    return true;
  }
  bool Bytes(std::string_view& out) {
    uint64_t n;
    if (!Varint(n) || n > data.size() - pos) return false;
    out = data.substr(pos, n);
    pos += n;
    return true;
  }
  // Skips a field of `wire_type`; false if it is malformed or unsupported.
  bool Skip(int wire_type) {
    uint64_t v;
    std::string_view s;
    char buf[8];
    switch (wire_type) {
      case kVarint:
        return Varint(v);
      case kFixed64:
        return Fixed(buf, 8);
      case kLengthDelimited:
        return Bytes(s);
      case kFixed32:
        return Fixed(buf, 4);
      default:
        return false;
    }
  }
};

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(StrCat("malformed tensorflow.Event: ", what));
}

// Decodes one Summary.Value into (tag, simple_value); `has_value` is false for
// values of other kinds (images, tensors).
absl::Status DecodeValue(std::string_view bytes, std::string& tag, float& value, bool& has_value) {
  Reader r{bytes};
  has_value = false;
  while (!r.done()) {
    uint64_t key;
    if (!r.Varint(key)) return Malformed("Summary.Value key");
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    std::string_view s;
    if (field == 1 && wire == kLengthDelimited) {
      if (!r.Bytes(s)) return Malformed("Summary.Value.tag");
      tag = std::string(s);
    } else if (field == 2 && wire == kFixed32) {
      if (!r.Fixed(&value, 4)) return Malformed("Summary.Value.simple_value");
      has_value = true;
    } else if (!r.Skip(wire)) {
      return Malformed("Summary.Value field");
    }
  }
  return absl::OkStatus();
}

}  // namespace

uint32_t Crc32c(std::string_view data) {
  static const std::array<uint32_t, 256> table = MakeCrcTable();
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) crc = table[(crc ^ c) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

std::string FrameTfRecord(std::string_view data) {
  std::string header;
  PutLittleEndian<uint64_t>(header, data.size());
  std::string out = header;
  PutLittleEndian<uint32_t>(out, MaskCrc32c(Crc32c(header)));
  out.append(data);
  PutLittleEndian<uint32_t>(out, MaskCrc32c(Crc32c(data)));
  return out;
}

absl::StatusOr<std::vector<std::string>> ReadTfRecords(const std::filesystem::path& path) {
  auto contents = ReadFile(path);
  if (!contents.ok()) return contents.status();
  const std::string_view all = *contents;
  std::vector<std::string> records;
  size_t pos = 0;
  while (pos < all.size()) {
    const auto bad = [&](std::string_view what) {
      return absl::DataLossError(StrCat(path.string(), ": record at byte ", pos, ": ", what));
    };
    if (all.size() - pos < 12) return bad("truncated header");
    uint64_t length;
    uint32_t length_crc, data_crc;
    std::memcpy(&length, all.data() + pos, 8);
    std::memcpy(&length_crc, all.data() + pos + 8, 4);
    if (MaskCrc32c(Crc32c(all.substr(pos, 8))) != length_crc) return bad("length CRC mismatch");
    if (length > all.size() - pos - 12 || all.size() - pos - 12 - length < 4) {
      return bad("truncated data");
    }
    const std::string_view data = all.substr(pos + 12, length);
    std::memcpy(&data_crc, all.data() + pos + 12 + length, 4);
    if (MaskCrc32c(Crc32c(data)) != data_crc) return bad("data CRC mismatch");
    records.emplace_back(data);
    pos += 12 + length + 4;
  }
  return records;
}

std::string EncodeFileVersionEvent(double wall_time) {
  std::string event;
  PutTag(event, 1, kFixed64);
  PutLittleEndian<double>(event, wall_time);
  PutBytes(event, 3, "brain.Event:2");
  return event;
}

std::string EncodeScalarsEvent(double wall_time, int64_t step,
                               const std::vector<std::pair<std::string, double>>& scalars) {
  std::string summary;
  for (const auto& [tag, value] : scalars) {
    std::string v;
    PutBytes(v, 1, tag);
    PutTag(v, 2, kFixed32);
    PutLittleEndian<float>(v, static_cast<float>(value));
    PutBytes(summary, 1, v);
  }
  std::string event;
  PutTag(event, 1, kFixed64);
  PutLittleEndian<double>(event, wall_time);
  PutTag(event, 2, kVarint);
  PutVarint(event, static_cast<uint64_t>(step));
  PutBytes(event, 5, summary);
  return event;
}

absl::StatusOr<std::vector<TensorBoardScalar>> DecodeScalarsEvent(std::string_view event) {
  Reader r{event};
  double wall_time = 0;
  int64_t step = 0;
  std::vector<std::string_view> values;
  while (!r.done()) {
    uint64_t key;
    if (!r.Varint(key)) return Malformed("key");
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (field == 1 && wire == kFixed64) {
      if (!r.Fixed(&wall_time, 8)) return Malformed("wall_time");
    } else if (field == 2 && wire == kVarint) {
      uint64_t v;
      if (!r.Varint(v)) return Malformed("step");
      step = static_cast<int64_t>(v);
    } else if (field == 5 && wire == kLengthDelimited) {
      std::string_view summary;
      if (!r.Bytes(summary)) return Malformed("summary");
      Reader s{summary};
      while (!s.done()) {
        uint64_t skey;
        if (!s.Varint(skey)) return Malformed("Summary key");
        std::string_view value;
        if (skey == ((1u << 3) | kLengthDelimited)) {
          if (!s.Bytes(value)) return Malformed("Summary.value");
          values.push_back(value);
        } else if (!s.Skip(static_cast<int>(skey & 7))) {
          return Malformed("Summary field");
        }
      }
    } else if (!r.Skip(wire)) {
      return Malformed("field");
    }
  }
  std::vector<TensorBoardScalar> scalars;
  for (std::string_view bytes : values) {
    TensorBoardScalar s{wall_time, step, "", 0};
    bool has_value;
    if (absl::Status st = DecodeValue(bytes, s.tag, s.value, has_value); !st.ok()) return st;
    if (has_value) scalars.push_back(std::move(s));
  }
  return scalars;
}

absl::StatusOr<TensorBoardWriter> TensorBoardWriter::Open(const std::filesystem::path& run_dir) {
  char host[256] = "localhost";
  ::gethostname(host, sizeof(host) - 1);
  const double now = WallTimeNow();
  TensorBoardWriter writer;
  // TensorBoard finds files by the "tfevents" in their name; the pid keeps
  // two processes (a resumed run, say) from sharing a file
  const std::string base =
      StrCat("events.out.tfevents.", static_cast<int64_t>(now), ".", host, ".", ::getpid());
  writer.path_ = run_dir / base;
  std::error_code ec;
  for (int k = 1; std::filesystem::exists(writer.path_, ec); ++k) {
    writer.path_ = run_dir / StrCat(base, ".", k);  // reopened within the same second
  }
  writer.file_ = std::fopen(writer.path_.c_str(), "wbx");
  if (!writer.file_) {
    return absl::UnavailableError(
        StrCat(writer.path_.string(), ": cannot create: ", std::strerror(errno)));
  }
  if (absl::Status s = writer.Append(EncodeFileVersionEvent(now)); !s.ok()) return s;
  return writer;
}

TensorBoardWriter::TensorBoardWriter(TensorBoardWriter&& other) noexcept {
  *this = std::move(other);
}

TensorBoardWriter& TensorBoardWriter::operator=(TensorBoardWriter&& other) noexcept {
  std::swap(path_, other.path_);
  std::swap(file_, other.file_);
  return *this;
}

TensorBoardWriter::~TensorBoardWriter() {
  if (file_) std::fclose(file_);
}

absl::Status TensorBoardWriter::Log(int64_t step,
                                    const std::vector<std::pair<std::string, double>>& scalars) {
  if (!file_ || scalars.empty()) return absl::OkStatus();
  return Append(EncodeScalarsEvent(WallTimeNow(), step, scalars));
}

absl::Status TensorBoardWriter::Append(std::string_view event) {
  // one fwrite per record, flushed, so a killed run leaves whole records
  const std::string record = FrameTfRecord(event);
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size() ||
      std::fflush(file_) != 0) {
    const int err = errno;
    std::clearerr(file_);
    return absl::UnavailableError(StrCat(path_.string(), ": cannot write: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace irlab
