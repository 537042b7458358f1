#include "core/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_split.h"
#include "core/strings.h"

extern char** environ;

namespace irlab {
namespace {

namespace fs = std::filesystem;

// argv as the char* array exec wants; the strings must outlive it.
std::vector<char*> CArgs(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// This process's environment with `env` ("NAME=value") set on top.
std::vector<std::string> Environment(const std::vector<std::string>& env) {
  std::vector<std::string> out;
  for (char** e = environ; *e; ++e) out.emplace_back(*e);
  for (const auto& kv : env) {
    const std::string name = kv.substr(0, kv.find('='));
    std::erase_if(out, [&](const std::string& s) { return s.rfind(name + "=", 0) == 0; });
    out.push_back(kv);
  }
  return out;
}

void Close(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int WaitFor(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// The child's standard streams: fds of this process to dup onto 0, 1 and 2.
struct ChildFds {
  int in = -1, out = -1, err = -1;
};

// Forks and execs argv with `fds` as its stdin, stdout and stderr. Whether the
// exec worked comes back through a close-on-exec pipe: its errno, or EOF.
// Between fork and exec the child makes only async-signal-safe calls.
absl::StatusOr<pid_t> ForkExec(const std::vector<std::string>& argv, const ChildFds& fds,
                               const std::vector<std::string>& env, bool own_group) {
  if (argv.empty()) return absl::InvalidArgumentError("no program to run");
  // everything the child needs is prepared before fork
  const std::vector<std::string> env_strings = Environment(env);
  std::vector<char*> c_argv = CArgs(argv), c_env = CArgs(env_strings);
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return absl::ResourceExhaustedError(StrCat("pipe failed: ", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(report[0]);
    ::close(report[1]);
    return absl::ResourceExhaustedError(StrCat("fork failed: ", std::strerror(err)));
  }
  if (pid == 0) {
    if (own_group) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(143);  // the parent died before prctl
      // default signal handling for the command, whatever the parent ignores
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::signal(SIGHUP, SIG_DFL);
    }
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(fds.in, 0);
    ::dup2(fds.out, 1);
    ::dup2(fds.err, 2);
    ::execvpe(c_argv[0], c_argv.data(), c_env.data());
    const int err = errno;
    ssize_t unused = ::write(report[1], &err, sizeof(err));
    (void)unused;
    ::_exit(127);
  }
  if (own_group) ::setpgid(pid, pid);  // also here, so the group exists before we may signal it
  ::close(report[1]);
  int err = 0;
  ssize_t n;
  while ((n = ::read(report[0], &err, sizeof(err))) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n == sizeof(err)) {
    WaitFor(pid);
    return absl::UnavailableError(StrCat("cannot start ", argv[0], ": ", std::strerror(err)));
  }
  return pid;
}

}  // namespace

absl::StatusOr<Subprocess> Subprocess::Start(const std::vector<std::string>& argv,
                                             const SpawnOptions& options) {
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC), out = -1, input_fd = -1;
  if (options.input_pipe) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      const int err = errno;
      Close(in);
      return absl::UnavailableError(StrCat("pipe failed: ", std::strerror(err)));
    }
    Close(in);
    in = fds[0];
    input_fd = fds[1];
  }
  if (!options.log.empty()) {
    out = ::open(options.log.c_str(),
                 O_WRONLY | O_CREAT | O_CLOEXEC | (options.append_log ? O_APPEND : O_TRUNC), 0644);
    if (out < 0) {
      const int err = errno;
      Close(in);
      Close(input_fd);
      return absl::UnavailableError(
          StrCat(options.log.string(), ": cannot open log: ", std::strerror(err)));
    }
  }
  const ChildFds fds = {in, out >= 0 ? out : 1, out >= 0 ? out : 2};
  absl::StatusOr<pid_t> pid = ForkExec(argv, fds, options.env, options.own_group);
  Close(in);
  Close(out);
  if (!pid.ok()) {
    Close(input_fd);
    return pid.status();
  }
  return Subprocess(*pid, input_fd, options.own_group, argv[0]);
}

Subprocess::Subprocess(Subprocess&& other) noexcept { *this = std::move(other); }

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !wait_status_) Wait();
    Close(input_fd_);
    pid_ = std::exchange(other.pid_, -1);
    input_fd_ = std::exchange(other.input_fd_, -1);
    own_group_ = other.own_group_;
    name_ = std::move(other.name_);
    wait_status_ = std::exchange(other.wait_status_, std::nullopt);
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !wait_status_) Wait();
  Close(input_fd_);
}

void Subprocess::CloseInput() { Close(input_fd_); }

absl::Status Subprocess::Write(const void* data, size_t size) {
  if (input_fd_ < 0) return absl::FailedPreconditionError(StrCat(name_, ": pipe already closed"));
  // a program that has exited makes write() fail with EPIPE; block the
  // signal that comes with it so this process is not killed
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  const char* p = static_cast<const char*>(data);
  int err = 0;
  while (size > 0) {
    const ssize_t n = ::write(input_fd_, p, size);
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

std::optional<int> Subprocess::Poll() {
  if (!wait_status_ && pid_ > 0) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) wait_status_ = status;
  }
  return wait_status_;
}

int Subprocess::Wait() {
  CloseInput();
  if (!wait_status_) wait_status_ = WaitFor(pid_);
  return *wait_status_;
}

void Subprocess::Signal(int signal) const {
  if (pid_ > 0 && !wait_status_) ::kill(own_group_ ? -pid_ : pid_, signal);
}

absl::StatusOr<CommandResult> RunCapture(const std::vector<std::string>& argv,
                                         const std::string& input, double timeout_seconds) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC)) {
    return absl::ResourceExhaustedError(StrCat("pipe failed: ", std::strerror(errno)));
  }
  absl::StatusOr<pid_t> started = ForkExec(argv, {in_pipe[0], out_pipe[1], err_pipe[1]}, {}, false);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!started.ok()) {
    for (int fd : {in_pipe[1], out_pipe[0], err_pipe[0]}) ::close(fd);
    return started.status();
  }
  const pid_t pid = *started;
  // small inputs only (scripts); a full pipe would need polling for writes too
  const int in_fd = in_pipe[1];
  size_t written = 0;
  ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  CommandResult result;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds);
  bool out_open = true, err_open = true, in_open = true;
  if (input.empty()) {
    ::close(in_fd);
    in_open = false;
  }
  while (out_open || err_open || in_open) {
    pollfd fds[3];
    int n = 0;
    if (out_open) fds[n++] = {out_pipe[0], POLLIN, 0};
    if (err_open) fds[n++] = {err_pipe[0], POLLIN, 0};
    if (in_open) fds[n++] = {in_fd, POLLOUT, 0};
    const int left_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             deadline - std::chrono::steady_clock::now())
                                             .count());
    if (left_ms <= 0 || ::poll(fds, n, left_ms) == 0) {
      ::kill(pid, SIGKILL);
      WaitFor(pid);
      for (int fd : {out_pipe[0], err_pipe[0]}) ::close(fd);
      if (in_open) ::close(in_fd);
      return absl::DeadlineExceededError(
          StrCat(argv[0], ": did not finish within ", timeout_seconds, " s"));
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].fd == in_fd) {
        const ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
        if (written >= input.size()) {
          ::close(in_fd);
          in_open = false;
        }
        continue;
      }
      char buf[4096];
      const ssize_t r = ::read(fds[i].fd, buf, sizeof(buf));
      if (r > 0) {
        (fds[i].fd == out_pipe[0] ? result.out : result.err).append(buf, static_cast<size_t>(r));
      } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        (fds[i].fd == out_pipe[0] ? out_open : err_open) = false;
      }
    }
  }
  result.exit_code = ExitCodeOf(WaitFor(pid));
  return result;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return StrCat("exit ", WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const char* name = sigabbrev_np(WTERMSIG(wait_status));
    return StrCat("killed by SIG", name ? name : StrCat(WTERMSIG(wait_status)));
  }
  return "ended abnormally";
}

std::optional<fs::path> FindInPath(std::string_view name) {
  auto runnable = [](const fs::path& p) {
    struct stat st;
    return ::access(p.c_str(), X_OK) == 0 && ::stat(p.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
  };
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string_view::npos) {
    if (runnable(fs::path(name))) return fs::absolute(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    const fs::path candidate =
        fs::path(dir.empty() ? "." : std::string(dir)) / fs::path(std::string(name));
    if (runnable(candidate)) return candidate;
  }
  return std::nullopt;
}

fs::path SelfExecutable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::path("irlab");
  // Rebuilding the binary while a sweep runs replaces the file, and the link
  // then reads "<path> (deleted)": later cells run the new build at the path.
  constexpr std::string_view kDeleted = " (deleted)";
  const std::string text = exe.string();
  if (text.size() > kDeleted.size() && text.ends_with(kDeleted)) {
    return fs::path(text.substr(0, text.size() - kDeleted.size()));
  }
  return exe;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ShellJoin(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    bool plain = !a.empty();
    for (char c : a) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && !std::strchr("-_./=:,+@%", c))
        plain = false;
    }
    StrAppend(&out, out.empty() ? "" : " ", plain ? a : ShellQuote(a));
  }
  return out;
}

}  // namespace irlab
