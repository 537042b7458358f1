#include "core/rng.h"

#include <cmath>

namespace irlab {
namespace {

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

void Rng::Seed(uint64_t seed) {
  uint64_t x = seed;
  for (auto& word : state_.s) word = SplitMix64(x);
  state_.has_spare = false;
  state_.spare = 0.0;
}

uint64_t Rng::NextU64() {
  auto& s = state_.s;
  const uint64_t result = Rotl(s[1] * 5, 7) * 9;
  const uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

double Rng::Normal() {
  if (state_.has_spare) {
    state_.has_spare = false;
    return state_.spare;
  }
  double u, v, r2;
  do {
    u = 2.0 * Uniform() - 1.0;
    v = 2.0 * Uniform() - 1.0;
    r2 = u * u + v * v;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double scale = std::sqrt(-2.0 * std::log(r2) / r2);
  state_.spare = v * scale;
  state_.has_spare = true;
  return u * scale;
}

uint64_t Rng::UniformInt(uint64_t n) {
  // rejection sampling on the top of the range keeps every value equally likely
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do {
    x = NextU64();
  } while (x >= limit);
  return x % n;
}

uint64_t Rng::DeriveSeed(uint64_t seed, uint64_t index) {
  uint64_t x = seed ^ (0xd1b54a32d192ed03ULL * (index + 1));
  SplitMix64(x);
  return SplitMix64(x);
}

}  // namespace irlab
