// irlab sweep FILE --out DIR: runs every cell of a sweep file as its own
// process, locally or as a Slurm array; rerunning resumes.
#include <cstdio>

#include "tools/cli_util.h"
#include "tools/sweep/cell_state.h"
#include "tools/sweep/runner.h"

namespace irlab {

int SweepCommand(const Args& args) {
  std::string out, backend = "local", budget;
  int jobs = 0, retries = 0;
  double poll = 5;
  bool detach = false, status = false, dry_run = false;
  std::vector<std::string> vars;
  FlagParser flags("sweep FILE",
                   "Runs the command template of a sweep file (experiments/*.toml) at every grid\n"
                   "point and seed, each cell a process with its own run directory\n"
                   "<out>/<var>-<value>_.../seed-<s>; logs and done markers go to\n"
                   "<out>/.sweep/cells/. Resumable: run the same command again to skip finished\n"
                   "cells and rerun failed or interrupted ones. Finished results are never\n"
                   "overwritten. Exit 0 when every cell has finished.");
  flags.Add("out", &out, "directory for the run directories");
  flags.Add("backend", &backend, "local (a process pool) or slurm (one sbatch --array job)");
  flags.Add("jobs", &jobs,
            "cells at once; local: 0 = one per core; slurm: array throttle, 0 = none");
  flags.Add("retries", &retries, "run failed cells again up to this many times");
  flags.Add("budget", &budget, "apply the file's [budget.NAME] section");
  flags.Add("var", &vars, "name=value overriding an entry of the file's [vars]");
  flags.Add("detach", &detach, "slurm: submit and return; rerun to collect and resubmit");
  flags.Add("poll", &poll, "slurm: seconds between squeue polls");
  flags.Add("status", &status, "print each cell's state (done, failed, pending) and exit");
  flags.Add("dry-run", &dry_run, "print each cell's command and exit");
  flags.Require("out");
  std::vector<std::string> files;
  flags.CollectPositional(&files);
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (files.size() != 1) {
    std::fprintf(stderr, "irlab sweep: expected one sweep file (see --help)\n");
    return 2;
  }
  if (jobs < 0 || retries < 0 || poll <= 0) {
    std::fprintf(stderr, "irlab sweep: --jobs and --retries must be >= 0, --poll > 0\n");
    return 2;
  }

  auto spec = sweep::LoadSweepFile(files[0], budget, vars);
  if (!spec.ok()) return Fail("sweep", spec.status());
  if (dry_run) {
    auto cells = sweep::ExpandSweep(*spec, out);
    if (!cells.ok()) return Fail("sweep", cells.status());
    for (const auto& cell : *cells) {
      std::string line;
      for (const auto& a : cell.argv) line += (line.empty() ? "" : " ") + a;
      std::printf("%s\t%s\n", cell.id.c_str(), line.c_str());
    }
    return 0;
  }
  if (status) {
    auto text = sweep::DescribeSweep(*spec, out);
    if (!text.ok()) return Fail("sweep", text.status());
    std::printf("%s", text->c_str());
    return 0;
  }

  sweep::RunOptions options;
  options.out_dir = out;
  options.backend = backend;
  options.jobs = jobs;
  options.retries = retries;
  options.detach = detach;
  options.poll_seconds = poll;
  options.command_line = {"irlab", "sweep"};
  options.command_line.insert(options.command_line.end(), args.begin(), args.end());
  auto summary = sweep::RunSweep(*spec, options);
  if (absl::IsCancelled(summary.status())) {
    std::fprintf(stderr, "irlab sweep: %s\n", std::string(summary.status().message()).c_str());
    return 130;
  }
  if (!summary.ok()) return Fail("sweep", summary.status());
  std::printf("%s: %d cells: %d finished before, %d finished now, %zu failed", spec->name.c_str(),
              summary->total, summary->skipped, summary->done, summary->failed.size());
  if (summary->submitted) std::printf(", %d submitted", summary->submitted);
  std::printf("\n");
  for (size_t i = 0; i < summary->failed.size(); ++i) {
    const std::string& id = summary->failed[i];
    std::printf("  failed: %s\n", id.c_str());
    // the end of the first few logs, so the cause is visible without digging
    if (i < 3) std::printf("%s", sweep::LogTail(sweep::CellLogPath(out, id), 4).c_str());
  }
  if (!summary->failed.empty()) {
    std::printf("run the same command again to retry the failed cells\n");
    return 1;
  }
  return 0;
}

}  // namespace irlab
