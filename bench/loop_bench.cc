// Training-loop throughput next to the physics limit, measured in the same
// run: env steps/s of the whole PPO loop (`irlab expert`) and of the whole
// adversarial round (`irlab train --algo airl`) on HalfCheetah, each divided by
// the rate of two bare mj_step loops running at once on the two cores (random
// controls, the task's frame skip): the most any loop can get out of this
// machine's physics. Baseline and loop alternate over several rounds and the
// median ratio is reported, since the machine's speed drifts.
//
//   build/bench/loop_bench [--steps 40960] [--rounds 3] [--task HalfCheetah] [--only NAME]
//
// --only NAME runs just the loop of that name (a row's first column, e.g.
// --only "AIRL round, PPO 8 minibatches of 256"), for profiling it.
//
// Each loop run is the library call behind the command (TrainExpert,
// TrainAdversarial) into a temporary directory. Two rates of each run:
//   call    the whole call timed from outside: set-up, logging and the final
//           checkpoint included, and for the adversarial runs also what only
//           they do once per call: loading the demonstrations, the random
//           policy's evaluation episode and the final evaluation episode (the
//           PPO runs evaluate nothing). Until issue 20's session the only
//           figure, the one experiments/results/ppo.md quotes up to then.
//   rounds  the run's own steps_per_second at its last round (metrics.jsonl):
//           env steps over the time from the first round's start to the end of
//           the last round's update (every earlier round's logging included),
//           computed alike by TrainExpert and TrainAdversarial, so without the
//           once-per-call work above, which a real run of 1M steps (~490
//           rounds) spreads thin: the rate of the rounds themselves.
// The adversarial runs learn from random-policy demonstrations written first:
// their content does not change the cost.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "algos/adversarial/adversarial.h"
#include "algos/ppo/ppo.h"
#include "bench/raw_physics.h"
#include "core/files.h"
#include "core/json.h"
#include "core/rng.h"
#include "core/status.h"
#include "core/strings.h"
#include "data/demo_writer.h"
#include "data/task_metadata.h"
#include "envs/registry.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using bench::Median;

// Runs fn with stdout sent to /dev/null (the loops log every iteration).
template <class F>
auto Quietly(F fn) {
  std::fflush(stdout);
  const int saved = dup(STDOUT_FILENO);
  FILE* null = std::fopen("/dev/null", "w");
  dup2(fileno(null), STDOUT_FILENO);
  auto result = fn();
  std::fflush(stdout);
  dup2(saved, STDOUT_FILENO);
  close(saved);
  std::fclose(null);
  return result;
}

// Random-policy demonstrations of `task` (5 episodes).
absl::Status WriteRandomDemos(const std::string& task, const fs::path& path) {
  auto env = std::move(*MakeEnv(task));
  const EnvSpec& spec = env->spec();
  DemoMetadata meta = TaskDemoMetadata(spec);
  meta.nq = meta.nv = 0;  // no raw states recorded
  meta.source = "loop_bench random policy";
  IRLAB_ASSIGN_OR_RETURN(auto writer, DemoWriter::Create(path, meta, {.overwrite = true}));
  Rng rng(3);
  std::vector<float> obs(spec.obs_dim), next(spec.obs_dim), act(spec.act_dim);
  for (int e = 0; e < 5; ++e) {
    Episode ep;
    env->Reset(e + 1, obs);
    while (true) {
      for (int j = 0; j < spec.act_dim; ++j) {
        act[j] = static_cast<float>(rng.Uniform(spec.act_low[j], spec.act_high[j]));
      }
      IRLAB_ASSIGN_OR_RETURN(StepResult r, env->Step(act, next));
      ep.AddStep(obs, act, static_cast<float>(r.reward), next, r.terminated, r.truncated);
      if (r.terminated || r.truncated) break;
      obs = next;
    }
    IRLAB_RETURN_IF_ERROR(writer->Append(ep));
  }
  return writer->Close();
}

// The run's steps_per_second at its last round (the last line of metrics.jsonl).
absl::StatusOr<double> RoundsRate(const fs::path& run_dir) {
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(run_dir / "metrics.jsonl"));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const std::string last = text.substr(text.rfind('\n') + 1);  // npos + 1 = 0
  IRLAB_ASSIGN_OR_RETURN(Json row, ParseJson(last, (run_dir / "metrics.jsonl").string()));
  if (!row.contains("steps_per_second") || !row["steps_per_second"].is_number()) {
    return absl::DataLossError(StrCat(run_dir.string(), ": no steps_per_second in metrics.jsonl"));
  }
  return row["steps_per_second"].get<double>();
}

struct Subject {
  std::string name;
  std::function<absl::Status(const fs::path& run_dir)> run;
};

int Main(int argc, char** argv) {
  int64_t steps = 40960;
  int rounds = 3;
  std::string task = "HalfCheetah", only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--steps"))
      steps = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--task"))
      task = argv[i + 1];
    else if (!std::strcmp(argv[i], "--only"))
      only = argv[i + 1];
    else {
      std::fprintf(stderr,
                   "usage: loop_bench [--steps N] [--rounds R] [--task TASK] [--only NAME]\n");
      return 2;
    }
  }
  if ((argc - 1) % 2 || steps < 2048 || rounds < 1) {
    std::fprintf(stderr,
                 "usage: loop_bench [--steps N >= 2048] [--rounds R >= 1] [--task TASK] [--only "
                 "NAME]\n");
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / StrCat("irlab_loop_bench_", getpid());
  fs::create_directories(dir);
  if (absl::Status s = WriteRandomDemos(task, dir / "demos.h5"); !s.ok()) {
    std::fprintf(stderr, "loop_bench: %s\n", std::string(s.message()).c_str());
    return 1;
  }

  auto ppo = [&](int minibatches, bool overlap) {
    return [&, minibatches, overlap](const fs::path& run_dir) {
      PpoRunConfig cfg;
      cfg.env = task;
      cfg.total_steps = steps;
      cfg.checkpoint_every = steps;  // one checkpoint, at the end
      cfg.eval_episodes = 0;
      cfg.ppo.minibatches = minibatches;
      cfg.overlap = overlap;
      if (overlap) cfg.threads = 1;  // the other core runs the update
      return TrainExpert(cfg, run_dir, false);
    };
  };
  auto airl = [&](int minibatches, bool overlap) {
    return [&, minibatches, overlap](const fs::path& run_dir) {
      AdversarialConfig cfg;
      cfg.algo = "airl";
      cfg.env = task;
      cfg.total_steps = steps;
      cfg.eval_every = 0;
      cfg.eval_episodes = 1;
      cfg.demos_file = (dir / "demos.h5").string();
      cfg.demos.mode = "memory";
      cfg.ppo.minibatches = minibatches;
      cfg.overlap = overlap;
      if (overlap) cfg.threads = 1;  // the other core runs the updates
      return TrainAdversarial(cfg, run_dir, false);
    };
  };
  const std::vector<Subject> subjects = {
      {"PPO, 32 minibatches of 64 (algorithms.md recipe)", ppo(32, false)},
      {"PPO, 32 minibatches of 64, overlapped", ppo(32, true)},
      {"PPO, 8 minibatches of 256 (fast profile)", ppo(8, false)},
      {"PPO, 8 minibatches of 256, overlapped", ppo(8, true)},
      {"AIRL round, PPO 32 minibatches of 64", airl(32, false)},
      {"AIRL round, PPO 32 minibatches of 64, overlapped", airl(32, true)},
      {"AIRL round, PPO 8 minibatches of 256", airl(8, false)},
      {"AIRL round, PPO 8 minibatches of 256, overlapped", airl(8, true)},
  };

  if (!only.empty() && std::none_of(subjects.begin(), subjects.end(),
                                    [&](const Subject& s) { return s.name == only; })) {
    std::fprintf(stderr, "loop_bench: no loop named '%s'\n", only.c_str());
    return 2;
  }
  std::printf(
      "%s, %lld env steps per loop run, %d rounds; ratio = loop env steps/s / two bare mj_step\n"
      "loops running at once (median over rounds, each against the baseline just before it);\n"
      "call: the whole call (set-up, evaluations, final checkpoint); rounds: its rounds alone\n\n",
      task.c_str(), static_cast<long long>(steps), rounds);
  std::printf("%-50s %12s %14s %8s %12s %8s\n", "loop", "env steps/s", "2-core raw/s", "ratio",
              "rounds /s", "rounds");
  for (const Subject& subject : subjects) {
    if (!only.empty() && subject.name != only) continue;
    std::vector<double> rates, raws, ratios, round_rates, round_ratios;
    for (int r = 0; r < rounds; ++r) {
      const fs::path run_dir = dir / StrCat("run_", r);
      fs::remove_all(run_dir);
      fs::create_directories(run_dir);
      raws.push_back(bench::ConcurrentRawStepRate(task, 0.5, 2));  // one bare loop per core
      const auto start = Clock::now();
      absl::Status s = Quietly([&] { return subject.run(run_dir); });
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (!s.ok()) {
        std::fprintf(stderr, "loop_bench: %s: %s\n", subject.name.c_str(),
                     std::string(s.message()).c_str());
        return 1;
      }
      rates.push_back(steps / seconds);
      ratios.push_back(rates.back() / raws.back());
      absl::StatusOr<double> round_rate = RoundsRate(run_dir);
      if (!round_rate.ok()) {
        std::fprintf(stderr, "loop_bench: %s: %s\n", subject.name.c_str(),
                     std::string(round_rate.status().message()).c_str());
        return 1;
      }
      round_rates.push_back(*round_rate);
      round_ratios.push_back(round_rates.back() / raws.back());
    }
    std::printf("%-50s %12.0f %14.0f %8.3f %12.0f %8.3f\n", subject.name.c_str(), Median(rates),
                Median(raws), Median(ratios), Median(round_rates), Median(round_ratios));
    std::fflush(stdout);
  }
  fs::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace irlab

int main(int argc, char** argv) { return irlab::Main(argc, argv); }
