#include "core/thread_pool.h"

#include <chrono>

namespace irlab {
namespace {

// Block `index` of `parts` equal blocks over [0, n).
std::pair<int64_t, int64_t> Block(int64_t n, int parts, int index) {
  return {n * index / parts, n * (index + 1) / parts};
}

// Spins until pred() holds or ~kSpin elapses; returns pred().
template <class Pred>
bool SpinUntil(Pred pred) {
  constexpr auto kSpin = std::chrono::microseconds(200);
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  while (!pred()) {
    for (int i = 0; i < 64; ++i) __builtin_ia32_pause();
    if (std::chrono::steady_clock::now() > deadline) return pred();
  }
  return true;
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
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::ParallelFor(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  Run(n, fn, /*dynamic=*/false);
}

void ThreadPool::ParallelForEach(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  Run(n, fn, /*dynamic=*/true);
}

void ThreadPool::RunShare(int thread_index) {
  if (!job_dynamic_) {
    auto [begin, end] = Block(job_size_, num_threads(), thread_index);
    if (begin < end) (*job_)(begin, end);
    return;
  }
  for (int64_t i = next_index_.fetch_add(1, std::memory_order_relaxed); i < job_size_;
       i = next_index_.fetch_add(1, std::memory_order_relaxed)) {
    (*job_)(i, i + 1);
  }
}

void ThreadPool::Run(int64_t n, const std::function<void(int64_t, int64_t)>& fn, bool dynamic) {
  const int parts = num_threads();
  if (parts == 1 || n <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  job_ = &fn;
  job_size_ = n;
  job_dynamic_ = dynamic;
  next_index_.store(0, std::memory_order_relaxed);
  pending_.store(parts - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);  // publishes job_ and job_size_
  {
    std::lock_guard lock(mu_);
    if (sleeping_workers_ > 0) start_cv_.notify_all();
  }
  RunShare(0);
  auto done = [this] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!SpinUntil(done)) {
    std::unique_lock lock(mu_);
    caller_sleeping_ = true;
    done_cv_.wait(lock, done);
    caller_sleeping_ = false;
  }
  job_ = nullptr;
}

void ThreadPool::WorkerLoop(int worker_index) {
  uint64_t seen = 0;
  while (true) {
    auto started = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!SpinUntil(started)) {
      std::unique_lock lock(mu_);
      ++sleeping_workers_;
      start_cv_.wait(lock, started);
      --sleeping_workers_;
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    seen = generation_.load(std::memory_order_acquire);
    RunShare(worker_index);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard lock(mu_);
      if (caller_sleeping_) done_cv_.notify_one();
    }
  }
}

void SideBySide(ThreadPool* pool, const std::function<void()>& first,
                const std::function<void()>& second) {
  if (!pool || pool->num_threads() < 2) {
    first();
    second();
    return;
  }
  pool->ParallelFor(2, [&](int64_t begin, int64_t end) {
    for (int64_t part = begin; part < end; ++part) part == 0 ? first() : second();
  });
}

}  // namespace irlab
