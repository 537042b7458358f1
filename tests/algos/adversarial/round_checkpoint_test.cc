// The round's checkpoint entries: read back into a fresh round, the expert
// store continues with the batches the saved round would have drawn next;
// an older checkpoint (no expert_store/*) catches the store up by re-drawing;
// damaged entries are refused by name.
#include "algos/adversarial/round_checkpoint.h"

#include <gtest/gtest.h>

#include <sstream>

#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

constexpr int kBatch = 64;

// A round's state over a small synthetic demonstration file (obs 3, act 2).
struct Round {
  AdversarialConfig cfg;
  std::unique_ptr<Discriminator> disc;
  std::unique_ptr<DiscriminatorOptimizer> optimizer;
  std::unique_ptr<ExpertStore> store;
  std::unique_ptr<PolicyReplay> replay;
  RoundState View() { return {*disc, *optimizer, *store, *replay}; }
};

AdversarialConfig Config(const std::string& mode) {
  AdversarialConfig cfg;
  cfg.disc.batch_size = kBatch;
  cfg.demos.mode = mode;
  cfg.demos.memory_mib = 24;
  cfg.demos.reuse = 0.7;
  return cfg;
}

fs::path Demos() {
  static const fs::path path = [] {
    const fs::path p = fs::path(::testing::TempDir()) / "round_checkpoint_demos.h5";
    std::vector<int> lengths;
    for (int e = 0; e < 40; ++e) lengths.push_back(50 + e);
    testing::WriteTestFile(p, lengths);
    return p;
  }();
  return path;
}

Round Open(const AdversarialConfig& cfg) {
  Round r;
  r.cfg = cfg;
  torch::manual_seed(1);
  r.disc = std::move(MakeDiscriminator(cfg, 3, 2)).value();
  r.optimizer = std::make_unique<DiscriminatorOptimizer>(r.disc->num_params(), 1e-3);
  auto store = ExpertStore::Open(Demos(), cfg.demos, 9);
  EXPECT_TRUE(store.ok()) << store.status();
  r.store = std::move(store).value();
  r.replay = std::make_unique<PolicyReplay>(cfg.disc);
  return r;
}

// The observations of the store's next batch.
std::vector<float> NextBatch(ExpertStore& store) {
  std::vector<float> obs(kBatch * 3), act(kBatch * 2), next(kBatch * 3);
  std::vector<uint8_t> terminal(kBatch);
  EXPECT_TRUE(store.Sample(kBatch, obs.data(), act.data(), next.data(), terminal.data()).ok());
  return obs;
}

torch::serialize::InputArchive RoundTrip(torch::serialize::OutputArchive& out) {
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  return in;
}

TEST(RoundCheckpointTest, ARestoredStoreDrawsWhatTheSavedOneWouldHave) {
  for (const char* mode : {"memory", "stream"}) {
    SCOPED_TRACE(mode);
    Round saved = Open(Config(mode));
    for (int k = 0; k < 100; ++k) NextBatch(*saved.store);  // the pool refilled several times
    torch::serialize::OutputArchive out;
    WriteRoundState(out, saved.cfg, saved.View());
    torch::serialize::InputArchive in = RoundTrip(out);
    Round restored = Open(Config(mode));
    ASSERT_TRUE(ReadRoundState(in, "round.pt", restored.cfg, restored.View()).ok());
    EXPECT_EQ(restored.store->draw_state().batches, 100);
    for (int k = 0; k < 30; ++k) ASSERT_EQ(NextBatch(*restored.store), NextBatch(*saved.store));
  }
}

TEST(RoundCheckpointTest, AnOlderCheckpointCatchesTheStoreUpByRedrawing) {
  Round saved = Open(Config("stream"));
  for (int k = 0; k < 100; ++k) NextBatch(*saved.store);
  torch::serialize::OutputArchive out;  // what checkpoints held before expert_store/*
  WriteDiscriminator(out, saved.cfg, *saved.disc, *saved.optimizer, 100);
  torch::serialize::InputArchive in = RoundTrip(out);
  Round restored = Open(Config("stream"));
  ASSERT_TRUE(ReadRoundState(in, "old.pt", restored.cfg, restored.View()).ok());
  EXPECT_EQ(restored.store->draw_state().batches, 100);
  for (int k = 0; k < 30; ++k) ASSERT_EQ(NextBatch(*restored.store), NextBatch(*saved.store));
}

TEST(RoundCheckpointTest, DamagedStoreEntriesAreRefusedByName) {
  Round saved = Open(Config("memory"));
  torch::serialize::OutputArchive out;
  WriteDiscriminator(out, saved.cfg, *saved.disc, *saved.optimizer, 0);
  out.write("expert_store/rng", torch::zeros({3}, torch::kInt64));  // 5 words expected
  torch::serialize::InputArchive in = RoundTrip(out);
  Round restored = Open(Config("memory"));
  const absl::Status s = ReadRoundState(in, "bad.pt", restored.cfg, restored.View());
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("bad.pt: damaged 'expert_store/*' entries"), std::string::npos) << s;
}

}  // namespace
}  // namespace irlab
