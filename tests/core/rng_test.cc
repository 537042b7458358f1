#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace irlab {
namespace {

TEST(RngTest, SameSeedSameStreamAndStateRestores) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(a.NextU64(), b.NextU64());
  a.Normal();  // leaves a cached spare
  const Rng::State saved = a.state();
  const double n1 = a.Normal(), u1 = a.Uniform();
  a.set_state(saved);
  EXPECT_EQ(a.Normal(), n1);
  EXPECT_EQ(a.Uniform(), u1);
}

TEST(RngTest, MomentsAreRight) {
  Rng rng(7);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    su += rng.Uniform();
    const double z = rng.Normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.005);
  EXPECT_NEAR(sn / n, 0.0, 0.01);
  EXPECT_NEAR(sn2 / n, 1.0, 0.01);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(rng.UniformInt(7), 7u);
}

TEST(RngTest, DerivedSeedsDiffer) {
  EXPECT_NE(Rng::DeriveSeed(1, 0), Rng::DeriveSeed(1, 1));
  EXPECT_NE(Rng::DeriveSeed(1, 0), Rng::DeriveSeed(2, 0));
  EXPECT_EQ(Rng::DeriveSeed(3, 5), Rng::DeriveSeed(3, 5));
}

}  // namespace
}  // namespace irlab
