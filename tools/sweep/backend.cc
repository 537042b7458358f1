#include "tools/sweep/backend.h"

#include <signal.h>

#include <atomic>

namespace irlab::sweep {
namespace {

volatile sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) { g_interrupted = 1; }

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace

struct ScopedInterruptHandler::Saved {
  struct sigaction old[3];
};

std::vector<std::string> ResolveCommand(std::vector<std::string> argv,
                                        const std::filesystem::path& irlab_binary) {
  if (!argv.empty() && argv[0] == "irlab" && !irlab_binary.empty()) argv[0] = irlab_binary.string();
  return argv;
}

bool InterruptRequested() { return g_interrupted != 0; }

ScopedInterruptHandler::ScopedInterruptHandler() : saved_(std::make_unique<Saved>()) {
  g_interrupted = 0;
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &action, &saved_->old[i]);
}

ScopedInterruptHandler::~ScopedInterruptHandler() {
  for (int i = 0; i < 3; ++i) ::sigaction(kSignals[i], &saved_->old[i], nullptr);
}

}  // namespace irlab::sweep
