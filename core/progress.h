// A one-line progress bar with rate and ETA on stderr; silent unless stderr is
// a terminal, so logs and CI output stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace irlab {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit = "steps");
  ~ProgressBar();

  // Sets the amount done; redraws at most ~10 times a second.
  void Update(int64_t done);
  // Draws the final state and ends the line.
  void Finish();

  bool enabled() const { return enabled_; }

 private:
  void Draw(bool final);

  std::string label_, unit_;
  int64_t total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace irlab
