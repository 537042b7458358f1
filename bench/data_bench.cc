// Expert-minibatch sampling throughput from a 10M-transition demonstration
// file: the ExpertStore streaming (bounded memory) next to in-memory, in the
// same run, each with the process's peak resident memory above what it was
// before the store opened. The file (HalfCheetah sizes: obs 17, act 6,
// qpos 9, qvel 9; 10,000 episodes of 1000 steps) is generated on first use.
//
//   build/bench/data_bench [--benchmark_filter=Stream]
//   IRLAB_BENCH_DEMOS=/path/to/file.h5 picks another file (it must exist or
//   is generated there).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/rng.h"
#include "data/demo_writer.h"
#include "data/expert_store.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kEpisodes = 10000, kLength = 1000;
constexpr int kObs = 17, kAct = 6, kNq = 9, kNv = 9;

fs::path DemoPath() {
  const char* env = std::getenv("IRLAB_BENCH_DEMOS");
  return env != nullptr ? fs::path(env) : fs::path("/tmp/irlab_bench_demos_10M.h5");
}

// A field of /proc/self/status in MiB (VmRSS, VmHWM).
double ProcStatusMiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return NAN;
}

// CPU seconds of the process (who = RUSAGE_SELF) or the calling thread
// (RUSAGE_THREAD).
double CpuSeconds(int who) {
  rusage u;
  getrusage(who, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

// Resets the peak resident size (VmHWM) to the current one.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Smooth trajectories with noise: all mantissa bits used, as real obs are.
bool Generate(const fs::path& path) {
  std::fprintf(stderr, "generating %s (%d x %d transitions) ...\n", path.c_str(), kEpisodes,
               kLength);
  const auto start = Clock::now();
  DemoMetadata m;
  m.task = "HalfCheetah";
  m.obs_dim = kObs;
  m.act_dim = kAct;
  m.nq = kNq;
  m.nv = kNv;
  m.dt = 0.05;
  m.horizon = kLength;
  m.act_low.assign(kAct, -1.0);
  m.act_high.assign(kAct, 1.0);
  m.source = "data_bench synthetic";
  auto writer = DemoWriter::Create(path, m, {.overwrite = true});
  if (!writer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(writer.status().message()).c_str());
    return false;
  }
  Rng rng(1);
  Episode ep;
  std::vector<float> obs(kObs), next(kObs), act(kAct);
  std::vector<double> qpos(kNq), qvel(kNv);
  for (int e = 0; e < kEpisodes; ++e) {
    ep.Clear();
    const double phase = rng.Uniform(0, 6.28);
    auto state = [&](int t, float* o) {
      for (int j = 0; j < kObs; ++j) {
        o[j] =
            static_cast<float>(std::sin(0.1 * t + phase + j) + 0.01 * std::sin(37.0 * t * (j + 1)));
      }
    };
    for (int t = 0; t < kLength; ++t) {
      state(t, obs.data());
      state(t + 1, next.data());
      for (float& a : act) a = static_cast<float>(rng.Uniform(-1, 1));
      for (double& q : qpos) q = rng.Normal();
      for (double& v : qvel) v = rng.Normal();
      ep.AddStep(obs, act, static_cast<float>(rng.Normal(4.0, 1.0)), next, false, t == kLength - 1,
                 qpos, qvel);
    }
    ep.seed = static_cast<uint64_t>(e);
    if (absl::Status s = (*writer)->Append(ep); !s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
      return false;
    }
  }
  if (absl::Status s = (*writer)->Close(); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return false;
  }
  std::fprintf(stderr, "wrote %.2f GB in %.0f s\n", fs::file_size(path) / 1e9,
               std::chrono::duration<double>(Clock::now() - start).count());
  return true;
}

// Samples batches of state.range(0) transitions (obs, act, next obs,
// terminal) from a store in `mode`; counters give the open time and memory.
void BM_Sample(benchmark::State& state, const char* mode, double reuse) {
  const int batch = static_cast<int>(state.range(0));
  ExpertStoreConfig config;
  config.mode = mode;
  config.memory_mib = 256;
  config.reuse = reuse;
  ResetPeakRss();
  const double rss_before = ProcStatusMiB("VmRSS");
  const auto start = Clock::now();
  auto store = ExpertStore::Open(DemoPath(), config, 0);
  if (!store.ok()) {
    state.SkipWithError(std::string(store.status().message()).c_str());
    return;
  }
  const double open_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double open_mib = ProcStatusMiB("VmHWM") - rss_before;
  std::vector<float> obs(batch * kObs), act(batch * kAct), next(batch * kObs);
  std::vector<uint8_t> terminal(batch);
  double checksum = 0;
  const double process_cpu = CpuSeconds(RUSAGE_SELF), main_cpu = CpuSeconds(RUSAGE_THREAD);
  for (auto _ : state) {
    if (absl::Status s =
            (*store)->Sample(batch, obs.data(), act.data(), next.data(), terminal.data());
        !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
    checksum += obs[0];
  }
  benchmark::DoNotOptimize(checksum);
  // CPU spent by the sampling thread and by the background reader: on a
  // loaded machine the wall-clock rate is bounded by the reader's share of a
  // core, so items / reader_cpu_s is the rate with a core of its own
  const double main_seconds = CpuSeconds(RUSAGE_THREAD) - main_cpu;
  state.counters["main_cpu_s"] = main_seconds;
  state.counters["reader_cpu_s"] = CpuSeconds(RUSAGE_SELF) - process_cpu - main_seconds;
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["open_s"] = open_seconds;
  state.counters["open_MiB"] = open_mib;  // peak while opening (and filling the pool)
  state.counters["store_MiB"] = ProcStatusMiB("VmHWM") - rss_before;  // peak above the baseline
  state.counters["peak_rss_MiB"] = ProcStatusMiB("VmHWM");
  state.counters["buffers_MiB"] = (*store)->buffer_bytes() / double(1 << 20);
  state.counters["transitions"] = static_cast<double>((*store)->size());
}

// Fixed iterations: each case opens its store once (the in-memory one loads
// the whole file). 10M samples per case.
BENCHMARK_CAPTURE(BM_Sample, stream, "stream", 1.0)
    ->Arg(256)
    ->Iterations(40000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Sample, stream, "stream", 1.0)
    ->Arg(4096)
    ->Iterations(2500)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Sample, stream_reuse4, "stream", 4.0)
    ->Arg(4096)
    ->Iterations(2500)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Sample, memory, "memory", 1.0)
    ->Arg(4096)
    ->Iterations(2500)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace irlab

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (!std::filesystem::exists(irlab::DemoPath()) && !irlab::Generate(irlab::DemoPath())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
