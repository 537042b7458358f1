// A fixed pool of worker threads for data-parallel loops. The calling thread
// takes part, so a pool of N threads starts N-1 workers. Work is split into
// fixed contiguous blocks, so which thread runs which index is deterministic.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace irlab {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(begin, end) on disjoint blocks covering [0, n), one block per
  // thread, and returns when all are done. Not reentrant.
  void ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop(int worker_index);

  // Workers and the caller spin briefly before sleeping: waking a thread
  // through a condition variable costs tens of microseconds here, as much as
  // an env step, so short parallel loops would otherwise wait on the wake-up.
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_size_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  int sleeping_workers_ = 0;  // guarded by mu_
  bool caller_sleeping_ = false;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
};

}  // namespace irlab
