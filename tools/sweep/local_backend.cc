#include "tools/sweep/local_backend.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <thread>

#include "core/files.h"
#include "core/process.h"
#include "core/strings.h"
#include "tools/sweep/cell_state.h"

namespace irlab::sweep {
namespace {

using Clock = std::chrono::steady_clock;

struct Running {
  const Cell* cell;
  Subprocess process;  // in its own process group
  Clock::time_point start;
};

// Stops the running children: SIGTERM to each process group, SIGKILL to
// those still there after `grace`.
void StopAll(std::vector<Running>& running, std::chrono::seconds grace) {
  for (const auto& r : running) r.process.Signal(SIGTERM);
  const auto deadline = Clock::now() + grace;
  while (!running.empty()) {
    std::erase_if(running, [](Running& r) { return r.process.Poll().has_value(); });
    if (Clock::now() > deadline) {
      for (const auto& r : running) r.process.Signal(SIGKILL);
      for (auto& r : running) r.process.Wait();
      running.clear();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

LocalBackend::LocalBackend(int jobs, std::filesystem::path irlab_binary)
    : jobs_(jobs > 0 ? jobs : std::max(1u, std::thread::hardware_concurrency())),
      irlab_binary_(std::move(irlab_binary)) {}

absl::Status LocalBackend::Run(const std::vector<const Cell*>& cells, SweepObserver& observer) {
  std::vector<std::string> env;
  if (!std::getenv("OMP_NUM_THREADS")) {
    const int cores = std::max(1u, std::thread::hardware_concurrency());
    env.push_back(StrCat("OMP_NUM_THREADS=", std::max(1, cores / jobs_)));
  }
  std::deque<const Cell*> queue(cells.begin(), cells.end());
  std::vector<Running> running;
  while (!queue.empty() || !running.empty()) {
    if (InterruptRequested()) {
      for (const auto& r : running) AppendLog(*r.cell, "# irlab sweep: interrupted");
      for (const auto& r : running) observer.Ended(*r.cell, false, "interrupted");
      StopAll(running, std::chrono::seconds(10));
      return absl::CancelledError("interrupted");
    }
    // start cells while there is room
    while (!queue.empty() && static_cast<int>(running.size()) < jobs_) {
      const Cell* cell = queue.front();
      queue.pop_front();
      auto prepared = PrepareAttempt(*cell);
      if (!prepared.ok()) {
        observer.Ended(*cell, false, std::string(prepared.status().message()));
        continue;
      }
      const std::vector<std::string> argv = ResolveCommand(std::move(*prepared), irlab_binary_);
      AppendLog(*cell, StrCat("# irlab sweep: ", UtcTimestamp(), " local, runner pid ", ::getpid(),
                              ": ", ShellJoin(argv)));
      auto process = Subprocess::Start(
          argv, {.log = LogPath(*cell), .append_log = true, .env = env, .own_group = true});
      if (!process.ok()) {
        // e.g. "cannot start foo: No such file or directory", in the log as well
        AppendLog(*cell, StrCat("# irlab sweep: ", process.status().message()));
        observer.Ended(*cell, false, std::string(process.status().message()));
        continue;
      }
      running.push_back({cell, std::move(*process), Clock::now()});
      observer.Started(*cell);
    }
    // reap the ones that ended
    bool any_ended = false;
    for (size_t i = 0; i < running.size();) {
      const std::optional<int> ended = running[i].process.Poll();
      if (!ended) {
        ++i;
        continue;
      }
      any_ended = true;
      const int status = *ended;
      const Running r = std::move(running[i]);
      running.erase(running.begin() + static_cast<long>(i));
      const double seconds = std::chrono::duration<double>(Clock::now() - r.start).count();
      const std::string how = DescribeWaitStatus(status);
      AppendLog(*r.cell, StrCat("# irlab sweep: ", UtcTimestamp(), " ", how));
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (absl::Status s = WriteDoneMarker(*r.cell, "local", seconds); !s.ok()) {
          observer.Ended(*r.cell, false, StrCat("exit 0, but ", s.message()));
        } else {
          observer.Ended(*r.cell, true, how);
        }
      } else {
        observer.Ended(*r.cell, false, how);
      }
    }
    if (!any_ended) {
      observer.Tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab::sweep
