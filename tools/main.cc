// irlab: one binary, one subcommand per job.
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <string>
#include <utility>

#include "algos/common/compute_threads.h"
#include "tools/build_revision.h"
#include "tools/commands.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  std::function<int(const irlab::Args&)> run;
};

const Command kCommands[] = {
    {"demo", "the end-to-end demo: AIRL learns Pendulum from shipped demos", irlab::DemoCommand},
    {"envs", "list the tasks with their dimensions, dt and horizon", irlab::EnvsCommand},
    {"rollout", "run a scripted or random policy on a task; print returns and steps/s",
     irlab::RolloutCommand},
    {"expert", "train a PPO expert on a task's true reward", irlab::ExpertCommand},
    {"eval", "evaluate a trained policy's true return", irlab::EvalCommand},
    {"export", "a policy or learned reward as TorchScript for PyTorch", irlab::ExportCommand},
    {"collect", "roll out a policy and write demonstrations to HDF5", irlab::CollectCommand},
    {"train", "AIRL, GAIL, GAN-GCL or BC from demonstrations", irlab::TrainCommand},
    {"transfer", "re-optimise a learned reward in changed dynamics", irlab::TransferCommand},
    {"replay", "view policies or demos in MuJoCo; videos; maze heatmaps", irlab::ReplayCommand},
    {"inspect", "summarise and validate a demonstration file", irlab::InspectCommand},
    {"convert", "convert demonstrations to/from Minari and D4RL layouts", irlab::ConvertCommand},
    {"tabular", "classic IRL (MaxEnt, deep MaxEnt, projection, max margin)", irlab::TabularCommand},
    {"sweep", "run a sweep file's cells locally or on Slurm; rerun to resume", irlab::SweepCommand},
    {"table", "aggregate finished runs into a paper-style Markdown/CSV table", irlab::TableCommand},
    {"plot", "learning curves (mean and band over seeds) as PNG and SVG", irlab::PlotCommand},
    {"reproduce", "run or resume the pipeline behind a paper table", irlab::ReproduceCommand},
};

void PrintUsage() {
  std::printf(
      "usage: irlab <command> [flags]   (irlab <command> --help for its flags)\n\n"
      "Inverse RL and adversarial imitation on native MuJoCo.\n\ncommands:\n");
  for (const auto& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    PrintUsage();
    return argc < 2 ? 2 : 0;
  }
  // One compute thread unless a trainer's config asks for more: the same numbers
  // whatever OMP_NUM_THREADS the environment holds (sweeps set it per job).
  irlab::SetComputeThreads(1);
  if (irlab::BuildRevision build = irlab::BuildRevisionOfThisBinary(); !build.commit.empty()) {
    irlab::SetBuildRevision(std::move(build));
  }
  for (const auto& c : kCommands) {
    if (std::strcmp(argv[1], c.name) != 0) continue;
    try {
      return c.run(irlab::Args(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "irlab %s: error: %s\n", c.name, e.what());
      return 1;
    }
  }
  std::fprintf(stderr, "irlab: unknown command '%s'\n\n", argv[1]);
  PrintUsage();
  return 2;
}
