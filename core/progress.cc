#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "core/strings.h"

namespace irlab {
namespace {

std::optional<double> Find(const std::vector<std::pair<std::string, double>>& scalars,
                           std::string_view key) {
  for (const auto& [k, v] : scalars) {
    if (k == key) return v;
  }
  return std::nullopt;
}

void Set(std::vector<std::pair<std::string, double>>& fields, const std::string& key, double v) {
  for (auto& [k, old] : fields) {
    if (k == key) {
      old = v;
      return;
    }
  }
  fields.emplace_back(key, v);
}

// A number for a glance: 4 significant digits, at most 1 decimal past 100.
std::string Short(double v) {
  char buf[32];
  if (std::fabs(v) >= 100) {
    std::snprintf(buf, sizeof(buf), "%.1f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.4g", v);
  }
  return buf;
}

}  // namespace

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const int64_t s = std::llround(seconds);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof(buf), "%llds", static_cast<long long>(s));
  } else if (s < 3600) {
    std::snprintf(buf, sizeof(buf), "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof(buf), "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60));
  }
  return buf;
}

std::string FormatProgress(const ProgressSnapshot& p, bool bar, bool finished) {
  const int64_t total = std::max<int64_t>(p.total, 1);
  const double frac =
      std::clamp(static_cast<double>(p.done) / static_cast<double>(total), 0.0, 1.0);
  const double rate = p.elapsed_seconds > 0 ? static_cast<double>(p.done) / p.elapsed_seconds : 0.0;
  std::string line = p.label;
  if (bar) {
    constexpr int kWidth = 20;
    const int filled = static_cast<int>(frac * kWidth);
    line += " [";
    for (int i = 0; i < kWidth; ++i) line += i < filled ? '#' : '.';
    line += "]";
  }
  char buf[96];
  std::snprintf(buf, sizeof(buf), " %lld/%lld %s %3.0f%%  %.0f %s/s",
                static_cast<long long>(p.done), static_cast<long long>(total), p.unit.c_str(),
                100 * frac, rate, p.unit.c_str());
  line += buf;
  if (finished) {
    StrAppend(&line, "  took ", FormatDuration(p.elapsed_seconds));
  } else {
    StrAppend(
        &line, "  eta ",
        rate > 0 ? FormatDuration(static_cast<double>(total - p.done) / rate) : std::string("?"));
  }
  for (const auto& [k, v] : p.fields) StrAppend(&line, "  ", k, " ", Short(v));
  return line;
}

void UpdateHeadline(const std::vector<std::pair<std::string, double>>& scalars,
                    std::vector<std::pair<std::string, double>>& fields) {
  if (auto r = Find(scalars, "episode_return")) Set(fields, "return", *r);
  if (auto r = Find(scalars, "eval_return")) Set(fields, "eval", *r);
  if (auto s = Find(scalars, "eval_normalized_score")) {
    Set(fields, "score", *s);
  } else if (auto s = Find(scalars, "normalized_score")) {
    Set(fields, "score", *s);
  }
  const auto expert_acc = Find(scalars, "disc_expert_acc");
  const auto policy_acc = Find(scalars, "disc_policy_acc");
  if (expert_acc && policy_acc) Set(fields, "disc_acc", (*expert_acc + *policy_acc) / 2);
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : ProgressBar(std::move(label), total, std::move(unit), Options{}) {}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, Options options)
    : mode_(options.mode),
      line_seconds_(options.line_seconds),
      out_(options.out ? options.out : stderr),
      start_(std::chrono::steady_clock::now()),
      last_report_(start_) {
  snapshot_.label = std::move(label);
  snapshot_.unit = std::move(unit);
  snapshot_.total = std::max<int64_t>(total, 1);
  if (mode_ == Mode::kAuto) mode_ = ::isatty(::fileno(out_)) == 1 ? Mode::kTerminal : Mode::kLines;
}

ProgressBar::~ProgressBar() {
  if (!finished_ && snapshot_.done > 0) Finish();
}

void ProgressBar::Update(int64_t done) { Update(done, {}); }

void ProgressBar::Update(int64_t done, const std::vector<std::pair<std::string, double>>& scalars) {
  snapshot_.done = done;
  UpdateHeadline(scalars, snapshot_.fields);
  if (mode_ == Mode::kOff) return;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_report_).count();
  if (mode_ == Mode::kTerminal && since < 0.1 && done < snapshot_.total) return;
  if (mode_ == Mode::kLines && since < line_seconds_) return;
  last_report_ = now;
  Report(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  // a job that never reported in line mode stays silent
  if (mode_ == Mode::kTerminal || (mode_ == Mode::kLines && printed_)) Report(true);
}

void ProgressBar::Report(bool final) {
  snapshot_.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = FormatProgress(snapshot_, mode_ == Mode::kTerminal, final);
  if (mode_ == Mode::kTerminal) {
    // \033[K clears what a longer earlier line left
    std::fprintf(out_, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
  printed_ = true;
}

}  // namespace irlab
