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
