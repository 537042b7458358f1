// A uniform sample of fixed size from a stream of items (reservoir sampling,
// Vitter's algorithm R): after n offers, each of the n is held with the same
// probability min(1, capacity / n), so the oldest items are as likely to be in
// it as the newest. Deterministic given the Rng; its whole state is the held
// items and the number offered, which a checkpoint saves and Restore reloads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/rng.h"

namespace irlab {

template <typename T>
class Reservoir {
 public:
  explicit Reservoir(size_t capacity = 0) : capacity_(capacity) {}

  // Offers one more item; true if it is held (it may replace an earlier one).
  // Draws from `rng` only once the reservoir is full.
  bool Offer(const T& item, Rng& rng) {
    if (capacity_ == 0) return false;
    ++offered_;
    if (items_.size() < capacity_) {
      items_.push_back(item);
      return true;
    }
    const uint64_t slot = rng.UniformInt(static_cast<uint64_t>(offered_));
    if (slot >= capacity_) return false;
    items_[slot] = item;
    return true;
  }

  // The state a checkpoint saved: `items` (at most the capacity) out of `offered`.
  bool Restore(std::vector<T> items, int64_t offered) {
    if (items.size() > capacity_ || offered < static_cast<int64_t>(items.size())) return false;
    items_ = std::move(items);
    offered_ = offered;
    return true;
  }

  const std::vector<T>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const T& operator[](size_t k) const { return items_[k]; }
  size_t capacity() const { return capacity_; }
  int64_t offered() const { return offered_; }

 private:
  size_t capacity_;
  std::vector<T> items_;
  int64_t offered_ = 0;
};

}  // namespace irlab
