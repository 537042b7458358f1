// Sweep files: a command template, the points to run it at, and seeds.
//
//   name = "rollout-demo"
//   command = "irlab rollout --env {env} --policy {policy} --seed {seed} --out {out}"
//   seeds = [0, 1, 2]
//
//   [grid]                      # the product of these lists...
//   env = ["Hopper", "Walker2d"]
//   policy = ["random", "sine"]
//
//   [[cells]]                   # ...and these single points, each run at every seed
//   env = "Ant"
//   policy = "random"
//
//   [vars]                      # constants, usable as {placeholders}; --var k=v overrides
//   episodes = 4
//
//   [budget.small]              # --budget small replaces seeds/vars/grid/cells given here
//   seeds = [0]
//
//   [slurm]                     # sbatch options for --backend slurm
//   time = "02:00:00"
//
// Optional top-level keys: `resume_command`, run instead of `command` when an
// earlier attempt left a non-empty run directory (e.g. "irlab expert --resume
// {out}"; without it that directory is moved aside to
// <out>/.sweep/attempts/<cell>.<k> and the cell starts afresh);
// `resume_when = "checkpoint.pt"`, a file in {out} without which a partial
// run is not resumable and starts afresh too; `mkdir_out = true` to create {out} before the command
// runs (for commands that write files into an existing directory), and `name_by = ["env", "n"]`:
// the variables that name the run directories (default: all of them; the
// others are attributes of a point, like a config file that follows from the
// task).
//
// `grid` may also be an array of tables ([[grid]]): the union of their
// products. The command is split into arguments like a shell would split it
// (quotes group, no other shell syntax), then each {placeholder} is replaced:
// a point's variables, {seed}, {out} (the run directory), {sweep_out} (the
// --out directory) and [vars] (which may themselves hold placeholders).
// A leading "irlab" runs the irlab binary that runs the sweep.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab::sweep {

using Vars = std::map<std::string, std::string>;  // name -> value as text

// sbatch options for the Slurm backend.
struct SlurmOptions {
  std::string time = "01:00:00";        // --time per array task
  int cpus_per_task = 1;                // --cpus-per-task
  std::string mem;                      // --mem, e.g. "4G" (empty: cluster default)
  std::string partition;                // --partition (empty: default partition)
  std::vector<std::string> extra_args;  // passed to sbatch as they are
};

struct SweepSpec {
  std::filesystem::path file;               // where it was read from
  std::string name;                         // defaults to the file's stem
  std::string budget;                       // the budget applied ("" for the top level)
  std::vector<std::string> command;         // argument templates
  std::vector<std::string> resume_command;  // for a cell with a partial run directory
  std::string resume_when;                  // ...that has this file ("": any partial run)
  bool mkdir_out = false;                   // create {out} before running
  std::vector<int64_t> seeds = {0};
  std::vector<std::string> keys;     // point variables, in order of first appearance
  std::vector<std::string> name_by;  // the variables in directory names (empty: all)
  std::vector<Vars> points;          // grid products and cells, without seeds
  Vars vars;                         // constants
  SlurmOptions slurm;
};

// One process to run: a point at a seed. Its bookkeeping (log, done marker)
// lives in `state_dir`, beside the run directory and never in it, since
// commands may insist on creating their --out themselves.
struct Cell {
  std::string id;                        // e.g. "env-Hopper_policy-sine/seed-1"; stable
  Vars vars;                             // the point's variables and "seed"
  std::vector<std::string> argv;         // the command, placeholders replaced
  std::filesystem::path run_dir;         // <out>/<id>
  std::vector<std::string> resume_argv;  // empty: no resume command
  std::filesystem::path state_dir;       // <out>/.sweep/cells/<id>
  std::filesystem::path attempts;        // <out>/.sweep/attempts/<id>: earlier attempts go to .<k>
  std::string resume_when;               // resume only when {out}/<this> exists
  bool mkdir_out = false;
};

// Reads a sweep file, applying `budget` (if not empty) and `var_overrides`
// ("name=value", each naming a [vars] entry). Errors name the file, line and
// key.
absl::StatusOr<SweepSpec> LoadSweepFile(const std::filesystem::path& path,
                                        const std::string& budget = "",
                                        const std::vector<std::string>& var_overrides = {});
// The same for TOML text; `source` names it in errors.
absl::StatusOr<SweepSpec> ParseSweep(std::string_view text, std::string_view source,
                                     const std::string& budget = "",
                                     const std::vector<std::string>& var_overrides = {});

// Every point at every seed, in file order (points outer, seeds inner), with
// run directories under `out_dir` (made absolute).
absl::StatusOr<std::vector<Cell>> ExpandSweep(const SweepSpec& spec,
                                              const std::filesystem::path& out_dir);

// Replaces {name} in `text` from `vars`, then from `constants` (which may
// hold placeholders themselves); "{{" and "}}" are literal braces.
absl::StatusOr<std::string> Substitute(std::string_view text, const Vars& vars,
                                       const Vars& constants);

// Splits a command line into arguments: whitespace separates, '...' and "..."
// group (backslash escapes inside "..." and outside quotes).
absl::StatusOr<std::vector<std::string>> SplitCommand(std::string_view command);

}  // namespace irlab::sweep
