#include "core/metrics.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/strings/str_split.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace {

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";  // JSON has no NaN/Inf
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

// Rewrites `path` (atomically) without the rows whose step, read by `step_of`,
// is past `last_step`; lines whose step cannot be read (a header) stay.
absl::Status DropRowsAfter(const std::filesystem::path& path, int64_t last_step,
                           int64_t (*step_of)(std::string_view line)) {
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::string kept;
  bool dropped = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (step_of(line) > last_step) {
      dropped = true;
      continue;
    }
    StrAppend(&kept, line, "\n");
  }
  return dropped ? WriteFileAtomically(path, kept) : absl::OkStatus();
}

// The integer that `line` starts with, or -1.
int64_t LeadingInteger(std::string_view line) {
  int64_t step = -1;
  const auto [end, err] = std::from_chars(line.data(), line.data() + line.size(), step);
  return err == std::errc() && end != line.data() ? step : -1;
}

int64_t CsvStep(std::string_view line) { return LeadingInteger(line); }

int64_t JsonlStep(std::string_view line) {
  constexpr std::string_view kKey = "{\"step\": ";
  return line.substr(0, kKey.size()) == kKey ? LeadingInteger(line.substr(kKey.size())) : -1;
}

}  // namespace

absl::StatusOr<MetricsLogger> MetricsLogger::Open(const std::filesystem::path& run_dir, bool console,
                                                  std::optional<int64_t> resume_step) {
  MetricsLogger logger;
  logger.console_ = console;
  if (run_dir.empty()) return logger;
  const auto csv_path = run_dir / "metrics.csv";
  if (resume_step) {
    IRLAB_RETURN_IF_ERROR(DropRowsAfter(csv_path, *resume_step, CsvStep));
    IRLAB_RETURN_IF_ERROR(DropRowsAfter(run_dir / "metrics.jsonl", *resume_step, JsonlStep));
  }
  // a resumed run keeps the columns it started with
  if (std::ifstream in(csv_path); in) {
    std::string header;
    std::getline(in, header);
    if (!header.empty()) logger.csv_columns_ = absl::StrSplit(header, ',');
    if (!logger.csv_columns_.empty()) logger.csv_columns_.erase(logger.csv_columns_.begin());
  }
  logger.csv_ = std::fopen(csv_path.c_str(), "a");
  logger.jsonl_ = std::fopen((run_dir / "metrics.jsonl").c_str(), "a");
  if (!logger.csv_ || !logger.jsonl_) {
    return absl::UnavailableError(
        StrCat(run_dir.string(), ": cannot open metrics files: ", std::strerror(errno)));
  }
  auto tensorboard = TensorBoardWriter::Open(run_dir);
  if (!tensorboard.ok()) return tensorboard.status();
  logger.tensorboard_.emplace(std::move(*tensorboard));
  return logger;
}

MetricsLogger::MetricsLogger(MetricsLogger&& o) noexcept { *this = std::move(o); }

MetricsLogger& MetricsLogger::operator=(MetricsLogger&& o) noexcept {
  std::swap(console_, o.console_);
  std::swap(csv_, o.csv_);
  std::swap(jsonl_, o.jsonl_);
  std::swap(csv_columns_, o.csv_columns_);
  std::swap(tensorboard_, o.tensorboard_);
  return *this;
}

MetricsLogger::~MetricsLogger() {
  if (csv_) std::fclose(csv_);
  if (jsonl_) std::fclose(jsonl_);
}

void MetricsLogger::Log(int64_t step, const Scalars& scalars) {
  if (console_) {
    std::string line = StrCat("step ", step);
    for (const auto& [k, v] : scalars) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%.4g", v);
      StrAppend(&line, "  ", k, " ", buf);
    }
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  if (jsonl_) {
    std::string line = StrCat("{\"step\": ", step);
    for (const auto& [k, v] : scalars) StrAppend(&line, ", \"", k, "\": ", JsonNumber(v));
    line += "}\n";
    std::fputs(line.c_str(), jsonl_);
    std::fflush(jsonl_);
  }
  if (csv_) {
    if (csv_columns_.empty()) {
      std::string header = "step";
      for (const auto& [k, v] : scalars) {
        csv_columns_.push_back(k);
        StrAppend(&header, ",", k);
      }
      std::fprintf(csv_, "%s\n", header.c_str());
    }
    std::string row = StrCat(step);
    for (const auto& column : csv_columns_) {
      row += ",";
      for (const auto& [k, v] : scalars) {
        if (k == column) {
          StrAppend(&row, JsonNumber(v) == "null" ? "nan" : JsonNumber(v));
          break;
        }
      }
    }
    std::fprintf(csv_, "%s\n", row.c_str());
    std::fflush(csv_);
  }
  if (tensorboard_) tensorboard_->Log(step, scalars);
}

}  // namespace irlab
