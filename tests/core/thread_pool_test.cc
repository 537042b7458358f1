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
// the block behind it: with one item 50x dearer than the rest, the other
// thread takes every cheap one.
TEST(ThreadPoolTest, ForEachBalancesUnevenItems) {
  ThreadPool pool(2);
  std::vector<std::atomic<int>> ran_on_slow_thread(8);
  std::atomic<bool> slow_running{false};
  pool.ParallelForEach(8, [&](int64_t b, int64_t e) {
    ASSERT_EQ(e, b + 1);
    if (b == 0) {
      slow_running = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      slow_running = false;
      return;
    }
    // any index other than 0 claimed while index 0 sleeps ran on the other thread
    if (!slow_running) ran_on_slow_thread[b]++;
  });
  int balanced = 0;
  for (int i = 1; i < 8; ++i) balanced += ran_on_slow_thread[i].load() == 0;
  EXPECT_GE(balanced, 6);  // at most one cheap index can finish before index 0 starts
}

}  // namespace
}  // namespace irlab
