// Env throughput next to the physics limit measured in the same run: for each
// task, env steps/s of one Env and of the VecEnv on 2 threads, each reported
// with the raw mj_step loop on the same model (frame_skip substeps per env
// step, random controls) as its baseline. Ratios, not absolute rates, are the
// figures to compare across runs on this shared machine.
//
//   build/bench/envs_bench --benchmark_filter=HalfCheetah
#include <benchmark/benchmark.h>
#include <mujoco/mujoco.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "bench/raw_physics.h"
#include "core/rng.h"
#include "envs/model_library.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/vec_env.h"

namespace irlab {
namespace {

using Clock = std::chrono::steady_clock;

using bench::ConcurrentRawStepRate;
using bench::Median;
using bench::RawStepRate;

constexpr int kRounds = 10;            // measurement rounds, baseline and subject alternating
constexpr double kRoundSeconds = 0.2;  // length of each measurement

// Calls `steps()` (which returns the env steps it did) until `seconds` pass;
// returns env steps/s.
template <class F>
double StepRate(double seconds, F steps) {
  int64_t done = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    done += steps();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  return done / elapsed;
}

// The machine is shared and its speed drifts within seconds, so each figure is
// the median over rounds of (subject rate / baseline rate measured just before).
void BM_SingleEnv(benchmark::State& state, std::string task) {
  auto env = std::move(*MakeEnv(task));
  const EnvSpec& spec = env->spec();
  std::vector<float> obs(spec.obs_dim), act(spec.act_dim);
  Rng rng(1);
  env->Reset(0, obs);
  uint64_t episode = 0;
  auto step_some = [&] {
    for (int k = 0; k < 100; ++k) {
      for (auto& a : act) a = static_cast<float>(rng.Uniform(-1, 1));
      auto r = env->Step(act, obs);
      if (r->terminated || r->truncated) env->Reset(++episode, obs);
    }
    return 100;
  };
  std::vector<double> rates, raws, ratios;
  for (auto _ : state) {
    for (int round = 0; round < kRounds; ++round) {
      raws.push_back(RawStepRate(task, kRoundSeconds));
      rates.push_back(StepRate(kRoundSeconds, step_some));
      ratios.push_back(rates.back() / raws.back());
    }
  }
  state.counters["env_steps/s"] = Median(rates);
  state.counters["raw_mj_steps/s"] = Median(raws);
  state.counters["ratio"] = Median(ratios);
  state.SetLabel("ratio = median over rounds of env / bare mj_step loop, 1 thread");
}

void BM_VecEnv2Threads(benchmark::State& state, std::string task) {
  const int num_envs = 16;
  auto vec = std::move(*VecEnv::Make(task, num_envs, {}, 2));
  std::vector<float> actions(num_envs * vec->spec().act_dim);
  Rng rng(1);
  vec->Reset(0);
  auto step_some = [&] {
    for (int k = 0; k < 10; ++k) {
      for (auto& a : actions) a = static_cast<float>(rng.Uniform(-1, 1));
      (void)vec->Step(actions);
    }
    return 10 * num_envs;
  };
  std::vector<double> rates, raws, concurrent, ratios, concurrent_ratios;
  for (auto _ : state) {
    for (int round = 0; round < kRounds; ++round) {
      raws.push_back(2 * RawStepRate(task, kRoundSeconds));
      concurrent.push_back(ConcurrentRawStepRate(task, kRoundSeconds, 2));
      rates.push_back(StepRate(kRoundSeconds, step_some));
      ratios.push_back(rates.back() / raws.back());
      concurrent_ratios.push_back(rates.back() / concurrent.back());
    }
  }
  state.counters["env_steps/s"] = Median(rates);
  state.counters["2x_raw_mj_steps/s"] = Median(raws);
  state.counters["2_concurrent_raw/s"] = Median(concurrent);
  state.counters["ratio"] = Median(ratios);
  state.counters["concurrent_ratio"] = Median(concurrent_ratios);
  state.SetLabel(
      "16 envs; ratio = median over rounds of VecEnv / (2 x bare mj_step loop, 1 thread)");
}

void RegisterAll() {
  for (const std::string& task : EnvNames()) {
    if (task == "Pendulum") continue;  // closed form, no physics baseline
    benchmark::RegisterBenchmark(("SingleEnv/" + task).c_str(), BM_SingleEnv, task)
        ->Iterations(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("VecEnv2Threads/" + task).c_str(), BM_VecEnv2Threads, task)
        ->Iterations(1)
        ->UseRealTime();
  }
}

// Prints each run's rate as a fraction of its baseline next to the usual table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const auto ratio = run.counters.find("ratio");
      if (ratio == run.counters.end()) continue;
      std::printf("  -> %-28s %.3f of %s", run.benchmark_name().c_str(),
                  static_cast<double>(ratio->second),
                  run.counters.count("2x_raw_mj_steps/s") ? "2 x raw mj_step" : "raw mj_step");
      if (auto c = run.counters.find("concurrent_ratio"); c != run.counters.end()) {
        std::printf("; %.3f of 2 raw loops running at once", static_cast<double>(c->second));
      }
      std::printf("\n");
    }
  }
};

}  // namespace
}  // namespace irlab

int main(int argc, char** argv) {
  irlab::RegisterAll();
  benchmark::Initialize(&argc, argv);
  irlab::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  return 0;
}
