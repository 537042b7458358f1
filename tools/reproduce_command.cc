// irlab reproduce NAME: runs (or resumes) the whole pipeline behind a paper
// table, experts -> demonstrations -> training runs -> table, as the sweep
// files of experiments/reproduce/NAME/ chained by pipeline.toml.
#include <toml++/toml.h>

#include <cstdio>
#include <filesystem>
#include <set>
#include <utility>

#include "core/files.h"
#include "core/process.h"
#include "core/run_info.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/toml_util.h"
#include "tools/cli_util.h"
#include "tools/sweep/cell_state.h"
#include "tools/sweep/plot.h"
#include "tools/sweep/runner.h"
#include "tools/sweep/table.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

struct Stage {
  std::string name;
  fs::path sweep_file;
  sweep::SweepSpec spec;
};

struct Pipeline {
  std::string title;
  std::vector<Stage> stages;
  fs::path table_file;
  std::string plot_stage, plot_metric;
};

// experiments/ of the source tree: --experiments, else ./experiments, else
// the nearest one above the executable (a build directory in the tree).
std::optional<fs::path> FindExperiments(const std::string& flag) {
  std::error_code ec;
  if (!flag.empty()) return fs::path(flag);
  if (fs::is_directory("experiments/reproduce", ec)) return fs::path("experiments");
  for (fs::path dir = SelfExecutable().parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_directory(dir / "experiments" / "reproduce", ec)) return dir / "experiments";
    if (dir == dir.parent_path()) break;
  }
  return std::nullopt;
}

absl::StatusOr<Pipeline> LoadPipeline(const fs::path& dir, const std::string& budget,
                                      const std::vector<std::string>& vars) {
  const fs::path file = dir / "pipeline.toml";
  IRLAB_ASSIGN_OR_RETURN(toml::table t, ParseTomlFile(file));
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(file.string(), t, "", {"title", "stage", "table", "plot"}));
  Pipeline p;
  p.title = t["title"].value_or(std::string());
  const toml::array* stages = t.get_as<toml::array>("stage");
  if (!stages || !stages->is_array_of_tables()) {
    return absl::InvalidArgumentError(StrCat(file.string(), ": expected [[stage]] tables"));
  }
  for (const auto& el : *stages) {
    const toml::table& s = *el.as_table();
    Stage stage;
    stage.name = s["name"].value_or(std::string());
    const std::string sweep_name = s["sweep"].value_or(std::string());
    if (stage.name.empty() || sweep_name.empty() || s.size() != 2) {
      return absl::InvalidArgumentError(StrCat(file.string(), ":",
                                               static_cast<int>(s.source().begin.line),
                                               ": a [[stage]] has exactly name and sweep"));
    }
    stage.sweep_file = dir / sweep_name;
    auto spec = sweep::LoadSweepFile(stage.sweep_file, budget, vars);
    if (!spec.ok()) return spec.status();
    stage.spec = std::move(*spec);
    p.stages.push_back(std::move(stage));
  }
  const std::string table = t["table"].value_or(std::string());
  if (!table.empty()) p.table_file = dir / table;
  p.plot_stage = t["plot"]["stage"].value_or(std::string());
  p.plot_metric = t["plot"]["metric"].value_or(std::string());
  return p;
}

// The irlab subcommands the stages run that this binary lacks.
std::vector<std::string> MissingCommands(const Pipeline& p) {
  std::set<std::string> needed;
  for (const Stage& s : p.stages) {
    if (s.spec.command.size() >= 2 && s.spec.command[0] == "irlab")
      needed.insert(s.spec.command[1]);
  }
  std::vector<std::string> missing;
  const std::string self = SelfExecutable().string();
  for (const std::string& command : needed) {
    auto result = RunCapture({self, command, "--help"}, "", 30);
    if (!result.ok() || result->exit_code != 0) missing.push_back(command);
  }
  return missing;
}

// " with a binary built at <commit>" (the stages run this binary), or
// " at revision <commit>" of the tree when the binary does not know its own.
std::string RevisionNote() {
  if (const auto build = GetBuildRevision()) {
    return StrCat(" with a binary built at ", build->commit.substr(0, 12),
                  build->dirty ? " (with uncommitted changes)" : "");
  }
  if (const auto tree = GitRevision()) {
    return StrCat(" at revision ", tree->substr(0, 12),
                  GitDirty().value_or(false) ? " (with uncommitted changes)" : "");
  }
  return "";
}

// Draws the plot stage's learning curves to `figure` (figure-<task>.png when the
// runs span several tasks); each PNG written with the task it shows ("" for one).
absl::StatusOr<std::vector<std::pair<std::string, fs::path>>> PlotCurves(const Pipeline& pipeline,
                                                                         const fs::path& root,
                                                                         const fs::path& figure) {
  sweep::PlotOptions plot;
  plot.metric = pipeline.plot_metric;
  plot.out = figure;
  IRLAB_ASSIGN_OR_RETURN(std::vector<fs::path> written,
                         sweep::PlotRuns({root / pipeline.plot_stage}, plot));
  std::vector<std::pair<std::string, fs::path>> pngs;
  const std::string stem = figure.stem().string();
  for (const fs::path& file : written) {
    if (file.extension() != ".png") continue;
    const std::string s = file.stem().string();
    pngs.emplace_back(s.size() > stem.size() + 1 ? s.substr(stem.size() + 1) : "", file);
  }
  return pngs;
}

}  // namespace

int ReproduceCommand(const Args& args) {
  std::string budget = "full", out, backend = "local", results, experiments_flag;
  int jobs = 0, retries = 0;
  FlagParser flags("reproduce NAME",
                   "Runs or resumes the pipeline behind a paper table (NAME: gail-table,\n"
                   "airl-imitation, airl-transfer, ppo-experts): the sweeps of\n"
                   "experiments/reproduce/NAME/ in order (experts, demonstrations, training runs)\n"
                   "into <out>/<stage>, then the table into <out>/table.md/.csv and\n"
                   "<results>/NAME-BUDGET.md/.csv, linking the learning curves drawn beside\n"
                   "each (<out>/curves-TASK.png, <results>/figures/NAME-BUDGET-TASK.png).\n"
                   "--budget small is a reduced version for one machine; full is the\n"
                   "paper's protocol; a pipeline may define others ([budget.NAME] in each\n"
                   "of its stage files).");
  flags.Add("budget", &budget, "small, full or another budget the pipeline's files define");
  flags.Add("out", &out, "root of the run directories (default runs/reproduce/NAME/BUDGET)");
  flags.Add("backend", &backend, "local or slurm");
  flags.Add("jobs", &jobs, "cells at once (0: one per core locally, no limit on Slurm)");
  flags.Add("retries", &retries, "run failed cells again up to this many times");
  flags.Add("results", &results, "where the table is also written (default <experiments>/results)");
  flags.Add("experiments", &experiments_flag, "the experiments/ directory (default: found)");
  std::vector<std::string> names;
  flags.CollectPositional(&names);
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (names.size() != 1) {
    std::fprintf(stderr,
                 "irlab reproduce: expected one of gail-table, airl-imitation, "
                 "airl-transfer, ppo-experts (see --help)\n");
    return 2;
  }
  const std::string name = names[0];
  // the name becomes a directory and a results file name
  if (budget.empty() ||
      budget.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    std::fprintf(stderr, "irlab reproduce: --budget %s: expected a name like small or full\n",
                 QuotedString(budget).c_str());
    return 2;
  }
  const auto experiments = FindExperiments(experiments_flag);
  if (!experiments) {
    return Fail("reproduce", absl::NotFoundError(
                                 "cannot find experiments/reproduce (run from the source tree or "
                                 "pass --experiments DIR)"));
  }
  const fs::path dir = *experiments / "reproduce" / name;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Fail("reproduce", absl::NotFoundError(StrCat(dir.string(), ": no such pipeline")));
  }
  if (out.empty()) out = (fs::path("runs") / "reproduce" / name / budget).string();
  const std::string root = fs::absolute(out).lexically_normal().string();
  // every stage file and the table take these two [vars]
  const std::vector<std::string> vars = {
      "root=" + root, "experiments=" + fs::absolute(*experiments).lexically_normal().string()};

  auto pipeline = LoadPipeline(dir, budget, vars);
  if (!pipeline.ok()) return Fail("reproduce", pipeline.status());
  if (auto missing = MissingCommands(*pipeline); !missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += StrCat(list.empty() ? "" : ", ", "`irlab ", m, "`");
    std::fprintf(stderr,
                 "irlab reproduce: error: %s needs %s, which this irlab binary does not have yet "
                 "(they come with the training issues); nothing was run\n",
                 name.c_str(), list.c_str());
    return 1;
  }
  if (absl::Status s = EnsureDirectory(root); !s.ok()) return Fail("reproduce", s);
  Args command_line = {"irlab", "reproduce"};
  command_line.insert(command_line.end(), args.begin(), args.end());
  if (absl::Status s = WriteRunInfo(root, command_line); !s.ok()) return Fail("reproduce", s);

  // the stages, in order; a stage with failed cells stops the pipeline
  std::vector<std::string> notes = {
      StrCat("Budget: ", budget, ". Table made by `irlab reproduce ", name, " --budget ", budget,
             "`", RevisionNote(), " on ", UtcTimestamp(), "; run directories under `", out, "`."),
      "", "Stages (sweep files in experiments/reproduce/" + name + "/):", ""};
  for (const Stage& stage : pipeline->stages) {
    std::fprintf(stderr, "== %s: stage %s (%s)\n", name.c_str(), stage.name.c_str(),
                 stage.sweep_file.filename().c_str());
    sweep::RunOptions options;
    options.out_dir = fs::path(root) / stage.name;
    options.backend = backend;
    options.jobs = jobs;
    options.retries = retries;
    options.command_line = command_line;
    auto summary = sweep::RunSweep(stage.spec, options);
    if (absl::IsCancelled(summary.status())) {
      std::fprintf(stderr, "irlab reproduce: %s\n",
                   std::string(summary.status().message()).c_str());
      return 130;
    }
    if (!summary.ok()) return Fail("reproduce", summary.status());
    if (!summary->failed.empty()) {
      std::fprintf(stderr,
                   "irlab reproduce: stage %s: %zu cells failed (first: %s); fix and run the same "
                   "command again to resume\n",
                   stage.name.c_str(), summary->failed.size(), summary->failed[0].c_str());
      return 1;
    }
    std::string command;
    for (const auto& a : stage.spec.command) command += (command.empty() ? "" : " ") + a;
    std::string vars;
    for (const auto& [k, v] : stage.spec.vars) {
      if (k != "root" && k != "experiments") vars += StrCat(vars.empty() ? "; " : ", ", k, "=", v);
    }
    notes.push_back(
        StrCat("- ", stage.name, " (", summary->total, " runs, ", stage.spec.seeds.size(),
               stage.spec.seeds.size() == 1 ? " seed" : " seeds", vars, "): `", command, "`"));
  }

  // the learning curves (one figure per task), drawn once into <results>/figures and
  // copied beside the run directories as curves[-TASK].png/.svg
  if (results.empty()) results = (*experiments / "results").string();
  const fs::path results_figure = fs::path(results) / "figures" / StrCat(name, "-", budget, ".png");
  std::vector<std::pair<std::string, fs::path>> figures;  // task, PNG under <results>
  if (!pipeline->plot_stage.empty()) {
    auto drawn = PlotCurves(*pipeline, fs::path(root), results_figure);
    if (drawn.ok()) {
      figures = *std::move(drawn);
    } else {
      std::fprintf(stderr, "irlab reproduce: note: no plot: %s\n",
                   std::string(drawn.status().message()).c_str());
    }
  }
  const size_t stem = results_figure.stem().string().size();
  std::vector<std::pair<std::string, fs::path>> local_figures;  // the copies beside the runs
  for (const auto& [task, png] : figures) {
    const std::string suffix = png.stem().string().substr(stem);  // "" or "-TASK"
    for (const char* ext : {".png", ".svg"}) {
      const fs::path from = fs::path(png).replace_extension(ext);
      const fs::path to = fs::path(root) / StrCat("curves", suffix, ext);
      auto bytes = ReadFile(from);
      if (!bytes.ok()) return Fail("reproduce", bytes.status());
      if (absl::Status s = WriteFileAtomically(to, *bytes); !s.ok()) return Fail("reproduce", s);
    }
    local_figures.emplace_back(task, fs::path(root) / StrCat("curves", suffix, ".png"));
  }
  if (pipeline->table_file.empty()) return 0;

  // the table, beside the run directories and in <results>, each copy linking its figures
  auto table = sweep::BuildTable(pipeline->table_file, vars, notes);
  if (!table.ok()) return Fail("reproduce", table.status());
  for (const auto& w : table->warnings)
    std::fprintf(stderr, "irlab reproduce: note: %s\n", w.c_str());
  std::string markdown;
  for (const auto& [prefix, pngs] :
       {std::pair{fs::path(root) / "table", &local_figures},
        std::pair{fs::path(results) / StrCat(name, "-", budget), &figures}}) {
    markdown = table->markdown;  // its notes come last: the figures follow them
    if (!pngs->empty()) {
      StrAppend(&markdown, "\nLearning curves: `", pipeline->plot_metric, "` of the ",
                pipeline->plot_stage,
                " stage's runs, mean ± std over seeds, one figure per task.\n\n");
      for (const auto& [task, png] : *pngs) {
        StrAppend(&markdown, "![", task.empty() ? "learning curves" : task, "](",
                  png.lexically_relative(prefix.parent_path()).string(), ")\n");
      }
    }
    if (absl::Status s = EnsureDirectory(prefix.parent_path()); !s.ok())
      return Fail("reproduce", s);
    for (const auto& [ext, text] : {std::pair{".md", &markdown}, {".csv", &table->csv}}) {
      if (absl::Status s = WriteFileAtomically(prefix.string() + ext, *text); !s.ok()) {
        return Fail("reproduce", s);
      }
    }
    std::fprintf(stderr, "wrote %s.md and .csv\n", prefix.c_str());
  }
  std::printf("%s", markdown.c_str());
  return 0;
}

}  // namespace irlab
