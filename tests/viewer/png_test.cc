// The PNG encoder's output decodes back to the exact pixels: signature,
// chunk CRCs, header fields and the inflated rows are checked by hand, and
// ffmpeg's decoder reads the same pixels from the written file.
#include "viewer/png.h"

#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/viewer/test_util.h"

namespace irlab::viewer {
namespace {

uint32_t U32(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 |
         uint32_t(uint8_t(s[at + 2])) << 8 | uint32_t(uint8_t(s[at + 3]));
}

struct Decoded {
  int width = 0, height = 0, bit_depth = 0, colour_type = 0;
  std::vector<std::string> chunk_types;
  std::vector<uint8_t> rgb;
};

// A decoder for what EncodePng writes (RGB8, filter type 0 on every row).
Decoded Decode(const std::string& png) {
  Decoded d;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  for (size_t at = 8; at + 12 <= png.size();) {
    const uint32_t length = U32(png, at);
    const std::string type = png.substr(at + 4, 4);
    const std::string data = png.substr(at + 8, length);
    const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(png.data() + at + 4), length + 4);
    EXPECT_EQ(U32(png, at + 8 + length), crc) << type;
    d.chunk_types.push_back(type);
    if (type == "IHDR") {
      d.width = static_cast<int>(U32(data, 0));
      d.height = static_cast<int>(U32(data, 4));
      d.bit_depth = uint8_t(data[8]);
      d.colour_type = uint8_t(data[9]);
    } else if (type == "IDAT") {
      idat += data;
    }
    at += 12 + length;
  }
  const size_t row = size_t(d.width) * 3 + 1;
  std::vector<uint8_t> raw(row * d.height);
  uLongf raw_size = raw.size();
  EXPECT_EQ(
      uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()),
      Z_OK);
  EXPECT_EQ(raw_size, raw.size());
  for (int y = 0; y < d.height; ++y) {
    EXPECT_EQ(raw[y * row], 0) << "filter of row " << y;
    d.rgb.insert(d.rgb.end(), raw.begin() + y * row + 1, raw.begin() + (y + 1) * row);
  }
  return d;
}

TEST(PngTest, EncodesExactPixels) {
  const int w = 37, h = 11;  // odd sizes: no row padding in PNG
  std::vector<uint8_t> rgb(w * h * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>((i * 7919) % 251);
  const Decoded d = Decode(EncodePng(rgb, w, h));
  EXPECT_EQ(d.width, w);
  EXPECT_EQ(d.height, h);
  EXPECT_EQ(d.bit_depth, 8);
  EXPECT_EQ(d.colour_type, 2);
  EXPECT_EQ(d.chunk_types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  EXPECT_EQ(d.rgb, rgb);
}

TEST(PngTest, WritesWholeFileAndFfmpegReadsIt) {
  const auto dir = testing::TestDir();
  std::vector<uint8_t> rgb(8 * 6 * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>((i * 7919) % 251);
  ASSERT_TRUE(WritePng(dir / "a.png", rgb, 8, 6).ok());
  EXPECT_EQ(Decode(irlab::testing::FileBytes(dir / "a.png")).rgb, rgb);
  // no temporary file left beside it
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  const testing::VideoFacts facts = testing::Probe(dir / "a.png");
  EXPECT_EQ(facts.width, 8);
  EXPECT_EQ(facts.height, 6);
  EXPECT_EQ(facts.codec, "png");
  // ffmpeg's own decoder (not the one above) gives back the same pixels
  const auto raw = dir / "a.rgb";
  const irlab::testing::RunResult decoded =
      irlab::testing::Run(StrCat("ffmpeg -v error -y -i ", (dir / "a.png").string(),
                                 " -f rawvideo -pix_fmt rgb24 ", raw.string()));
  ASSERT_EQ(decoded.code, 0) << decoded.output;
  const std::string bytes = irlab::testing::FileBytes(raw);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.end()), rgb);
}

TEST(PngTest, UnwritableFolderIsAnError) {
  std::vector<uint8_t> rgb(4 * 4 * 3, 0);
  const absl::Status s = WritePng("/nonexistent-folder/x.png", rgb, 4, 4);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("/nonexistent-folder/x.png"), std::string::npos) << s;
}

}  // namespace
}  // namespace irlab::viewer
