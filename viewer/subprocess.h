// Child processes the viewer drives: ffmpeg reading raw frames from a pipe,
// gnuplot run to completion. Their output goes to a log file, shown on failure.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab::viewer {

// The absolute path of `name` in PATH, if it is there.
std::optional<std::filesystem::path> FindProgram(std::string_view name);

// A running program whose stdin is a pipe from this process.
class PipeProcess {
 public:
  // Starts argv (argv[0] searched in PATH), stdout and stderr to `log`.
  static absl::StatusOr<std::unique_ptr<PipeProcess>> Start(const std::vector<std::string>& argv,
                                                            const std::filesystem::path& log);
  // Closes the pipe and waits, if Finish() was not called.
  ~PipeProcess();
  PipeProcess(const PipeProcess&) = delete;
  PipeProcess& operator=(const PipeProcess&) = delete;

  // Writes all of `data`; an error if the program has exited.
  absl::Status Write(const void* data, size_t size);
  // Closes the pipe, waits, and returns the exit code (128 + signal if killed).
  absl::StatusOr<int> Finish();

 private:
  PipeProcess(pid_t pid, int fd, std::string name) : pid_(pid), fd_(fd), name_(std::move(name)) {}
  pid_t pid_;
  int fd_;
  std::string name_;
};

// Runs argv to completion with stdout and stderr to `log`; the exit code.
absl::StatusOr<int> RunProgram(const std::vector<std::string>& argv,
                               const std::filesystem::path& log);

// The last `max_bytes` of a log file, for error messages ("" if unreadable).
std::string LogTail(const std::filesystem::path& log, size_t max_bytes = 2000);

}  // namespace irlab::viewer
