#include "tests/util/tensorboard_reader.h"

#include <cstring>

#include "core/files.h"
#include "core/strings.h"
#include "core/tensorboard.h"

namespace irlab::testing {
namespace {

// protobuf wire types
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;

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

}  // namespace irlab::testing
