// Shared edges of the subcommands: flag parsing with --help, error printing.
#pragma once

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "core/config.h"
#include "core/files.h"
#include "core/flags.h"
#include "core/run_info.h"
#include "core/strings.h"
#include "tools/commands.h"

namespace irlab {

// Parses flags; returns an exit code to stop with (0 after --help, 2 on a bad
// flag), or -1 to go on.
inline int ParseFlagsOrExit(FlagParser& flags, const Args& args) {
  absl::Status s = flags.Parse(args);
  if (absl::IsCancelled(s)) {
    std::printf("%s", flags.Usage().c_str());
    return 0;
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  return -1;
}

// Adds `--name value` as the config override key=value when the flag was
// given; a bad value is then reported as the flag the user typed.
inline void AddFlagOverride(const FlagParser& flags, const std::string& name,
                            const std::string& key, const std::string& value,
                            std::vector<FlagOverride>& out) {
  if (flags.Seen(name)) out.push_back({"--" + name + " " + value, key + "=" + value});
}

// Prints an error status for `command` and returns exit code 1.
inline int Fail(const char* command, const absl::Status& s) {
  std::fprintf(stderr, "irlab %s: error: %s\n", command, std::string(s.message()).c_str());
  return 1;
}

// Takes back a new run directory when its command fails before the run holds
// anything lasting (no checkpoint.pt and no logged metrics yet: bad
// demonstrations, a reward of the wrong task): removes what the command wrote
// there, and the directory itself if the command created it. A run that failed
// later (a non-finite loss) keeps its metrics and checkpoints. Commands refuse
// a non-empty --out before they start, so nothing else can be in it.
// Construct before creating the directory.
class NewRunDir {
 public:
  explicit NewRunDir(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    created_ = !std::filesystem::exists(dir_, ec);
  }

  // On failure: the start is undone unless the run got as far as a checkpoint or a metrics line.
  void Abandon() const {
    std::error_code ec;
    if (std::filesystem::exists(dir_ / "checkpoint.pt", ec)) return;
    const auto metrics = dir_ / "metrics.jsonl";
    if (std::filesystem::exists(metrics, ec) && std::filesystem::file_size(metrics, ec) > 0 && !ec)
      return;
    if (created_) {
      std::filesystem::remove_all(dir_, ec);
      return;
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
      std::filesystem::remove_all(entry, ec);
  }

 private:
  std::filesystem::path dir_;
  bool created_ = false;
};

// A resumed run's config.toml and run.json as they were before the command
// rewrote them for the resume. A resume that fails before it saves a new
// checkpoint (refused: a damaged checkpoint, a config that changes the
// network, a finished run, bad demonstrations) puts them back, so the run
// keeps its own config, command line, pid and start time. Construct before
// writing them.
class ResumedRunFiles {
 public:
  explicit ResumedRunFiles(std::filesystem::path dir) : dir_(std::move(dir)) {
    for (const char* name : {"config.toml", "run.json"}) {
      if (auto contents = ReadFile(dir_ / name); contents.ok())
        saved_.emplace_back(name, *contents);
    }
    std::error_code ec;
    checkpoint_time_ = std::filesystem::last_write_time(dir_ / "checkpoint.pt", ec);
  }

  // On failure: restores both files unless the resume saved a checkpoint.
  void RestoreIfNoNewCheckpoint() const {
    std::error_code ec;
    if (std::filesystem::last_write_time(dir_ / "checkpoint.pt", ec) != checkpoint_time_) return;
    for (const auto& [name, contents] : saved_) (void)WriteFileAtomically(dir_ / name, contents);
  }

 private:
  std::filesystem::path dir_;
  std::vector<std::pair<std::string, std::string>> saved_;
  std::filesystem::file_time_type checkpoint_time_{};
};

// The run directory of a training command (expert, train): --out for a new
// run or --resume for an existing one, exactly one of them. A resume takes the
// run's own config.toml (then --set on top), so --config with --resume is
// refused. Returns an exit code to stop with (2), or -1 to go on.
inline int CheckRunFlags(const char* command, const std::string& out, const std::string& resume,
                         const std::string& config_file) {
  if (out.empty() == resume.empty()) {
    std::fprintf(stderr,
                 "irlab %s: give exactly one of --out (new run) or --resume (existing run)\n",
                 command);
    return 2;
  }
  if (!resume.empty() && !config_file.empty()) {
    std::fprintf(stderr, "irlab %s: --resume uses the run's config.toml; use --set to change it\n",
                 command);
    return 2;
  }
  return -1;
}

// The config file a training command loads: a resumed run's own config.toml,
// else --config (empty: the built-in defaults).
inline std::filesystem::path ConfigToLoad(const std::string& resume,
                                          const std::string& config_file) {
  return resume.empty() ? std::filesystem::path(config_file)
                        : std::filesystem::path(resume) / "config.toml";
}

// Starts (or, with `resume`, continues) a training run in run_dir: a new run
// needs a new or empty directory; config_toml and run.json are written, then
// `train` runs. When anything fails, a new run's directory is taken back
// (NewRunDir) and a resumed run's config.toml and run.json are put back
// (ResumedRunFiles). Returns the command's exit code.
inline int RunTraining(const char* command, const Args& args, const std::filesystem::path& run_dir,
                       bool resume, const std::string& config_toml,
                       const std::function<absl::Status()>& train) {
  const NewRunDir fresh(run_dir);
  const ResumedRunFiles before(run_dir);
  if (!resume) {
    std::error_code ec;
    if (std::filesystem::exists(run_dir, ec) && !std::filesystem::is_empty(run_dir, ec)) {
      return Fail(command,
                  absl::AlreadyExistsError(StrCat(run_dir.string(),
                                                  ": exists and is not empty; use --resume "
                                                  "to continue it or choose a new --out")));
    }
  }
  absl::Status s = resume ? absl::OkStatus() : EnsureDirectory(run_dir);
  if (s.ok()) s = WriteFileAtomically(run_dir / "config.toml", config_toml);
  if (s.ok()) s = WriteRunInfo(run_dir, command, args);
  if (s.ok()) s = train();
  if (!s.ok()) {
    if (resume) {
      before.RestoreIfNoNewCheckpoint();
    } else {
      fresh.Abandon();
    }
    return Fail(command, s);
  }
  return 0;
}

}  // namespace irlab
