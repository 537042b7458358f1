// ExpertStore: streaming statistics match in-memory ones, determinism for a
// seed, resume from a draw state, subset / subsample selection (the GAIL
// protocol), state-only batches, the memory bound.
#include "data/expert_store.h"

#include <cmath>
#include <map>
#include <set>

#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

struct Batch {
  std::vector<float> obs, act, next;
  std::vector<uint8_t> term;
};

Batch Draw(ExpertStore& store, int n, bool actions = true, bool next = true) {
  Batch b;
  b.obs.resize(n * store.obs_dim());
  b.act.resize(n * store.act_dim());
  b.next.resize(n * store.obs_dim());
  b.term.resize(n);
  const absl::Status s = store.Sample(n, b.obs.data(), actions ? b.act.data() : nullptr,
                                      next ? b.next.data() : nullptr, b.term.data());
  EXPECT_TRUE(s.ok()) << s;
  return b;
}

// 120 episodes of 2500 steps: 300k transitions, ~10 MB of sample rows.
class ExpertStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::TestDir());
    big_ = new fs::path(*dir_ / "big.h5");
    testing::WriteTestFile(*big_, std::vector<int>(120, 2500));
    small_ = new fs::path(*dir_ / "small.h5");
    std::vector<int> lengths;
    for (int e = 0; e < 50; ++e) lengths.push_back(30 + 7 * (e % 5));  // 30..58 steps
    testing::WriteTestFile(*small_, lengths);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete big_;
    delete small_;
  }

  static std::unique_ptr<ExpertStore> Open(const fs::path& path, const ExpertStoreConfig& config,
                                           uint64_t seed) {
    auto store = ExpertStore::Open(path, config, seed);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  static fs::path* dir_;
  static fs::path* big_;
  static fs::path* small_;
};

fs::path* ExpertStoreTest::dir_ = nullptr;
fs::path* ExpertStoreTest::big_ = nullptr;
fs::path* ExpertStoreTest::small_ = nullptr;

ExpertStoreConfig StreamConfig() {
  ExpertStoreConfig c;
  c.mode = "stream";
  c.memory_mib = 24;  // the pool holds about a third of the file
  return c;
}

TEST_F(ExpertStoreTest, StreamingStatisticsMatchInMemory) {
  ExpertStoreConfig memory_config;
  memory_config.mode = "memory";
  auto memory = Open(*big_, memory_config, 7);
  auto stream = Open(*big_, StreamConfig(), 7);
  ASSERT_TRUE(memory && stream);
  EXPECT_FALSE(memory->streaming());
  EXPECT_TRUE(stream->streaming());
  EXPECT_EQ(memory->size(), 300000);
  EXPECT_EQ(stream->size(), 300000);
  EXPECT_LT(stream->buffer_bytes(), 24 << 20);

  // obs[0] is the row index: uniform over [0, 300000) in both modes
  constexpr int kBins = 10, kDraws = 3000000;  // ten passes over the file
  for (ExpertStore* store : {memory.get(), stream.get()}) {
    SCOPED_TRACE(store->streaming() ? "stream" : "memory");
    std::vector<double> bins(kBins, 0.0);
    double sum = 0, sum_sq = 0, terminal = 0;
    for (int round = 0; round < kDraws / 1000; ++round) {
      const Batch b = Draw(*store, 1000);
      for (int i = 0; i < 1000; ++i) {
        const double row = b.obs[i * 3];
        sum += row;
        sum_sq += row * row;
        terminal += b.term[i];
        bins[static_cast<int>(row / 30000)] += 1;
        // each transition keeps its own action, next obs and flag
        ASSERT_EQ(b.next[i * 3], row + 1);
        ASSERT_EQ(b.act[i * 2], static_cast<float>(std::cos(0.3 * row)));
        const int episode = static_cast<int>(b.obs[i * 3 + 1]);
        ASSERT_EQ(b.term[i], static_cast<int>(row) % 2500 == 2499 && episode % 3 == 0);
      }
    }
    const double mean = sum / kDraws, stddev = std::sqrt(sum_sq / kDraws - mean * mean);
    EXPECT_NEAR(mean, 150000, 0.01 * 300000);
    EXPECT_NEAR(stddev, 300000 / std::sqrt(12.0), 0.01 * 300000);
    // the stream shuffles whole blocks (1/18 of the file) each pass, so bins
    // drift by a few percent over a finite run
    for (double count : bins) EXPECT_NEAR(count / kDraws, 0.1, 0.01);
    double worst = 0;
    for (double count : bins) worst = std::max(worst, std::fabs(count / kDraws - 0.1));
    std::printf("%s: mean row %.0f, worst bin off by %.4f\n",
                store->streaming() ? "stream" : "memory", mean, worst);
    // 40 of the 120 episodes terminate: 40 terminal steps in 300000
    EXPECT_NEAR(terminal / kDraws, 40.0 / 300000, 0.5 * 40.0 / 300000);
  }
}

TEST_F(ExpertStoreTest, DeterministicForASeed) {
  for (const char* mode : {"memory", "stream"}) {
    SCOPED_TRACE(mode);
    ExpertStoreConfig c = StreamConfig();
    c.mode = mode;
    auto a = Open(*big_, c, 11), b = Open(*big_, c, 11), other = Open(*big_, c, 12);
    for (int round = 0; round < 300; ++round) {  // well past one pool refill
      const Batch x = Draw(*a, 1024), y = Draw(*b, 1024), z = Draw(*other, 1024);
      ASSERT_EQ(x.obs, y.obs) << "round " << round;
      ASSERT_EQ(x.act, y.act);
      ASSERT_NE(x.obs, z.obs);
    }
  }
}

// A store opened again and given another's draw state continues with the
// same batches (checkpoints keep the state instead of re-drawing on resume);
// Skip, the way older checkpoints catch up, reaches the same point.
TEST_F(ExpertStoreTest, DrawStateContinuesExactly) {
  for (const char* mode : {"memory", "stream"}) {
    SCOPED_TRACE(mode);
    ExpertStoreConfig c = StreamConfig();
    c.mode = mode;
    c.reuse = 0.7;  // a fractional debt to carry over
    auto a = Open(*big_, c, 5), restored = Open(*big_, c, 5), skipped = Open(*big_, c, 5);
    ASSERT_TRUE(a && restored && skipped);
    for (int round = 0; round < 150; ++round) Draw(*a, 1000);  // past a pool refill
    const ExpertStore::DrawState state = a->draw_state();
    EXPECT_EQ(state.batches, 150);
    if (a->streaming()) {
      EXPECT_EQ(state.rows_refilled, static_cast<int64_t>(150 * 1000 / 0.7));
      EXPECT_GT(state.debt, 0.0);
    }
    ASSERT_TRUE(restored->RestoreDrawState(state).ok());
    ASSERT_TRUE(skipped->Skip(150, 1000).ok());
    EXPECT_EQ(skipped->draw_state().batches, 150);
    for (int round = 0; round < 50; ++round) {
      const Batch x = Draw(*a, 1000), y = Draw(*restored, 1000), z = Draw(*skipped, 1000);
      ASSERT_EQ(x.obs, y.obs) << "round " << round;
      ASSERT_EQ(x.act, y.act);
      ASSERT_EQ(x.next, y.next);
      ASSERT_EQ(x.term, y.term);
      ASSERT_EQ(x.obs, z.obs) << "round " << round;
    }
  }
  auto fresh = Open(*big_, StreamConfig(), 5);
  ASSERT_TRUE(fresh);
  ExpertStore::DrawState bad;
  bad.debt = 1.5;
  const absl::Status s = fresh->RestoreDrawState(bad);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("impossible draw state"), std::string::npos) << s;
}

// A small pool (about 30k of the 300k rows: two 16384-row blocks) drawn
// fast: every batch of 1000 replaces 16000 pooled rows, so 75 batches take
// the stream exactly four passes through the file.
ExpertStoreConfig SmallPoolConfig() {
  ExpertStoreConfig c = StreamConfig();
  c.memory_mib = 22;
  c.reuse = 1.0 / 16;
  return c;
}

// A restored stream seeks to its position, wherever that is: before the
// pool first wrapped, at the start of a pass, inside a block of a later
// pass. Batches then go on bit for bit as the drawing store's.
TEST_F(ExpertStoreTest, ARestoredStreamContinuesExactlyFromAnyPosition) {
  auto a = Open(*big_, SmallPoolConfig(), 5);
  ASSERT_TRUE(a);
  int64_t drawn = 0;
  for (int64_t position : {1, 75, 97}) {  // rows refilled: 16000, 4 x 300000, 5 x 300000 + 52000
    SCOPED_TRACE(position);
    for (; drawn < position; ++drawn) Draw(*a, 1000);
    const ExpertStore::DrawState state = a->draw_state();
    ASSERT_EQ(state.rows_refilled, 16000 * position);
    auto restored = Open(*big_, SmallPoolConfig(), 5);
    ASSERT_TRUE(restored);
    ASSERT_TRUE(restored->RestoreDrawState(state).ok());
    for (int round = 0; round < 20; ++round, ++drawn) {  // 320000 rows: past a whole pass
      const Batch x = Draw(*a, 1000), y = Draw(*restored, 1000);
      ASSERT_EQ(x.obs, y.obs) << "round " << round;
      ASSERT_EQ(x.act, y.act);
      ASSERT_EQ(x.next, y.next);
      ASSERT_EQ(x.term, y.term);
    }
  }
}

// Restored four passes in, the store reads the pool's 30k rows again from
// the block holding its position, not the 1.2M rows the draws passed. A pass
// is 19 blocks (300000 rows in blocks of 16384); Open's fill and the refill
// after the seek each take at most 3 blocks, and the reader reads up to 2
// ahead of each (how many of those it has read yet depends on timing).
TEST_F(ExpertStoreTest, ARestoredStreamReadsNoneOfTheBlocksItsDrawsPassed) {
  ExpertStore::DrawState state;
  {
    auto a = Open(*big_, SmallPoolConfig(), 5);
    ASSERT_TRUE(a);
    for (int k = 0; k < 75; ++k) Draw(*a, 1000);
    state = a->draw_state();
    EXPECT_GE(a->blocks_read(), 4 * 19);  // the drawing store read its way there
  }
  auto restored = Open(*big_, SmallPoolConfig(), 5);
  ASSERT_TRUE(restored);
  ASSERT_TRUE(restored->RestoreDrawState(state).ok());
  EXPECT_LE(restored->blocks_read(), 2 * (3 + 2));
}

TEST_F(ExpertStoreTest, SubsetOfTrajectories) {
  ExpertStoreConfig c;
  c.num_trajectories = 4;
  auto first = Open(*small_, c, 3);
  EXPECT_EQ(first->episode_indices(), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(first->size(), 30 + 37 + 44 + 51);

  c.subset = "random";
  auto random = Open(*small_, c, 3), again = Open(*small_, c, 3), other = Open(*small_, c, 4);
  const std::vector<int64_t> kept = random->episode_indices();
  ASSERT_EQ(kept.size(), 4u);
  EXPECT_EQ(std::set<int64_t>(kept.begin(), kept.end()).size(), 4u);
  EXPECT_EQ(again->episode_indices(), kept);
  EXPECT_NE(other->episode_indices(), kept);
  // only those episodes are sampled (obs[1] is the episode index)
  for (const char* mode : {"memory", "stream"}) {
    c.mode = mode;
    c.memory_mib = 24;
    auto store = Open(*small_, c, 3);
    EXPECT_EQ(store->episode_indices(), kept);
    const Batch b = Draw(*store, 5000);
    std::set<int64_t> seen;
    for (int i = 0; i < 5000; ++i) seen.insert(static_cast<int64_t>(b.obs[i * 3 + 1]));
    EXPECT_EQ(seen, std::set<int64_t>(kept.begin(), kept.end())) << mode;
  }
  c.num_trajectories = 51;
  EXPECT_FALSE(ExpertStore::Open(*small_, c, 3).ok());
}

TEST_F(ExpertStoreTest, SubsampleEveryKthStepFromARandomOffset) {
  auto file = DemoFile::Open(*small_);
  ASSERT_TRUE(file.ok());
  const EpisodeTable& table = (*file)->episodes();
  ExpertStoreConfig c;
  c.subsample = 20;
  std::map<std::string, std::map<int64_t, std::set<int64_t>>> steps;  // mode -> episode -> steps
  for (const char* mode : {"memory", "stream"}) {
    c.mode = mode;
    auto store = Open(*small_, c, 5);
    const Batch b = Draw(*store, 20000);
    for (int i = 0; i < 20000; ++i) {
      const auto row = static_cast<int64_t>(b.obs[i * 3]);
      const auto e = static_cast<int64_t>(b.obs[i * 3 + 1]);
      steps[mode][e].insert(row - table.start[e]);
    }
    // ceil((length - offset) / 20) rows per episode: 2 or 3 here
    int64_t total = 0;
    for (const auto& [e, s] : steps[mode]) total += static_cast<int64_t>(s.size());
    EXPECT_EQ(store->size(), total) << mode;
  }
  EXPECT_EQ(steps["memory"], steps["stream"]) << "both modes select the same steps";
  std::set<int64_t> offsets;
  for (const auto& [e, s] : steps["memory"]) {
    const int64_t offset = *s.begin();
    EXPECT_LT(offset, 20);
    offsets.insert(offset);
    int64_t expected = offset;
    for (int64_t step : s) {
      EXPECT_EQ(step, expected) << "episode " << e;
      expected += 20;
    }
    EXPECT_GE(expected, table.length[e]) << "every 20th step up to the end";
  }
  EXPECT_EQ(steps["memory"].size(), 50u);
  EXPECT_GT(offsets.size(), 5u) << "offsets differ between episodes";
}

TEST_F(ExpertStoreTest, StateOnlyBatches) {
  ExpertStoreConfig c = StreamConfig();
  c.state_only = true;
  auto store = Open(*big_, c, 1);
  const Batch b = Draw(*store, 256, /*actions=*/false, /*next=*/true);
  for (int i = 0; i < 256; ++i) EXPECT_EQ(b.next[i * 3], b.obs[i * 3] + 1);
  c.next_observations = false;
  c.mode = "memory";
  auto obs_only = Open(*big_, c, 1);
  const Batch o = Draw(*obs_only, 256, false, false);
  EXPECT_EQ(obs_only->buffer_bytes(), 300000 * (3 * 4 + 1));
}

TEST_F(ExpertStoreTest, AutoModeAndTheMemoryBound) {
  ExpertStoreConfig c;
  c.memory_mib = 64;
  EXPECT_FALSE(Open(*big_, c, 1)->streaming()) << "10 MB fits in 64 MiB";
  c.mode = "stream";
  c.memory_mib = 24;
  auto stream = Open(*big_, c, 1);
  EXPECT_TRUE(stream->streaming());
  EXPECT_LE(stream->buffer_bytes(), 24 << 20);
  c.memory_mib = 12;  // less than the HDF5 caches and blocks need
  auto refused = ExpertStore::Open(*big_, c, 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("memory_mib"), std::string::npos);
}

TEST_F(ExpertStoreTest, ExpertReturnAndTaskDimensions) {
  auto store = Open(*small_, ExpertStoreConfig(), 1);
  auto file = DemoFile::Open(*small_);
  double mean = 0, var = 0;
  for (double r : (*file)->episodes().ret) mean += r / 50;
  for (double r : (*file)->episodes().ret) var += (r - mean) * (r - mean) / 50;
  EXPECT_DOUBLE_EQ(store->mean_return(), mean);
  EXPECT_DOUBLE_EQ(store->std_return(), std::sqrt(var));  // the population std
  EXPECT_TRUE(ExpertStore::Open(*small_, ExpertStoreConfig(), 1, 3, 2).ok());
  auto wrong = ExpertStore::Open(*small_, ExpertStoreConfig(), 1, 11, 2);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("'observations'"), std::string::npos);
}

}  // namespace
}  // namespace irlab
