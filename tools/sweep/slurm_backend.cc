#include "tools/sweep/slurm_backend.h"

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/files.h"
#include "core/process.h"
#include "core/status.h"
#include "core/strings.h"
#include "tools/sweep/cell_state.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxArray = 1000;  // Slurm's default MaxArraySize is 1001

// squeue's compact states of tasks that have not ended yet.
const std::set<std::string> kActiveStates = {"PD", "R",  "CG", "CF", "S",  "ST",
                                             "RQ", "RS", "RH", "RF", "SI", "SO"};

// The exit code the batch script recorded last in a cell's log, if any.
std::optional<std::string> RecordedExit(const Cell& cell) {
  std::ifstream in(LogPath(cell));
  std::string line;
  std::optional<std::string> last;
  while (std::getline(in, line)) {
    if (line.rfind("# irlab sweep: ", 0) != 0) continue;
    if (size_t at = line.rfind(" exit "); at != std::string::npos) {
      last = line.substr(at + 1);
    } else {
      last.reset();  // a later attempt started and recorded nothing yet
    }
  }
  return last;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> SlurmBackend::Create(Options options) {
  for (const char* tool : {"sbatch", "squeue"}) {
    if (!FindInPath(tool)) {
      return absl::FailedPreconditionError(
          StrCat("the slurm backend needs '", tool, "' in PATH (Slurm's client commands)"));
    }
  }
  return std::unique_ptr<Backend>(new SlurmBackend(std::move(options)));
}

std::string SlurmBackend::BatchScript(const std::vector<const Cell*>& cells,
                                      const fs::path& irlab_binary, const fs::path& workdir) {
  std::string s = StrCat(
      "#!/bin/bash\n"
      "# irlab sweep: array task i runs cell i, written ",
      UtcTimestamp(),
      ".\n"
      "# Rerun `irlab sweep` to resume a sweep rather than resubmitting this.\n"
      "set -u\n"
      "cd ",
      ShellQuote(workdir.string()),
      " || exit 1\n"
      ": \"${OMP_NUM_THREADS:=${SLURM_CPUS_PER_TASK:-1}}\"; export OMP_NUM_THREADS\n"
      "now() { date -u +%Y-%m-%dT%H:%M:%SZ; }\n"
      "# run_cell STATE_DIR RUN_DIR ATTEMPTS MKDIR_OUT RESUME_WHEN MARKER_HEAD MARKER_VARS N\n"
      "#          COMMAND[N] RESUME...\n"
      "# (the same steps as the local backend: see tools/sweep/cell_state.h)\n"
      "run_cell() {\n"
      "  local state=$1 dir=$2 attempts=$3 mkdir_out=$4 when=$5 head=$6 vars=$7 n=$8\n"
      "  shift 8\n"
      "  local cmd=(\"${@:1:n}\") resume=(\"${@:n+1}\")\n"
      "  mkdir -p \"$state\" \"$(dirname \"$dir\")\" || return 1\n"
      "  local log=\"$state/sweep.log\" "
      "job=\"${SLURM_ARRAY_JOB_ID:-?}_${SLURM_ARRAY_TASK_ID:-?}\"\n"
      "  if [ -d \"$dir\" ] && [ -n \"$(ls -A \"$dir\")\" ]; then\n"
      "    if [ ${#resume[@]} -gt 0 ] && { [ -z \"$when\" ] || [ -e \"$dir/$when\" ]; }; then\n"
      "      cmd=(\"${resume[@]}\")\n"
      "      echo \"# irlab sweep: resuming the earlier attempt's run directory\" >> \"$log\"\n"
      "    else\n"
      "      local k=1\n"
      "      while [ -e \"$attempts.$k\" ]; do k=$((k + 1)); done\n"
      "      mkdir -p \"$(dirname \"$attempts\")\" && mv \"$dir\" \"$attempts.$k\" || return 1\n"
      "      echo \"# irlab sweep: moved the earlier attempt's files to $attempts.$k\" >> "
      "\"$log\"\n"
      "    fi\n"
      "  fi\n"
      "  if [ \"$mkdir_out\" = 1 ]; then mkdir -p \"$dir\" || return 1; fi\n"
      "  printf '# irlab sweep: %s slurm job %s on %s: %s\\n' \"$(now)\" \"$job\" \"$(hostname)\" "
      "\"${cmd[*]}\" >> \"$log\"\n"
      "  local start=$SECONDS\n"
      "  \"${cmd[@]}\" < /dev/null >> \"$log\" 2>&1\n"
      "  local rc=$?\n"
      "  printf '# irlab sweep: %s exit %d\\n' \"$(now)\" \"$rc\" >> \"$log\"\n"
      "  if [ \"$rc\" -eq 0 ]; then\n"
      "    local tmp=\"$state/.sweep.done.tmp.$$\"\n"
      "    printf '%sseconds = %d\\nfinished = \"%s\"\\njob = \"%s\"\\n%s' \"$head\" "
      "\"$((SECONDS - start))\" \"$(now)\" \"$job\" \"$vars\" > \"$tmp\" &&\n"
      "      mv -f \"$tmp\" \"$state/sweep.done\" || rc=1\n"
      "  fi\n"
      "  return \"$rc\"\n"
      "}\n"
      "case \"${SLURM_ARRAY_TASK_ID:-}\" in\n");
  for (size_t i = 0; i < cells.size(); ++i) {
    const Cell& cell = *cells[i];
    const std::vector<std::string> argv = ResolveCommand(cell.argv, irlab_binary);
    StrAppend(&s, "  ", i, ") run_cell ", ShellQuote(cell.state_dir.string()), " ",
              ShellQuote(cell.run_dir.string()), " ", ShellQuote(cell.attempts.string()), " ",
              cell.mkdir_out ? "1" : "0", " ", ShellQuote(cell.resume_when), " \\\n      ",
              ShellQuote(MarkerHead(cell, "slurm")), " \\\n      ", ShellQuote(MarkerVars(cell)),
              " \\\n      ", argv.size(), " ");
    for (const auto& arg : argv) StrAppend(&s, ShellQuote(arg), " ");
    for (const auto& arg : ResolveCommand(cell.resume_argv, irlab_binary)) {
      StrAppend(&s, ShellQuote(arg), " ");
    }
    s += ";;\n";
  }
  s += "  *) echo \"irlab sweep: no cell for array task '${SLURM_ARRAY_TASK_ID:-}'\" >&2; exit 2 "
       ";;\n"
       "esac\n";
  return s;
}

absl::StatusOr<std::vector<SlurmBackend::Task>> SlurmBackend::Submit(
    const std::vector<const Cell*>& cells) {
  std::vector<Task> tasks;
  std::error_code ec;
  const fs::path workdir = fs::current_path(ec);
  for (size_t begin = 0; begin < cells.size(); begin += kMaxArray) {
    const std::vector<const Cell*> chunk(
        cells.begin() + static_cast<long>(begin),
        cells.begin() + static_cast<long>(std::min(cells.size(), begin + kMaxArray)));
    for (const Cell* cell : chunk) IRLAB_RETURN_IF_ERROR(EnsureDirectory(cell->state_dir));
    // a fresh script per submission: earlier jobs keep theirs
    fs::path script;
    for (int k = 0;; ++k) {
      std::string stamp = UtcTimestamp();  // 2026-11-24T00:31:07Z -> 20261124T003107Z
      std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });
      script = options_.state_dir / StrCat("submit-", stamp, "-", k, ".sh");
      if (!fs::exists(script, ec)) break;
    }
    IRLAB_RETURN_IF_ERROR(
        WriteFileAtomically(script, BatchScript(chunk, options_.irlab_binary, workdir)));
    fs::permissions(script, fs::perms::owner_exec, fs::perm_options::add, ec);

    std::vector<std::string> argv = {
        "sbatch",
        "--parsable",
        StrCat("--job-name=", options_.job_name),
        StrCat("--array=0-", chunk.size() - 1,
               options_.max_running > 0 ? StrCat("%", options_.max_running) : std::string()),
        StrCat("--output=", (options_.state_dir / "slurm-%A_%a.out").string()),
        StrCat("--chdir=", workdir.string()),
        StrCat("--cpus-per-task=", options_.sbatch.cpus_per_task)};
    if (!options_.sbatch.time.empty()) argv.push_back(StrCat("--time=", options_.sbatch.time));
    if (!options_.sbatch.mem.empty()) argv.push_back(StrCat("--mem=", options_.sbatch.mem));
    if (!options_.sbatch.partition.empty()) {
      argv.push_back(StrCat("--partition=", options_.sbatch.partition));
    }
    argv.insert(argv.end(), options_.sbatch.extra_args.begin(), options_.sbatch.extra_args.end());
    argv.push_back(script.string());
    IRLAB_ASSIGN_OR_RETURN(CommandResult result, RunCapture(argv));
    // --parsable prints "jobid" or "jobid;cluster"
    const std::string job_id(
        absl::StripAsciiWhitespace(absl::string_view(result.out).substr(0, result.out.find(';'))));
    int64_t numeric;
    if (result.exit_code != 0 || !absl::SimpleAtoi(job_id, &numeric)) {
      return absl::UnavailableError(StrCat("sbatch failed (exit ", result.exit_code, "): ",
                                           absl::StripAsciiWhitespace(result.err + result.out),
                                           "\n  command: ", ShellJoin(argv)));
    }
    std::string task_list;
    for (size_t i = 0; i < chunk.size(); ++i) {
      tasks.push_back({chunk[i], job_id, static_cast<int>(i)});
      StrAppend(&task_list, i, "\t", chunk[i]->id, "\n");
    }
    IRLAB_RETURN_IF_ERROR(
        WriteFileAtomically(options_.state_dir / StrCat("job-", job_id, ".tasks"), task_list));
    std::ofstream(options_.state_dir / "jobs.txt", std::ios::app) << job_id << "\n";
    std::fprintf(stderr, "submitted Slurm job %s: %zu array tasks (%s; logs %s)\n", job_id.c_str(),
                 chunk.size(), script.filename().c_str(),
                 (options_.state_dir / "slurm-%A_%a.out").c_str());
  }
  return tasks;
}

absl::StatusOr<std::map<int, std::string>> SlurmBackend::QueuedTasks(const std::string& job_id) {
  // a controller that is briefly unreachable is retried before giving up
  for (int attempt = 0;; ++attempt) {
    IRLAB_ASSIGN_OR_RETURN(CommandResult result,
                           RunCapture({"squeue", "-h", "-r", "-j", job_id, "-o", "%K %t"}));
    if (result.exit_code == 0) {
      std::map<int, std::string> tasks;
      const std::vector<std::string> lines =
          absl::StrSplit(result.out, '\n', absl::SkipWhitespace());
      for (const std::string& line : lines) {
        std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipWhitespace());
        int index;
        if (parts.size() == 2 && absl::SimpleAtoi(parts[0], &index) &&
            kActiveStates.count(parts[1])) {
          tasks[index] = parts[1];
        }
      }
      return tasks;
    }
    if (result.err.find("Invalid job id") != std::string::npos) return std::map<int, std::string>();
    if (attempt >= 12) {
      return absl::UnavailableError(StrCat("squeue keeps failing for job ", job_id, ": ",
                                           absl::StripAsciiWhitespace(result.err)));
    }
    std::this_thread::sleep_for(std::chrono::seconds(5));
  }
}

absl::StatusOr<std::vector<SlurmBackend::Task>> SlurmBackend::Adopt(
    const std::vector<const Cell*>& cells) {
  std::map<std::string, const Cell*> by_id;
  for (const Cell* cell : cells) by_id[cell->id] = cell;
  std::vector<Task> tasks;
  std::ifstream jobs(options_.state_dir / "jobs.txt");
  std::string job_id;
  std::set<std::string> seen;
  while (std::getline(jobs, job_id)) {
    job_id = std::string(absl::StripAsciiWhitespace(job_id));
    if (job_id.empty() || !seen.insert(job_id).second) continue;
    IRLAB_ASSIGN_OR_RETURN(auto queued, QueuedTasks(job_id));
    if (queued.empty()) continue;
    std::ifstream list(options_.state_dir / StrCat("job-", job_id, ".tasks"));
    std::string line;
    while (std::getline(list, line)) {
      const size_t tab = line.find('\t');
      int index;
      if (tab == std::string::npos || !absl::SimpleAtoi(line.substr(0, tab), &index)) continue;
      auto it = by_id.find(line.substr(tab + 1));
      if (it == by_id.end() || !queued.count(index)) continue;
      tasks.push_back({it->second, job_id, index});
      by_id.erase(it);
    }
  }
  if (!tasks.empty()) {
    std::fprintf(stderr, "following %zu cells still queued or running from earlier Slurm jobs\n",
                 tasks.size());
  }
  return tasks;
}

std::string SlurmBackend::FailureReason(const Task& task) {
  if (auto exit = RecordedExit(*task.cell)) return *exit;
  // no exit recorded: cancelled, timed out, out of memory or a lost node
  std::string reason = "ended without recording an exit code";
  if (FindInPath("sacct")) {
    auto result = RunCapture({"sacct", "-n", "-P", "-X", "-j", StrCat(task.job_id, "_", task.index),
                              "-o", "State,ExitCode"});
    if (result.ok() && result->exit_code == 0 && !absl::StripAsciiWhitespace(result->out).empty()) {
      const absl::string_view first_line =
          absl::string_view(result->out).substr(0, result->out.find('\n'));
      reason = StrCat("slurm state ", absl::StripAsciiWhitespace(first_line));
    }
  }
  return StrCat(
      reason, "; see ",
      (options_.state_dir / StrCat("slurm-", task.job_id, "_", task.index, ".out")).string());
}

absl::Status SlurmBackend::Run(const std::vector<const Cell*>& cells, SweepObserver& observer) {
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(options_.state_dir));
  IRLAB_ASSIGN_OR_RETURN(std::vector<Task> tasks, Adopt(cells));
  std::set<const Cell*> adopted;
  for (const Task& t : tasks) adopted.insert(t.cell);
  std::vector<const Cell*> fresh;
  for (const Cell* cell : cells) {
    if (!adopted.count(cell)) fresh.push_back(cell);
  }
  if (!fresh.empty()) {
    IRLAB_ASSIGN_OR_RETURN(std::vector<Task> submitted, Submit(fresh));
    tasks.insert(tasks.end(), submitted.begin(), submitted.end());
  }
  std::set<std::string> job_ids;
  for (const Task& t : tasks) job_ids.insert(t.job_id);
  auto jobs_text = [&] {
    std::string s;
    for (const auto& id : job_ids) StrAppend(&s, s.empty() ? "" : " ", id);
    return s;
  };
  if (options_.detach) {
    std::fprintf(stderr,
                 "detached: follow with `squeue -j %s`; run the same irlab sweep command again to "
                 "collect results and resubmit failed cells\n",
                 jobs_text().c_str());
    return absl::OkStatus();
  }

  while (!tasks.empty()) {
    // wait one polling period, redrawing the progress line
    const auto next_poll =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(options_.poll_seconds);
    while (std::chrono::steady_clock::now() < next_poll) {
      if (InterruptRequested()) {
        std::fprintf(stderr,
                     "\nstopped watching; job(s) %s go on in Slurm: run the same command again to "
                     "follow them, or `scancel %s` to stop them\n",
                     jobs_text().c_str(), jobs_text().c_str());
        return absl::CancelledError("interrupted");
      }
      observer.Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::map<std::string, std::map<int, std::string>> queued;
    for (const Task& t : tasks) {
      if (!queued.count(t.job_id)) {
        IRLAB_ASSIGN_OR_RETURN(queued[t.job_id], QueuedTasks(t.job_id));
      }
    }
    for (size_t i = 0; i < tasks.size();) {
      Task& t = tasks[i];
      const auto& active = queued[t.job_id];
      auto it = active.find(t.index);
      if (it != active.end()) {
        if (!t.started && it->second != "PD") {
          t.started = true;
          observer.Started(*t.cell);
        }
        ++i;
        continue;
      }
      // the task left the queue: finished only if its marker says so
      if (!t.started) observer.Started(*t.cell);
      auto finished = IsFinished(*t.cell);
      if (!finished.ok()) return finished.status();
      observer.Ended(*t.cell, *finished, *finished ? "exit 0" : FailureReason(t));
      tasks.erase(tasks.begin() + static_cast<long>(i));
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab::sweep
