// The physics limit the benchmarks divide by: bare mj_step loops on a task's
// model (random controls in [-1, 1], the task's frame skip, a reset every 1000
// env steps), with no env, observation or policy code around them.
#pragma once

#include <mujoco/mujoco.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "core/rng.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"

namespace irlab::bench {

// Env steps/s of one bare loop on this thread for about `min_seconds`
// (NaN for a task without a MuJoCo model).
inline double RawStepRate(const std::string& task, double min_seconds) {
  using Clock = std::chrono::steady_clock;
  auto env = std::move(*MakeEnv(task));
  auto* mj_env = dynamic_cast<MujocoEnv*>(env.get());
  if (!mj_env) return NAN;
  const mjModel* m = mj_env->model();
  const int frame_skip = static_cast<int>(std::lround(env->spec().dt / m->opt.timestep));
  mjData* d = mj_makeData(m);
  Rng rng(0);
  int64_t env_steps = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < min_seconds) {
    for (int k = 0; k < 100; ++k, ++env_steps) {
      for (int i = 0; i < m->nu; ++i) d->ctrl[i] = rng.Uniform(-1, 1);
      for (int s = 0; s < frame_skip; ++s) mj_step(m, d);
      if (env_steps % 1000 == 999) mj_resetData(m, d);
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  mj_deleteData(d);
  return env_steps / elapsed;
}

// Summed env steps/s of `threads` bare loops running at once, one per thread:
// what the cores deliver together, which can be less than threads x the
// single-thread rate (shared caches, memory bandwidth, clock boost).
inline double ConcurrentRawStepRate(const std::string& task, double min_seconds, int threads) {
  std::vector<double> rates(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { rates[t] = RawStepRate(task, min_seconds); });
  }
  for (auto& w : workers) w.join();
  double sum = 0;
  for (double r : rates) sum += r;
  return sum;
}

// The median of `v` (which it sorts).
inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace irlab::bench
