#include "algos/ppo/gae.h"

#include <gtest/gtest.h>

#include <vector>

namespace irlab {
namespace {

TEST(GaeTest, HandComputedWithTruncationAndTermination) {
  // one env, four steps: step 1 is truncated (bootstrap from V(final obs) = 10),
  // step 3 terminates (no future value)
  const std::vector<float> rewards = {1, 2, 3, 4};
  const std::vector<float> values = {0.5, 1.0, 1.5, 2.0};
  const std::vector<float> next_values = {1.0, 10.0, 2.0, 99.0};  // 99 must be ignored
  const std::vector<uint8_t> terminated = {0, 0, 0, 1};
  const std::vector<uint8_t> truncated = {0, 1, 0, 0};
  const double g = 0.9, l = 0.8;
  std::vector<float> adv(4), ret(4);
  ComputeGae(rewards, values, next_values, terminated, truncated, 4, 1, g, l, adv, ret);
  const double d3 = 4 - 2.0;            // terminal: r - V
  const double d2 = 3 + g * 2.0 - 1.5;  // into step 3
  const double a3 = d3, a2 = d2 + g * l * a3;
  const double d1 = 2 + g * 10.0 - 1.0;  // truncated: bootstrap, no carry
  const double a1 = d1;
  const double d0 = 1 + g * 1.0 - 0.5, a0 = d0 + g * l * a1;
  EXPECT_NEAR(adv[0], a0, 1e-5);
  EXPECT_NEAR(adv[1], a1, 1e-5);
  EXPECT_NEAR(adv[2], a2, 1e-5);
  EXPECT_NEAR(adv[3], a3, 1e-5);
  for (int t = 0; t < 4; ++t) EXPECT_NEAR(ret[t], adv[t] + values[t], 1e-5);
}

TEST(GaeTest, EnvsAreIndependentAndLambdaOneIsMonteCarlo) {
  // two envs, time-major [T, N]; with lambda = 1 and no endings, the return is
  // the discounted sum plus the discounted bootstrap
  const int T = 3, N = 2;
  const std::vector<float> rewards = {1, 0, 1, 0, 1, 5};
  const std::vector<float> values = {0, 0, 0, 0, 0, 0};
  const std::vector<float> next_values = {0, 0, 0, 0, 2, 3};
  const std::vector<uint8_t> none(6, 0);
  std::vector<float> adv(6), ret(6);
  ComputeGae(rewards, values, next_values, none, none, T, N, 0.5, 1.0, adv, ret);
  EXPECT_NEAR(ret[0], 1 + 0.5 * 1 + 0.25 * 1 + 0.125 * 2, 1e-6);  // env 0
  EXPECT_NEAR(ret[1], 0 + 0.5 * 0 + 0.25 * 5 + 0.125 * 3, 1e-6);  // env 1
}

}  // namespace
}  // namespace irlab
