// Flips and truncates bytes of a valid file: every open either succeeds with
// exactly the original data or fails with an error; never a crash. Seeded and
// bounded (a few seconds).
#include <cstdint>

#include "core/rng.h"
#include "data/demo_file.h"
#include "data/expert_store.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

// Every value of a file, or its first error.
absl::StatusOr<std::vector<double>> Contents(const fs::path& path) {
  auto opened = DemoFile::Open(path);
  if (!opened.ok()) return opened.status();
  const DemoFile& f = **opened;
  if (absl::Status s = f.Validate(); !s.ok()) return s;
  const int64_t n = f.num_transitions();
  std::vector<double> all;
  for (DemoField field : {DemoField::kObservations, DemoField::kActions, DemoField::kRewards,
                          DemoField::kNextObservations}) {
    std::vector<float> v(n * f.width(field));
    if (absl::Status s = f.Read(field, 0, n, std::span<float>(v)); !s.ok()) return s;
    all.insert(all.end(), v.begin(), v.end());
  }
  for (DemoField field : {DemoField::kTerminals, DemoField::kTimeouts}) {
    std::vector<uint8_t> v(n);
    if (absl::Status s = f.Read(field, 0, n, std::span<uint8_t>(v)); !s.ok()) return s;
    all.insert(all.end(), v.begin(), v.end());
  }
  for (DemoField field : {DemoField::kQpos, DemoField::kQvel}) {
    std::vector<double> v(n * f.width(field));
    if (absl::Status s = f.Read(field, 0, n, std::span<double>(v)); !s.ok()) return s;
    all.insert(all.end(), v.begin(), v.end());
  }
  const EpisodeTable& t = f.episodes();
  all.insert(all.end(), t.ret.begin(), t.ret.end());
  for (size_t e = 0; e < t.start.size(); ++e) {
    all.push_back(static_cast<double>(t.length[e]));
    all.push_back(static_cast<double>(t.seed[e]));
  }
  all.push_back(f.metadata().obs_dim);
  all.push_back(f.metadata().nq);
  all.push_back(f.metadata().task == "Synthetic" ? 1 : 0);
  return all;
}

TEST(FuzzTest, FlippedAndTruncatedBytesAreCaughtOrHarmless) {
  const fs::path dir = testing::TestDir();
  const fs::path good = dir / "good.h5";
  testing::WriteTestFile(good, {40, 60, 35, 50});
  const std::string original = testing::FileBytes(good);
  auto expected = Contents(good);
  ASSERT_TRUE(expected.ok()) << expected.status();

  Rng rng(20240611);
  const fs::path path = dir / "mutant.h5";
  int opened = 0, rejected = 0;
  constexpr int kIterations = 400;
  for (int it = 0; it < kIterations; ++it) {
    std::string bytes = original;
    const int kind = static_cast<int>(rng.UniformInt(3));
    if (kind != 1) {  // flip 1..8 bytes
      const int flips = 1 + static_cast<int>(rng.UniformInt(8));
      for (int i = 0; i < flips; ++i) {
        bytes[rng.UniformInt(bytes.size())] ^= static_cast<char>(1 + rng.UniformInt(255));
      }
    }
    if (kind != 0) bytes.resize(rng.UniformInt(bytes.size()));  // truncate
    testing::WriteBytes(path, bytes);
    SCOPED_TRACE(StrCat("iteration ", it, " kind ", kind));

    auto contents = Contents(path);
    if (contents.ok()) {
      ++opened;
      EXPECT_EQ(*contents, *expected) << "a damaged file read back different data";
    } else {
      ++rejected;
      EXPECT_NE(contents.status().message().find(path.string()), std::string::npos)
          << contents.status();
    }
    // the expert store either opens and samples, or refuses
    ExpertStoreConfig config;
    config.mode = it % 2 == 0 ? "memory" : "stream";
    config.memory_mib = 24;
    auto store = ExpertStore::Open(path, config, 1);
    if (store.ok()) {
      std::vector<float> obs(16 * 3), act(16 * 2), next(16 * 3);
      std::vector<uint8_t> term(16);
      const absl::Status s = (*store)->Sample(16, obs.data(), act.data(), next.data(), term.data());
      if (s.ok()) {
        for (float x : obs) EXPECT_TRUE(std::isfinite(x) || !contents.ok());
      }
    }
  }
  // both outcomes occur: the test exercises something
  EXPECT_GT(rejected, kIterations / 4);
  std::printf("fuzz: %d mutants opened with the original data, %d rejected\n", opened, rejected);
}

}  // namespace
}  // namespace irlab
