// The round's relabel of the rollout with the learned reward: the same bits
// with one thread or two, and as the discriminator's GeneratorReward of the
// normalised samples.
#include "algos/adversarial/disc_batches.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "algos/adversarial/learned_reward.h"
#include "core/rng.h"
#include "core/thread_pool.h"

namespace irlab {
namespace {

constexpr int kObs = 7, kAct = 3;

// A policy with some normaliser statistics, and n random raw transitions.
PolicyState MakePolicy() {
  PolicyState p;
  p.net = std::make_unique<ActorCritic>(kObs, kAct, std::vector<int>{64, 64},
                                        std::vector<int>{64, 64}, -0.5, 4);
  p.obs_rms = RunningMeanStd(kObs);
  Rng rng(5);
  std::vector<float> seen(50 * kObs);
  for (float& x : seen) x = static_cast<float>(rng.Normal() * 3 + 1);
  p.obs_rms.Update(seen, 50);
  return p;
}

PolicySamples RandomSamples(int n, uint64_t seed) {
  Rng rng(seed);
  PolicySamples s;
  auto fill = [&](std::vector<float>& v, size_t size, double scale) {
    v.resize(size);
    for (float& x : v) x = static_cast<float>(rng.Normal() * scale);
  };
  fill(s.obs, size_t(n) * kObs, 4);
  fill(s.next_obs, size_t(n) * kObs, 4);
  fill(s.act_sampled, size_t(n) * kAct, 1.5);
  s.act = s.act_sampled;
  for (float& a : s.act) a = std::clamp(a, -1.0f, 1.0f);
  s.done.resize(n);
  for (float& d : s.done) d = rng.Uniform(0, 1) < 0.1 ? 1.0f : 0.0f;
  return s;
}

TEST(RelabelSamplesTest, TwoThreadsGiveTheBitsOfGeneratorRewardOnOne) {
  const PolicyState policy = MakePolicy();
  ThreadPool pool(2);
  for (const char* algo : {"airl", "airl-sa", "gail"}) {
    AdversarialConfig cfg;
    cfg.algo = algo;
    cfg.disc.entropy_weight = 0.7;
    torch::manual_seed(3);
    auto disc = MakeDiscriminator(cfg, kObs, kAct);
    ASSERT_TRUE(disc.ok()) << disc.status();
    for (int n : {1, 37, 2048}) {
      const PolicySamples samples = RandomSamples(n, n + 11);
      // the round before: normalised, log pi, then the generator reward
      NormalizedBatch batch;
      NormalizeSamples(policy, samples, (*disc)->kind() == DiscriminatorKind::kAirl, batch);
      std::vector<float> expected(n), one(n, NAN), two(n, NAN);
      (*disc)->GeneratorReward(batch.View(), expected.data());
      NormalizedBatch work;  // reused: a second call sees the first's buffers
      RelabelSamples(policy, **disc, samples, one.data(), nullptr, work);
      RelabelSamples(policy, **disc, samples, two.data(), &pool, work);
      EXPECT_EQ(std::memcmp(expected.data(), one.data(), n * sizeof(float)), 0) << algo << n;
      EXPECT_EQ(std::memcmp(expected.data(), two.data(), n * sizeof(float)), 0) << algo << n;
    }
  }
}

}  // namespace
}  // namespace irlab
