#include "tools/sweep/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/strings.h"

extern char** environ;

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

// argv as the char* array execvp wants; the strings must outlive it.
std::vector<char*> CArgs(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Writes a message to fd 2 from a forked child (async-signal-safe).
void ChildFail(const char* what, const char* arg) {
  const char* err = std::strerror(errno);
  const char* parts[] = {"irlab sweep: ", what, " ", arg, ": ", err, "\n"};
  for (const char* p : parts) {
    ssize_t unused = ::write(2, p, std::strlen(p));
    (void)unused;
  }
  ::_exit(127);
}

}  // namespace

absl::StatusOr<pid_t> SpawnLogged(const std::vector<std::string>& argv, const fs::path& log,
                                  const std::vector<std::string>& env) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  // everything the child needs is prepared before fork
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& kv : env) {
    const std::string name = kv.substr(0, kv.find('='));
    std::erase_if(env_strings, [&](const std::string& s) { return s.rfind(name + "=", 0) == 0; });
    env_strings.push_back(kv);
  }
  std::vector<char*> c_argv = CArgs(argv), c_env = CArgs(env_strings);
  const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::UnavailableError(
        StrCat(log.string(), ": cannot open log: ", std::strerror(errno)));
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return absl::ResourceExhaustedError(StrCat("fork failed: ", std::strerror(errno)));
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(143);  // the parent died before prctl
    // default signal handling for the command, whatever the runner installed
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGHUP, SIG_DFL);
    ::signal(SIGPIPE, SIG_DFL);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execvpe(c_argv[0], c_argv.data(), c_env.data());
    ChildFail("cannot run", c_argv[0]);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before we may signal it
  ::close(log_fd);
  return pid;
}

absl::StatusOr<CommandResult> RunCapture(const std::vector<std::string>& argv,
                                         const std::string& input, double timeout_seconds) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) || ::pipe2(out_pipe, O_CLOEXEC) || ::pipe2(err_pipe, O_CLOEXEC)) {
    return absl::ResourceExhaustedError(StrCat("pipe failed: ", std::strerror(errno)));
  }
  std::vector<char*> c_argv = CArgs(argv);
  const pid_t pid = ::fork();
  if (pid < 0) return absl::ResourceExhaustedError(StrCat("fork failed: ", std::strerror(errno)));
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(c_argv[0], c_argv.data());
    ChildFail("cannot run", c_argv[0]);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
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
      ::waitpid(pid, nullptr, 0);
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
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = ExitCodeOf(status);
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

std::optional<fs::path> FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return fs::absolute(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    dirs = colon == std::string_view::npos ? std::string_view() : dirs.substr(colon + 1);
    const fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
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

}  // namespace irlab::sweep
