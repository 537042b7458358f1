// Child processes: every program irlab starts (a sweep's cells, sbatch and
// squeue, gnuplot, ffmpeg, git) is started here, from an argv and never
// through a shell.
//
//   RunCapture({"squeue", "-h", "-j", id})        runs to completion, output captured
//   Subprocess::Start(argv, {.log = path})       runs alongside, output to a file
//
// A program that cannot be started (not in PATH, not executable) is an error
// of the call that starts it: "cannot start ffmpeg: No such file or directory".
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace irlab {

struct SpawnOptions {
  // stdout and stderr both go to this file (made 0644 if missing); empty:
  // this process's own stdout and stderr
  std::filesystem::path log;
  bool append_log = false;  // append to the log instead of replacing it
  // stdin is a pipe written with Subprocess::Write; otherwise /dev/null
  bool input_pipe = false;
  // "NAME=value" entries added to the environment (replacing NAME's value)
  std::vector<std::string> env;
  // A job of its own (a sweep's cell): its own process group, SIGTERM when
  // this process dies, and default handling of SIGINT, SIGTERM and SIGHUP
  // whatever this process ignores.
  bool own_group = false;
};

// A started program. Destroying it while it runs closes its input and waits
// for it to end.
class Subprocess {
 public:
  // Starts argv[0] (searched in PATH when it has no '/').
  static absl::StatusOr<Subprocess> Start(const std::vector<std::string>& argv,
                                          const SpawnOptions& options = {});
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }

  // Writes all of `data` to its stdin (SpawnOptions::input_pipe); an error if
  // it has stopped reading.
  absl::Status Write(const void* data, size_t size);
  // Its wait status if it has ended, without blocking; nullopt while it runs.
  std::optional<int> Poll();
  // Closes its stdin, waits for it to end and returns the wait status.
  int Wait();
  // Sends `signal` to it, or to its process group (SpawnOptions::own_group).
  void Signal(int signal) const;

 private:
  Subprocess(pid_t pid, int input_fd, bool own_group, std::string name)
      : pid_(pid), input_fd_(input_fd), own_group_(own_group), name_(std::move(name)) {}
  void CloseInput();

  pid_t pid_ = -1;
  int input_fd_ = -1;
  bool own_group_ = false;
  std::string name_;                // argv[0], for messages
  std::optional<int> wait_status_;  // once reaped
};

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string out, err;
};

// Runs argv to completion, capturing its output; `input` is written to its
// stdin. An error only when it cannot be started or exceeds `timeout_seconds`
// (then it is killed).
absl::StatusOr<CommandResult> RunCapture(const std::vector<std::string>& argv,
                                         const std::string& input = "",
                                         double timeout_seconds = 120);

// The exit code of a wait status (128 + signal for a killed process).
int ExitCodeOf(int wait_status);
// "exit 3" or "killed by SIGKILL".
std::string DescribeWaitStatus(int wait_status);

// The path of `name` in PATH as execvp finds it (an empty entry is the
// working directory; a name with '/' is taken as it is), if there.
std::optional<std::filesystem::path> FindInPath(std::string_view name);
// This process's executable (/proc/self/exe; its path, even after the file
// was replaced by a rebuild).
std::filesystem::path SelfExecutable();

// `s` quoted for a POSIX shell (single quotes).
std::string ShellQuote(std::string_view s);
// argv as a shell command line, quoting only where needed.
std::string ShellJoin(const std::vector<std::string>& argv);

}  // namespace irlab
