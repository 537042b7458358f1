#include "core/thread_pool.h"

#include <atomic>

namespace irlab {
namespace {

// Block `index` of `parts` equal blocks over [0, n).
std::pair<int64_t, int64_t> Block(int64_t n, int parts, int index) {
  return {n * index / parts, n * (index + 1) / parts};
}

}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  for (int i = 1; i < std::max(1, num_threads); ++i) {
    workers_.emplace_back([this, i] { WorkerLoop(i); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  const int parts = num_threads();
  if (parts == 1 || n <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  {
    std::lock_guard lock(mu_);
    job_ = &fn;
    job_size_ = n;
    pending_ = parts - 1;
    ++generation_;
  }
  start_cv_.notify_all();
  auto [begin, end] = Block(n, parts, 0);
  if (begin < end) fn(begin, end);
  std::unique_lock lock(mu_);
  done_cv_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::WorkerLoop(int worker_index) {
  uint64_t seen = 0;
  while (true) {
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n;
    {
      std::unique_lock lock(mu_);
      start_cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      job = job_;
      n = job_size_;
    }
    auto [begin, end] = Block(n, num_threads(), worker_index);
    if (begin < end) (*job)(begin, end);
    {
      std::lock_guard lock(mu_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }
}

}  // namespace irlab
