#include "viewer/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"

extern char** environ;

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Spawns argv with stdin from `stdin_fd` (or /dev/null when < 0) and output to `log`.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, int stdin_fd, int close_fd,
                            const fs::path& log) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (close_fd >= 0) posix_spawn_file_actions_addclose(&actions, close_fd);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    return absl::UnavailableError(StrCat("cannot start ", argv[0], ": ", std::strerror(err)));
  }
  return pid;
}

int WaitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return ExitCode(status);
}

}  // namespace

std::optional<fs::path> FindProgram(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  return std::nullopt;
}

absl::StatusOr<std::unique_ptr<PipeProcess>> PipeProcess::Start(
    const std::vector<std::string>& argv, const fs::path& log) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return absl::UnavailableError(StrCat("pipe failed: ", std::strerror(errno)));
  }
  absl::StatusOr<pid_t> pid = Spawn(argv, fds[0], fds[1], log);
  ::close(fds[0]);
  if (!pid.ok()) {
    ::close(fds[1]);
    return pid.status();
  }
  return std::unique_ptr<PipeProcess>(new PipeProcess(*pid, fds[1], argv[0]));
}

PipeProcess::~PipeProcess() {
  if (fd_ >= 0) (void)Finish();
}

absl::Status PipeProcess::Write(const void* data, size_t size) {
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat(name_, ": pipe already closed"));
  // a program that has exited makes write() fail with EPIPE; block the
  // signal that comes with it so this process is not killed
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  const char* p = static_cast<const char*>(data);
  int err = 0;
  while (size > 0) {
    const ssize_t n = ::write(fd_, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  if (err == EPIPE) {
    const timespec no_wait = {0, 0};
    sigtimedwait(&pipe_signal, nullptr, &no_wait);  // drop the pending SIGPIPE
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (err != 0) {
    return absl::UnavailableError(
        StrCat(name_, " stopped reading its input (", std::strerror(err), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PipeProcess::Finish() {
  if (fd_ < 0) return absl::FailedPreconditionError(StrCat(name_, ": already finished"));
  ::close(fd_);
  fd_ = -1;
  return WaitFor(pid_);
}

absl::StatusOr<int> RunProgram(const std::vector<std::string>& argv, const fs::path& log) {
  absl::StatusOr<pid_t> pid = Spawn(argv, -1, -1, log);
  if (!pid.ok()) return pid.status();
  return WaitFor(*pid);
}

std::string LogTail(const fs::path& log, size_t max_bytes) {
  std::ifstream in(log, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > max_bytes) text = "..." + text.substr(text.size() - max_bytes);
  return text;
}

}  // namespace irlab::viewer
