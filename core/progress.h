// Progress of a long job on stderr. On a terminal: one live line, redrawn at
// most ~10 times a second, with a bar, done/total, %, rate, ETA and the run's
// latest headline numbers (return, evaluation return, normalised score,
// discriminator accuracy). Otherwise (a sweep's log, Slurm, CI): the same
// fields as a plain line every `line_seconds` (10 s), nothing for jobs shorter
// than that, and a closing line for those that printed one. The full scalars
// are in the metrics files; this is what a person glances at.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irlab {

// One progress report, as FormatProgress renders it.
struct ProgressSnapshot {
  std::string label;  // "expert Hopper"
  std::string unit;   // "steps"
  int64_t done = 0;
  int64_t total = 1;
  double elapsed_seconds = 0;
  // headline numbers in display order, e.g. {"return", 812.5}, {"score", 0.61}
  std::vector<std::pair<std::string, double>> fields;
};

// "expert Hopper [#####.....] 204800/1000000 steps 20%  6812 steps/s  eta 1m57s
// return 812.5  score 0.612" (the bracketed bar only when `bar`). A finished
// snapshot shows "took" and the elapsed time instead of the ETA.
std::string FormatProgress(const ProgressSnapshot& snapshot, bool bar, bool finished = false);

// "45s", "3m05s", "2h07m".
std::string FormatDuration(double seconds);

// The headline numbers among a metrics row, under short names: return
// (episode_return), eval (eval_return), score (eval_normalized_score, else
// normalized_score) and disc_acc (mean of disc_expert_acc and disc_policy_acc).
// `fields` keeps the values of earlier rows for keys this row lacks.
void UpdateHeadline(const std::vector<std::pair<std::string, double>>& scalars,
                    std::vector<std::pair<std::string, double>>& fields);

class ProgressBar {
 public:
  enum class Mode { kAuto, kTerminal, kLines, kOff };
  struct Options {
    Mode mode = Mode::kAuto;   // kAuto: kTerminal when stderr is a terminal, else kLines
    double line_seconds = 10;  // kLines: seconds between lines
    std::FILE* out = nullptr;  // nullptr: stderr
  };

  ProgressBar(std::string label, int64_t total, std::string unit = "steps");
  ProgressBar(std::string label, int64_t total, std::string unit, Options options);
  ~ProgressBar();

  // Sets the amount done.
  void Update(int64_t done);
  // The same, with a metrics row whose headline numbers (see UpdateHeadline)
  // the report shows from now on.
  void Update(int64_t done, const std::vector<std::pair<std::string, double>>& scalars);
  // Draws the final state and ends the line.
  void Finish();

  bool enabled() const { return mode_ != Mode::kOff; }

 private:
  void Report(bool final);

  ProgressSnapshot snapshot_;
  Mode mode_;
  double line_seconds_;
  std::FILE* out_;
  bool finished_ = false, printed_ = false;
  std::chrono::steady_clock::time_point start_, last_report_;
};

}  // namespace irlab
