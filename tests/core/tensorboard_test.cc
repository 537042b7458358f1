#include "core/tensorboard.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "core/files.h"
#include "core/metrics.h"
#include "tests/util/tensorboard_reader.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using testing::DecodeScalarsEvent;
using testing::ReadTfRecords;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

uint32_t LoadU32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

std::vector<fs::path> EventFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      files.push_back(e.path());
  }
  return files;
}

TEST(TensorBoardTest, Crc32cMatchesPublishedCheckValues) {
  EXPECT_EQ(Crc32c(""), 0u);
  EXPECT_EQ(Crc32c("123456789"), 0xe3069283u);              // the CRC-32C check value
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8a9136aau);    // RFC 3720, B.4
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62a8ab43u);  // RFC 3720, B.4
  EXPECT_EQ(MaskCrc32c(0), 0xa282ead8u);
  EXPECT_EQ(MaskCrc32c(0x00008000u), 0xa282ead9u);  // rotated right by 15, then the delta
}

TEST(TensorBoardTest, FramesRecordsAsTfRecord) {
  const std::string record = FrameTfRecord("abc");
  ASSERT_EQ(record.size(), 8u + 4u + 3u + 4u);
  EXPECT_EQ(record.substr(0, 8), Bytes({3, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(LoadU32(record, 8), MaskCrc32c(Crc32c(record.substr(0, 8))));
  EXPECT_EQ(record.substr(12, 3), "abc");
  EXPECT_EQ(LoadU32(record, 15), MaskCrc32c(Crc32c("abc")));
}

TEST(TensorBoardTest, EncodesScalarEventExactly) {
  // Event{wall_time: 1.5, step: 7, summary: {value: [{tag: "a", simple_value: 2}]}}
  const std::string expected =
      Bytes({0x09, 0,    0,   0, 0,   0, 0, 0xf8, 0x3f,  // wall_time (fixed64)
             0x10, 0x07,                                 // step (varint)
             0x2a, 0x0a,                                 // summary, 10 bytes
             0x0a, 0x08,                                 // value, 8 bytes
             0x0a, 0x01, 'a',                            // tag
             0x15, 0,    0,   0, 0x40});                 // simple_value (fixed32)
  EXPECT_EQ(EncodeScalarsEvent(1.5, 7, {{"a", 2.0}}), expected);
  // a step past 127 takes a multi-byte varint: 300 = 0xac 0x02
  const std::string big = EncodeScalarsEvent(0, 300, {});
  EXPECT_EQ(big.substr(9, 3), Bytes({0x10, 0xac, 0x02}));
  const std::string version = EncodeFileVersionEvent(0);
  EXPECT_EQ(version.substr(9), Bytes({0x1a, 13}) + "brain.Event:2");
}

TEST(TensorBoardTest, MetricsLoggerWritesDecodableEventFile) {
  const fs::path dir = testing::TestDir();
  {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok()) << logger.status();
    ASSERT_TRUE(logger->Log(1, {{"train/return", 10.5}, {"loss", 0.25}}).ok());
    ASSERT_TRUE(logger->Log(2000000, {{"train/return", -3}}).ok());
  }
  const std::vector<fs::path> files = EventFiles(dir);
  ASSERT_EQ(files.size(), 1u);

  // walk the framing by hand: length, masked CRC of the length, data, masked CRC of the data
  const std::string raw = *ReadFile(files[0]);
  std::vector<std::string> records;
  for (size_t pos = 0; pos < raw.size();) {
    ASSERT_GE(raw.size() - pos, 12u);
    uint64_t length;
    std::memcpy(&length, raw.data() + pos, 8);
    EXPECT_EQ(LoadU32(raw, pos + 8), MaskCrc32c(Crc32c(raw.substr(pos, 8))));
    ASSERT_GE(raw.size() - pos - 12, length + 4);
    const std::string data = raw.substr(pos + 12, length);
    EXPECT_EQ(LoadU32(raw, pos + 12 + length), MaskCrc32c(Crc32c(data)));
    records.push_back(data);
    pos += 12 + length + 4;
  }
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].find("brain.Event:2"), std::string::npos);
  double wall_time;
  std::memcpy(&wall_time, records[0].data() + 1, 8);
  EXPECT_GT(wall_time, 1.6e9);  // seconds since 1970, after 2020

  auto first = DecodeScalarsEvent(records[1]);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].step, 1);
  EXPECT_EQ((*first)[0].tag, "train/return");
  EXPECT_EQ((*first)[0].value, 10.5f);
  EXPECT_EQ((*first)[1].tag, "loss");
  EXPECT_EQ((*first)[1].value, 0.25f);
  auto second = DecodeScalarsEvent(records[2]);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].step, 2000000);
  EXPECT_EQ((*second)[0].value, -3.0f);

  // the library's reader agrees with the hand walk
  auto read = ReadTfRecords(files[0]);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, records);
  fs::remove_all(dir);
}

TEST(TensorBoardTest, ReopeningWritesASecondFile) {
  const fs::path dir = testing::TestDir();
  for (int i = 0; i < 2; ++i) {
    auto logger = MetricsLogger::Open(dir, false);
    ASSERT_TRUE(logger.ok());
    ASSERT_TRUE(logger->Log(i, {{"x", 1.0 * i}}).ok());
  }
  EXPECT_EQ(EventFiles(dir).size(), 2u);
  fs::remove_all(dir);
}

TEST(TensorBoardTest, ReaderRejectsCorruptAndTruncatedFiles) {
  const fs::path dir = testing::TestDir();
  const std::string good = FrameTfRecord(EncodeScalarsEvent(1, 1, {{"a", 1}})) +
                           FrameTfRecord(EncodeScalarsEvent(2, 2, {{"a", 2}}));
  ASSERT_TRUE(WriteFileAtomically(dir / "good", good).ok());
  EXPECT_EQ(ReadTfRecords(dir / "good")->size(), 2u);

  std::string flipped = good;
  flipped[good.size() - 6] ^= 0x01;  // a data byte of the second record
  ASSERT_TRUE(WriteFileAtomically(dir / "flipped", flipped).ok());
  auto bad = ReadTfRecords(dir / "flipped");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("data CRC mismatch"), std::string::npos) << bad.status();

  std::string length_flipped = good;
  length_flipped[0] ^= 0x40;
  ASSERT_TRUE(WriteFileAtomically(dir / "length", length_flipped).ok());
  EXPECT_NE(ReadTfRecords(dir / "length").status().message().find("length CRC"), std::string::npos);

  ASSERT_TRUE(WriteFileAtomically(dir / "cut", good.substr(0, good.size() - 3)).ok());
  EXPECT_NE(ReadTfRecords(dir / "cut").status().message().find("truncated"), std::string::npos);

  // malformed protobuf never crashes the decoder
  EXPECT_FALSE(DecodeScalarsEvent(Bytes({0x2a, 0x7f})).ok());
  EXPECT_FALSE(DecodeScalarsEvent(Bytes({0x09, 0x00})).ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace irlab
