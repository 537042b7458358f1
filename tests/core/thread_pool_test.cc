#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace irlab {
namespace {

// Both schedules, alternating on one pool: every index exactly once per call.
TEST(ThreadPoolTest, CoversEveryIndexOnceAcrossManyCalls) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int n : {0, 1, 2, 7, 100}) {
      for (int rep = 0; rep < 50; ++rep) {
        std::vector<std::atomic<int>> hits(n);
        auto count = [&](int64_t b, int64_t e) {
          for (int64_t i = b; i < e; ++i) hits[i]++;
        };
        if (rep % 2) {
          pool.ParallelForEach(n, count);
        } else {
          pool.ParallelFor(n, count);
        }
        for (int i = 0; i < n; ++i)
          ASSERT_EQ(hits[i].load(), 1) << threads << " " << n << " " << rep;
      }
    }
  }
}

// ParallelForEach hands out single indices, so a slow item does not hold up
// the block behind it: index 0 holds its thread until the seven others have
// run, which only the other thread can do when indices are handed out one at a
// time (with blocks of four, it would wait on its own block).
TEST(ThreadPoolTest, ForEachBalancesUnevenItems) {
  ThreadPool pool(2);
  std::atomic<int> others_done{0};
  bool all_ran_meanwhile = false;
  pool.ParallelForEach(8, [&](int64_t b, int64_t e) {
    ASSERT_EQ(e, b + 1);
    if (b != 0) {
      ++others_done;
      return;
    }
    // a pool that does not balance ends the test here instead of hanging it
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (others_done.load() < 7 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    all_ran_meanwhile = others_done.load() == 7;
  });
  EXPECT_TRUE(all_ran_meanwhile);
}

}  // namespace
}  // namespace irlab
