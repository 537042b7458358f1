// Env throughput next to the physics limit measured in the same run: for each
// task, env steps/s of one Env and of the VecEnv on 2 threads, each reported
// with the raw mj_step loop on the same model (frame_skip substeps per env
// step, random controls) as its baseline. Ratios, not absolute rates, are the
// figures to compare across runs on this shared machine.
//
//   build/bench/envs_bench --benchmark_filter=HalfCheetah
#include <benchmark/benchmark.h>
#include <mujoco/mujoco.h>

#include <chrono>
#include <cmath>

#include "core/rng.h"
#include "envs/model_library.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"
#include "envs/vec_env.h"

namespace irlab {
namespace {

using Clock = std::chrono::steady_clock;

// Env steps/s of a bare mj_step loop on the task's model, one thread.
double RawStepRate(const std::string& task, double min_seconds) {
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
    for (int k = 0; k < 1000; ++k, ++env_steps) {
      for (int i = 0; i < m->nu; ++i) d->ctrl[i] = rng.Uniform(-1, 1);
      for (int s = 0; s < frame_skip; ++s) mj_step(m, d);
      if (env_steps % 1000 == 999) mj_resetData(m, d);
    }
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  mj_deleteData(d);
  return env_steps / elapsed;
}

void BM_SingleEnv(benchmark::State& state, std::string task) {
  const double raw_before = RawStepRate(task, 0.3);
  auto env = std::move(*MakeEnv(task));
  const EnvSpec& spec = env->spec();
  std::vector<float> obs(spec.obs_dim), act(spec.act_dim);
  Rng rng(1);
  env->Reset(0, obs);
  uint64_t episode = 0;
  for (auto _ : state) {
    for (auto& a : act) a = static_cast<float>(rng.Uniform(-1, 1));
    auto r = env->Step(act, obs);
    if (r->terminated || r->truncated) env->Reset(++episode, obs);
  }
  const double raw = 0.5 * (raw_before + RawStepRate(task, 0.3));
  state.counters["env_steps/s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["raw_mj_steps/s"] = raw;
  // fraction of the physics limit: filled in after the run from the rate above
  state.SetLabel("raw = bare mj_step loop, 1 thread");
}

void BM_VecEnv2Threads(benchmark::State& state, std::string task) {
  const int num_envs = 16;
  const double raw_before = RawStepRate(task, 0.3);
  auto vec = std::move(*VecEnv::Make(task, num_envs, {}, 2));
  std::vector<float> actions(num_envs * vec->spec().act_dim);
  Rng rng(1);
  vec->Reset(0);
  for (auto _ : state) {
    for (auto& a : actions) a = static_cast<float>(rng.Uniform(-1, 1));
    (void)vec->Step(actions);
  }
  const double raw = 0.5 * (raw_before + RawStepRate(task, 0.3));
  state.counters["env_steps/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * num_envs, benchmark::Counter::kIsRate);
  state.counters["2x_raw_mj_steps/s"] = 2 * raw;
  state.SetLabel("16 envs; baseline = 2 x bare mj_step loop on 1 thread");
}

void RegisterAll() {
  for (const std::string& task : EnvNames()) {
    if (task == "Pendulum") continue;  // closed form, no physics baseline
    benchmark::RegisterBenchmark(("SingleEnv/" + task).c_str(), BM_SingleEnv, task)->MinTime(1.0)->UseRealTime();
    benchmark::RegisterBenchmark(("VecEnv2Threads/" + task).c_str(), BM_VecEnv2Threads, task)
        ->MinTime(1.0)
        ->UseRealTime();
  }
}

// Prints each run's rate as a fraction of its baseline next to the usual table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const auto rate = run.counters.find("env_steps/s");
      auto base = run.counters.find("raw_mj_steps/s");
      if (base == run.counters.end()) base = run.counters.find("2x_raw_mj_steps/s");
      if (rate == run.counters.end() || base == run.counters.end()) continue;
      // counters are finalised (rates divided by time) before reporting
      std::printf("  -> %-32s %.3f of %s\n", run.benchmark_name().c_str(),
                  static_cast<double>(rate->second) / static_cast<double>(base->second),
                  base->first.c_str());
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
