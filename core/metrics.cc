#include "core/metrics.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/strings/str_split.h"
#include "core/files.h"
#include "core/json.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace {

// A CSV cell: the shortest text that reads back to `v`, "nan" for non-finite
// values (pandas and float() read it).
std::string CsvNumber(double v) { return std::isfinite(v) ? ShortestDouble(v) : "nan"; }

// Rewrites `path` (atomically) without the rows whose step, read by `step_of`,
// is past `last_step`; lines whose step cannot be read (a header) stay. A last
// line without its newline is torn (a write that failed or was killed half
// way, perhaps inside the step itself) and goes too.
absl::Status DropRowsAfter(const std::filesystem::path& path, int64_t last_step,
                           int64_t (*step_of)(std::string_view line)) {
  if (!std::filesystem::exists(path)) return absl::OkStatus();
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  bool dropped = !text.empty() && text.back() != '\n';
  if (dropped) text.erase(text.find_last_of('\n') + 1);  // npos + 1: all of it
  std::string kept;
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
  const Json row = Json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (const auto step = JsonNumber(row, "step"); step && std::isfinite(*step)) {
    return static_cast<int64_t>(*step);
  }
  // a torn last line: its step when the line starts with one
  constexpr std::string_view kKey = "{\"step\":";
  if (line.substr(0, kKey.size()) != kKey) return -1;
  line.remove_prefix(kKey.size());
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return LeadingInteger(line);
}

// Rewrites metrics.csv (atomically) with `columns` as its header, each row
// padded with empty cells for the columns it lacks.
absl::Status RewriteCsvHeader(const std::filesystem::path& path,
                              const std::vector<std::string>& columns) {
  std::string text;
  if (std::filesystem::exists(path)) {
    IRLAB_ASSIGN_OR_RETURN(text, ReadFile(path));
  }
  std::string out = "step";
  for (const auto& column : columns) StrAppend(&out, ",", column);
  out += "\n";
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // the old header
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const size_t cells = static_cast<size_t>(std::count(line.begin(), line.end(), ',')) + 1;
    for (size_t c = cells; c < columns.size() + 1; ++c) line += ",";
    StrAppend(&out, line, "\n");
  }
  return WriteFileAtomically(path, out);
}

// Writes `text` to `file` and flushes it; an error naming `path` if either fails.
absl::Status WriteFlushed(std::FILE* file, const std::filesystem::path& path,
                          std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file) != text.size() || std::fflush(file) != 0) {
    const int err = errno;
    std::clearerr(file);
    return absl::UnavailableError(StrCat(path.string(), ": cannot write: ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MetricsLogger> MetricsLogger::Open(const std::filesystem::path& run_dir,
                                                  bool console,
                                                  std::optional<int64_t> resume_step) {
  MetricsLogger logger;
  logger.console_ = console;
  if (run_dir.empty()) return logger;
  const auto csv_path = run_dir / "metrics.csv";
  // what a rewrite killed (or stopped by a directory gone read-only) left
  RemoveStaleTempFiles(csv_path);
  RemoveStaleTempFiles(run_dir / "metrics.jsonl");
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
  logger.csv_path_ = csv_path;
  logger.jsonl_path_ = run_dir / "metrics.jsonl";
  logger.csv_ = std::fopen(csv_path.c_str(), "a");
  logger.jsonl_ = std::fopen(logger.jsonl_path_.c_str(), "a");
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
  std::swap(csv_path_, o.csv_path_);
  std::swap(jsonl_path_, o.jsonl_path_);
  std::swap(tensorboard_, o.tensorboard_);
  std::swap(failed_, o.failed_);
  return *this;
}

MetricsLogger::~MetricsLogger() {
  if (csv_) std::fclose(csv_);
  if (jsonl_) std::fclose(jsonl_);
}

absl::Status MetricsLogger::Log(int64_t step, const Scalars& scalars) {
  if (!failed_.ok()) return failed_;
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
  failed_ = WriteFiles(step, scalars);
  return failed_;
}

absl::Status MetricsLogger::WriteFiles(int64_t step, const Scalars& scalars) {
  if (jsonl_) {
    Json row;
    row["step"] = step;
    for (const auto& [k, v] : scalars) row[k] = v;
    IRLAB_RETURN_IF_ERROR(WriteFlushed(jsonl_, jsonl_path_, JsonText(row) + "\n"));
  }
  if (csv_) {
    // a key no row had before widens the header (the file is rewritten
    // atomically, older rows padded with empty cells)
    const bool first = csv_columns_.empty();
    bool widened = false;
    for (const auto& [k, v] : scalars) {
      if (std::find(csv_columns_.begin(), csv_columns_.end(), k) == csv_columns_.end()) {
        csv_columns_.push_back(k);
        widened = true;
      }
    }
    if (widened) {
      std::fclose(csv_);
      csv_ = nullptr;
      if (first) {
        std::string header = "step";
        for (const auto& column : csv_columns_) StrAppend(&header, ",", column);
        header += "\n";
        csv_ = std::fopen(csv_path_.c_str(), "a");
        if (!csv_) {
          return absl::UnavailableError(
              StrCat(csv_path_.string(), ": cannot open: ", std::strerror(errno)));
        }
        IRLAB_RETURN_IF_ERROR(WriteFlushed(csv_, csv_path_, header));
      } else {
        IRLAB_RETURN_IF_ERROR(RewriteCsvHeader(csv_path_, csv_columns_));
        csv_ = std::fopen(csv_path_.c_str(), "a");
        if (!csv_) {
          return absl::UnavailableError(
              StrCat(csv_path_.string(), ": cannot open: ", std::strerror(errno)));
        }
      }
    }
    std::string row = StrCat(step);
    for (const auto& column : csv_columns_) {
      row += ",";
      for (const auto& [k, v] : scalars) {
        if (k == column) {
          row += CsvNumber(v);
          break;
        }
      }
    }
    row += "\n";
    IRLAB_RETURN_IF_ERROR(WriteFlushed(csv_, csv_path_, row));
  }
  if (tensorboard_) IRLAB_RETURN_IF_ERROR(tensorboard_->Log(step, scalars));
  return absl::OkStatus();
}

}  // namespace irlab
