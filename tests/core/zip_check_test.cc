// ZIP damage detection: the CRC-32 of the standard check string, and an
// archive of stored entries built here byte by byte: intact it verifies,
// with any single byte of an entry's data changed it does not.
#include "core/zip_check.h"

#include <string>

#include "gtest/gtest.h"

namespace irlab {
namespace {

void Put16(std::string& s, uint32_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, v & 0xFFFF);
  Put16(s, v >> 16);
}

// A ZIP archive of stored (method 0) entries, as LibTorch writes them.
std::string StoredZip(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out, central;
  for (const auto& [name, data] : entries) {
    const uint32_t offset = static_cast<uint32_t>(out.size()), crc = Crc32(data);
    Put32(out, 0x04034b50);
    Put16(out, 20), Put16(out, 0), Put16(out, 0), Put16(out, 0), Put16(out, 0);
    Put32(out, crc), Put32(out, data.size()), Put32(out, data.size());
    Put16(out, name.size()), Put16(out, 0);
    out += name + data;
    Put32(central, 0x02014b50);
    Put16(central, 20), Put16(central, 20), Put16(central, 0), Put16(central, 0);
    Put16(central, 0), Put16(central, 0);
    Put32(central, crc), Put32(central, data.size()), Put32(central, data.size());
    Put16(central, name.size()), Put16(central, 0), Put16(central, 0), Put16(central, 0);
    Put16(central, 0), Put32(central, 0), Put32(central, offset);
    central += name;
  }
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  Put32(out, 0x06054b50);
  Put16(out, 0), Put16(out, 0), Put16(out, entries.size()), Put16(out, entries.size());
  Put32(out, central.size()), Put32(out, cd_offset), Put16(out, 0);
  return out;
}

TEST(ZipCheckTest, Crc32OfTheCheckString) {
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(Crc32("6789", Crc32("12345")), 0xCBF43926u);
  EXPECT_EQ(Crc32(""), 0u);
}

TEST(ZipCheckTest, IntactArchivesVerifyAndDamagedOnesNameTheEntry) {
  const std::string zip =
      StoredZip({{"archive/data.pkl", "pickle"}, {"archive/data/0", std::string(64, '\x3f')}});
  EXPECT_TRUE(VerifyZipBytes(zip, "ok.pt").ok()) << VerifyZipBytes(zip, "ok.pt");
  // every byte of the second entry's data
  const size_t data_begin = 30 + 16 + 6 + 30 + 14;
  for (size_t at = data_begin; at < data_begin + 64; ++at) {
    std::string bad = zip;
    bad[at] ^= 0x10;
    const absl::Status s = VerifyZipBytes(bad, "bad.pt");
    ASSERT_FALSE(s.ok()) << at;
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(
        s.message().find("bad.pt: damaged checkpoint (entry 'archive/data/0' fails its CRC-32"),
        std::string::npos)
        << s;
  }
  // truncated anywhere, or not an archive at all
  for (size_t keep : {size_t{0}, size_t{10}, zip.size() / 2, zip.size() - 1}) {
    EXPECT_FALSE(VerifyZipBytes(zip.substr(0, keep), "cut.pt").ok()) << keep;
  }
  EXPECT_FALSE(VerifyZipBytes(std::string(100, 'x'), "junk.pt").ok());
}

}  // namespace
}  // namespace irlab
