#include "tools/sweep/sweep_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "core/strings.h"
#include "tools/sweep/cell_state.h"

namespace irlab::sweep {

using Clock = std::chrono::steady_clock;

std::string FormatDuration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(s));
  }
  return buf;
}

SweepProgress::SweepProgress(std::string name, int total, int already_done, int parallelism,
                             std::FILE* out)
    : name_(std::move(name)),
      total_(total),
      done_(already_done),
      parallelism_(parallelism),
      out_(out),
      tty_(::isatty(::fileno(out)) == 1),
      last_draw_(Clock::now()) {}

SweepProgress::~SweepProgress() { Finish(); }

void SweepProgress::Started(const Cell& cell) {
  start_[cell.id] = Clock::now();
  std::erase(failed_, cell.id);
  Draw(false);
}

void SweepProgress::Ended(const Cell& cell, bool ok, const std::string& reason) {
  double seconds = 0;
  if (auto it = start_.find(cell.id); it != start_.end()) {
    seconds = std::chrono::duration<double>(Clock::now() - it->second).count();
    start_.erase(it);
  }
  if (ok) {
    ++done_;
    finished_seconds_ += seconds;
    ++finished_here_;
    PrintLine(StrCat("done   ", cell.id, " (", FormatDuration(seconds), ")"));
  } else {
    if (std::find(failed_.begin(), failed_.end(), cell.id) == failed_.end()) {
      failed_.push_back(cell.id);
    }
    PrintLine(StrCat("FAILED ", cell.id, ": ", reason, " (log: ", LogPath(cell).string(), ")"));
  }
  Draw(true);
}

void SweepProgress::Tick() { Draw(false); }

double SweepProgress::EtaSeconds() const {
  if (finished_here_ == 0) return -1;
  const double mean = finished_seconds_ / finished_here_;
  const int remaining = total_ - done_ - failed();
  const int lanes = std::max(1, parallelism_ > 0 ? std::min(parallelism_, std::max(remaining, 1))
                                                 : std::max(running(), 1));
  // running cells are partly done; count them as half done
  return mean * std::max(0.0, remaining - 0.5 * running()) / lanes;
}

void SweepProgress::PrintLine(const std::string& line) {
  if (tty_ && status_shown_) std::fputs("\r\033[K", out_);
  std::fprintf(out_, "%s\n", line.c_str());
  status_shown_ = false;
  std::fflush(out_);
}

void SweepProgress::Draw(bool force) {
  if (!tty_) return;
  const auto now = Clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(250)) return;
  last_draw_ = now;
  const double eta = EtaSeconds();
  const std::string line =
      StrCat(name_, ": ", done_, "/", total_, " done, ", running(), " running, ", failed(),
             " failed, eta ", eta < 0 ? "?" : FormatDuration(eta));
  if (status_shown_ && line == last_line_) return;
  last_line_ = line;
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  status_shown_ = true;
  std::fflush(out_);
}

void SweepProgress::Finish() {
  if (tty_ && status_shown_) {
    std::fputc('\n', out_);
    status_shown_ = false;
    std::fflush(out_);
  }
}

}  // namespace irlab::sweep
