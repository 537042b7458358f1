// Child processes for the sweep machinery: cells that run detached with
// their output appended to a log, and short helper commands (sbatch, squeue,
// gnuplot) whose output is captured.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab::sweep {

// Starts argv[0] (searched in PATH when it has no '/') in its own process
// group, stdin from /dev/null, stdout and stderr appended to `log`, `env`
// ("NAME=value") added to the environment. The child gets SIGTERM if this
// process dies. Returns its pid.
absl::StatusOr<pid_t> SpawnLogged(const std::vector<std::string>& argv,
                                  const std::filesystem::path& log,
                                  const std::vector<std::string>& env = {});

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

// The exit code of a waitpid status (128 + signal for a killed process).
int ExitCodeOf(int wait_status);
// "exit 3" or "killed by SIGKILL".
std::string DescribeWaitStatus(int wait_status);

// The absolute path of `name` in PATH, if there.
std::optional<std::filesystem::path> FindInPath(const std::string& name);
// This process's executable (/proc/self/exe; its path, even after the file
// was replaced by a rebuild).
std::filesystem::path SelfExecutable();

// `s` quoted for a POSIX shell (single quotes).
std::string ShellQuote(std::string_view s);
// argv as a shell command line, quoting only where needed.
std::string ShellJoin(const std::vector<std::string>& argv);

}  // namespace irlab::sweep
