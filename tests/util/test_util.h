// What many tests need: a scratch folder, the irlab binary run as a user runs
// it, and files read or written whole.
#pragma once

#include <filesystem>
#include <string>

namespace irlab::testing {

// A fresh empty folder for the running test, removed when the test binary
// ends: <TempDir>/irlab_<pid>_<suite>_<test>_<n>.
std::filesystem::path TestDir();

struct RunResult {
  int code = -1;       // exit code (128 + signal when killed by one)
  std::string output;  // stdout and stderr, interleaved as written
};

// Runs a shell command line to completion.
RunResult Run(const std::string& command_line);
// Runs `irlab <args>` (split by the shell: quote what has spaces).
RunResult Irlab(const std::string& args);
// Runs `irlab <args>` with stdout and stderr to the file `log`; the exit code.
int Irlab(const std::string& args, const std::filesystem::path& log);

// A file's bytes, "" when it cannot be read.
std::string FileBytes(const std::filesystem::path& path);
// Writes `bytes` to a file, replacing it.
void WriteBytes(const std::filesystem::path& path, const std::string& bytes);

}  // namespace irlab::testing
