// A fixed pool of worker threads for data-parallel loops. The calling thread
// takes part, so a pool of N threads starts N-1 workers. ParallelFor splits
// the work into fixed contiguous blocks, so which thread runs which index is
// deterministic; ParallelForEach hands out indices one at a time, for items
// whose cost varies (the results must not depend on the thread).
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

  // Calls fn(i, i + 1) for every i in [0, n), each index claimed by whichever
  // thread is free next, and returns when all are done. Balances uneven items
  // (e.g. env steps whose contact count differs). Not reentrant.
  void ParallelForEach(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void WorkerLoop(int worker_index);
  void Run(int64_t n, const std::function<void(int64_t, int64_t)>& fn, bool dynamic);
  void RunShare(int thread_index);  // this thread's block, or claimed indices

  // Workers and the caller spin briefly before sleeping: waking a thread
  // through a condition variable costs tens of microseconds here, as much as
  // an env step, so short parallel loops would otherwise wait on the wake-up.
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_size_ = 0;
  bool job_dynamic_ = false;
  std::atomic<int64_t> next_index_{0};  // the next unclaimed index (dynamic jobs)
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  int sleeping_workers_ = 0;      // guarded by mu_
  bool caller_sleeping_ = false;  // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
};

// Runs first() and second() on two threads of pool when it has them, else one
// after the other on this thread; returns when both are done. For two pieces
// of work that share no mutable state (the results are then the same bits
// either way).
void SideBySide(ThreadPool* pool, const std::function<void()>& first,
                const std::function<void()>& second);

}  // namespace irlab
