#include "core/reservoir.h"

#include <gtest/gtest.h>

#include <cmath>

namespace irlab {
namespace {

TEST(ReservoirTest, FillsFirstThenKeepsAUniformSampleOfEverythingOffered) {
  // 100 items through a reservoir of 10, many times: every item, the first as
  // much as the last, ends up held with probability 10 / 100.
  const int n = 100, capacity = 10, trials = 20000;
  std::vector<int> held(n, 0);
  Rng rng(3);
  for (int t = 0; t < trials; ++t) {
    Reservoir<int> r(capacity);
    for (int i = 0; i < n; ++i) r.Offer(i, rng);
    ASSERT_EQ(r.size(), size_t(capacity));
    ASSERT_EQ(r.offered(), n);
    for (int x : r.items()) ++held[x];
  }
  const double p = double(capacity) / n, sd = std::sqrt(trials * p * (1 - p));
  for (int i = 0; i < n; ++i) EXPECT_NEAR(held[i], trials * p, 5 * sd) << "item " << i;
  // the first 10 offers fill it without drawing from the generator
  Reservoir<int> r(capacity);
  Rng a(5), b(5);
  for (int i = 0; i < capacity; ++i) EXPECT_TRUE(r.Offer(i, a));
  EXPECT_EQ(a.NextU64(), b.NextU64());
}

TEST(ReservoirTest, RestoredStateContinuesLikeTheOriginal) {
  Reservoir<int> whole(4), part(4);
  Rng a(11);
  for (int i = 0; i < 30; ++i) whole.Offer(i, a);
  Rng b(11);
  for (int i = 0; i < 17; ++i) part.Offer(i, b);
  Reservoir<int> resumed(4);
  ASSERT_TRUE(resumed.Restore(part.items(), part.offered()));
  for (int i = 17; i < 30; ++i) resumed.Offer(i, b);
  EXPECT_EQ(resumed.items(), whole.items());
  EXPECT_EQ(resumed.offered(), 30);
  // a state that cannot have come from this reservoir is refused
  EXPECT_FALSE(resumed.Restore({1, 2, 3, 4, 5}, 9));  // more than the capacity
  EXPECT_FALSE(resumed.Restore({1, 2, 3}, 2));        // more held than offered
  Reservoir<int> none(0);
  EXPECT_FALSE(none.Offer(1, a));
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace irlab
