#include "tools/sweep/run_data.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/files.h"
#include "core/json.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/toml_util.h"
#include "tools/sweep/cell_state.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

bool Exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// config.toml's scalars as variables ("env", "ppo.learning_rate").
void FlattenConfig(const toml::table& table, const std::string& prefix, Vars& vars) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      FlattenConfig(*sub, key + ".", vars);
    } else if (auto text = TomlScalarText(node)) {
      vars[key] = *text;
    }
  }
}

absl::StatusOr<Vars> ConfigVars(const fs::path& run_dir) {
  Vars vars;
  const fs::path path = run_dir / "config.toml";
  if (!Exists(path)) return vars;
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    FlattenConfig(toml::parse(text, path.string()), "", vars);
  } catch (const toml::parse_error& err) {
    return absl::DataLossError(StrCat(path.string(), ": malformed TOML: ", err.description()));
  }
  return vars;
}

}  // namespace

bool ParseJsonScalars(std::string_view s, std::vector<std::pair<std::string, double>>& out) {
  out.clear();
  const Json value = Json::parse(s.begin(), s.end(), nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return false;
  out = JsonScalars(value);
  return true;
}

namespace {

// A sweep cell's run: its marker's variables, then config.toml's for the rest.
absl::StatusOr<RunDir> SweepRun(const fs::path& run_dir, Vars sweep_vars) {
  IRLAB_ASSIGN_OR_RETURN(Vars vars, ConfigVars(run_dir));
  for (const auto& [k, v] : sweep_vars) vars[k] = v;
  return RunDir{run_dir, std::move(vars), std::move(sweep_vars)};
}

// The cells a sweep's --out directory records: finished ones with their
// marker's variables, unfinished ones (a log but no marker).
absl::Status ScanSweep(const fs::path& out, RunScan& scan) {
  const fs::path cells = out / ".sweep" / "cells";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(cells, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->path().filename() != "sweep.log") continue;
    const fs::path state = it->path().parent_path();
    const fs::path run_dir = out / fs::relative(state, cells, ec);
    IRLAB_ASSIGN_OR_RETURN(std::optional<Vars> vars, ReadMarkerVars(state / "sweep.done"));
    if (!vars) {
      scan.unfinished.push_back(run_dir);
    } else if (fs::is_directory(run_dir, ec)) {
      IRLAB_ASSIGN_OR_RETURN(RunDir run, SweepRun(run_dir, std::move(*vars)));
      scan.runs.push_back(std::move(run));
    }
  }
  return absl::OkStatus();
}

// For a run directory named directly: the sweep cell it is, if any (the
// nearest ancestor with .sweep/cells/<relative path>).
std::optional<fs::path> CellStateOf(const fs::path& run_dir) {
  std::error_code ec;
  const fs::path dir = fs::absolute(run_dir, ec).lexically_normal();
  for (fs::path up = dir.parent_path(); !up.empty(); up = up.parent_path()) {
    const fs::path state = up / ".sweep" / "cells" / fs::relative(dir, up, ec);
    if (fs::exists(state / "sweep.log", ec)) return state;
    if (up == up.parent_path()) break;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<RunScan> FindRuns(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return absl::NotFoundError(StrCat(root.string(), ": no such directory"));
  }
  RunScan scan;
  std::vector<fs::path> stack = {root};
  while (!stack.empty()) {
    const fs::path dir = stack.back();
    stack.pop_back();
    if (fs::is_directory(dir / ".sweep" / "cells", ec)) {
      IRLAB_RETURN_IF_ERROR(ScanSweep(dir, scan));
      continue;
    }
    if (Exists(dir / "metrics.jsonl") || Exists(dir / "metrics.csv")) {
      if (auto state = CellStateOf(dir)) {
        IRLAB_ASSIGN_OR_RETURN(std::optional<Vars> vars, ReadMarkerVars(*state / "sweep.done"));
        if (vars) {
          IRLAB_ASSIGN_OR_RETURN(RunDir run, SweepRun(dir, std::move(*vars)));
          scan.runs.push_back(std::move(run));
        } else {
          scan.unfinished.push_back(dir);
        }
      } else {
        IRLAB_ASSIGN_OR_RETURN(Vars vars, ConfigVars(dir));
        scan.runs.push_back({dir, std::move(vars), {}});
      }
      continue;
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory(ec) && !name.empty() && name[0] != '.') stack.push_back(entry.path());
    }
  }
  std::sort(scan.runs.begin(), scan.runs.end(),
            [](const RunDir& a, const RunDir& b) { return a.dir < b.dir; });
  std::sort(scan.unfinished.begin(), scan.unfinished.end());
  return scan;
}

absl::StatusOr<std::vector<std::pair<double, double>>> ReadMetric(const fs::path& run_dir,
                                                                  std::string_view metric) {
  std::vector<std::pair<double, double>> series;
  if (const size_t colon = metric.find(".json:"); colon != std::string_view::npos) {
    const fs::path file = run_dir / std::string(metric.substr(0, colon + 5));
    const std::string key(metric.substr(colon + 6));
    IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
    std::vector<std::pair<std::string, double>> scalars;
    if (!ParseJsonScalars(text, scalars)) {
      return absl::DataLossError(StrCat(file.string(), ": not a flat JSON object"));
    }
    for (const auto& [k, v] : scalars) {
      if (k == key && std::isfinite(v)) return std::vector<std::pair<double, double>>{{0, v}};
    }
    return absl::NotFoundError(StrCat(file.string(), ": no number '", key, "'"));
  }
  bool seen = false;
  const fs::path jsonl = run_dir / "metrics.jsonl";
  const fs::path csv = run_dir / "metrics.csv";
  if (Exists(jsonl)) {
    std::ifstream in(jsonl);
    std::string line;
    std::vector<std::pair<std::string, double>> scalars;
    int64_t row = 0;
    while (std::getline(in, line)) {
      if (line.empty() || !ParseJsonScalars(line, scalars)) continue;  // a torn last line
      double step = static_cast<double>(row++);
      std::optional<double> value;
      for (const auto& [k, v] : scalars) {
        if (k == "step") step = v;
        if (k == metric) value = v;
      }
      if (line.find(StrCat("\"", metric, "\"")) != std::string::npos) seen = true;
      if (value && std::isfinite(*value)) series.emplace_back(step, *value);
    }
  } else if (Exists(csv)) {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header = absl::StrSplit(line, ',');
    auto column = std::find(header.begin(), header.end(), metric);
    auto step_column = std::find(header.begin(), header.end(), "step");
    if (column != header.end()) {
      seen = true;
      const size_t c = column - header.begin(), sc = step_column - header.begin();
      int64_t row = 0;
      while (std::getline(in, line)) {
        std::vector<std::string> cells = absl::StrSplit(line, ',');
        double v, step = static_cast<double>(row++);
        if (sc < cells.size()) absl::SimpleAtod(cells[sc], &step);
        if (c < cells.size() && absl::SimpleAtod(cells[c], &v) && std::isfinite(v)) {
          series.emplace_back(step, v);
        }
      }
    }
  } else {
    return absl::NotFoundError(StrCat(run_dir.string(), ": no metrics.jsonl or metrics.csv"));
  }
  if (!seen) {
    return absl::NotFoundError(StrCat(run_dir.string(), ": no metric '", metric, "' logged"));
  }
  return series;
}

double MeanOfLast(const std::vector<std::pair<double, double>>& series, int last) {
  if (series.empty()) return std::nan("");
  const size_t n = last <= 0 ? series.size() : std::min(series.size(), static_cast<size_t>(last));
  double sum = 0;
  for (size_t i = series.size() - n; i < series.size(); ++i) sum += series[i].second;
  return sum / static_cast<double>(n);
}

std::optional<double> FirstStepReaching(const std::vector<std::pair<double, double>>& series,
                                        int window, double threshold) {
  const size_t w = static_cast<size_t>(std::max(window, 1));
  for (size_t end = w; end <= series.size(); ++end) {
    double sum = 0;  // summed afresh, as MeanOfLast does, so both agree to the bit
    for (size_t i = end - w; i < end; ++i) sum += series[i].second;
    if (sum / static_cast<double>(w) >= threshold) return series[end - 1].first;
  }
  return std::nullopt;
}

}  // namespace irlab::sweep
