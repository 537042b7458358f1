// A small, fast, seedable random number generator (xoshiro256**) whose whole
// state is four words plus one cached normal, so checkpoints can save it and
// results do not depend on the standard library's distributions.
#pragma once

#include <array>
#include <cstdint>

namespace irlab {

class Rng {
 public:
  struct State {
    std::array<uint64_t, 4> s{};
    bool has_spare = false;
    double spare = 0.0;
  };

  explicit Rng(uint64_t seed = 0) { Seed(seed); }

  // Re-seeds from one word (expanded with splitmix64).
  void Seed(uint64_t seed);

  uint64_t NextU64();
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Standard normal (polar Box-Muller, caches the second value).
  double Normal();
  double Normal(double mean, double stddev) { return mean + stddev * Normal(); }
  // Uniform integer in [0, n), n > 0, without modulo bias.
  uint64_t UniformInt(uint64_t n);

  // Derives an independent seed for stream `index` (for per-env generators).
  static uint64_t DeriveSeed(uint64_t seed, uint64_t index);

  const State& state() const { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  State state_;
};

}  // namespace irlab
