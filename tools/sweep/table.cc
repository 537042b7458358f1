// The table: spec -> reference returns -> cells -> layout -> Markdown and CSV.
#include "tools/sweep/table.h"

#include <cmath>
#include <optional>
#include <set>
#include <tuple>

#include "core/status.h"
#include "core/strings.h"
#include "tools/sweep/table_cells.h"
#include "tools/sweep/table_spec.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

// Returns with 3 significant digits up to 100, no decimals beyond; `scale`
// (the mean's, for a std) picks the decimals so "285 ± 3" lines up.
std::string FormatValue(double v, double scale = NAN) {
  char buf[64];
  const double a = std::fabs(std::isnan(scale) ? v : scale);
  std::snprintf(buf, sizeof(buf), a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", v);
  std::string s = buf;
  if (s == "-0" || s == "-0.0" || s == "-0.00") s.erase(0, 1);
  if (!s.empty() && s[0] == '-') s.replace(0, 1, "−");  // U+2212, as in the papers
  return s;
}

std::string FormatNorm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  std::string s = buf;
  if (s == "-0.00") s = "0.00";
  if (!s.empty() && s[0] == '-') s.replace(0, 1, "−");
  return s;
}

// Env steps as "287k" or "1.25M".
std::string FormatSteps(double v) {
  char buf[32];
  if (std::fabs(v) >= 1e6) {
    std::snprintf(buf, sizeof(buf), "%.2fM", v / 1e6);
  } else {
    std::snprintf(buf, sizeof(buf), "%.0fk", v / 1e3);
  }
  return buf;
}

std::string CsvNumber(double v) { return std::isfinite(v) ? ShortestDouble(v) : ""; }

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// How many runs reached the threshold, and the mean and std of their steps.
std::tuple<int, double, double> ReachSummary(const std::vector<std::optional<double>>& steps) {
  std::vector<double> got;
  for (const auto& s : steps) {
    if (s) got.push_back(*s);
  }
  auto [mean, std] = MeanStd(got);
  return {static_cast<int>(got.size()), mean, std};
}

// One cell's figures, as both writers show them.
struct CellFigures {
  int seeds = 0;
  double mean = NAN, std = NAN;    // over the runs
  double nmean = NAN, nstd = NAN;  // over their normalised values
  const PublishedEntry* paper = nullptr;
  double paper_norm = NAN;
};

CellFigures Figures(const TableSpec& spec, const Published& published, const Cells& cells,
                    const std::vector<std::string>& row, const std::string& column) {
  CellKey key = row;
  key.push_back(column);
  CellFigures f;
  if (auto it = cells.raw.find(key); it != cells.raw.end()) {
    f.seeds = static_cast<int>(it->second.size());
    std::tie(f.mean, f.std) = MeanStd(it->second);
  }
  if (auto it = cells.norm.find(key); it != cells.norm.end())
    std::tie(f.nmean, f.nstd) = MeanStd(it->second);
  f.paper = FindPublished(spec, published, row, column);
  if (f.paper) {
    f.paper_norm =
        Normalise(f.paper->mean, published.reference, NormaliseByValue(spec, row, column));
  }
  return f;
}

// Title, description and how to read the cells.
void AppendIntro(const TableSpec& spec, const Published& published, const Layout& layout,
                 std::string& md) {
  StrAppend(&md, "# ", spec.title, "\n\n");
  if (!spec.description.empty()) StrAppend(&md, spec.description, "\n\n");
  const int last = spec.sources[0].last;
  StrAppend(&md, "Each cell: mean ± std over seeds of each run's ",
            last == 1  ? std::string("last value")
            : last > 1 ? StrCat("mean of its last ", last, " values")
                       : std::string("mean of all values"),
            " of `", spec.sources[0].metric, "`");
  if (!spec.normalise_by.empty()) {
    StrAppend(&md,
              ", with the expert-normalised score (R − R_random) / (R_expert − R_random) in "
              "brackets");
  }
  StrAppend(&md, ". Cells with fewer than ", spec.min_seeds, " seeds show their count (n).");
  if (!layout.columns_with_paper.empty()) {
    StrAppend(&md, " \"paper\": the published figure",
              published.source.empty() ? "" : StrCat(" (", published.source, ")"), ".");
  }
  md += "\n\n";
}

// The results: a column per value of `column`, with the published figure beside it.
void AppendResults(const TableSpec& spec, const Published& published, const Cells& cells,
                   const Layout& layout, std::string& md) {
  md += "|";
  for (const auto& r : spec.rows) StrAppend(&md, " ", Label(spec, r), " |");
  for (const auto& c : layout.columns) {
    StrAppend(&md, " ", Label(spec, c), " |");
    if (layout.columns_with_paper.count(c)) StrAppend(&md, " ", Label(spec, c), " (paper) |");
  }
  md += "\n|";
  const size_t width = spec.rows.size() + layout.columns.size() + layout.columns_with_paper.size();
  for (size_t i = 0; i < width; ++i) md += "---|";
  md += "\n";
  for (const auto& row : layout.rows) {
    md += "|";
    for (const auto& v : row) StrAppend(&md, " ", Label(spec, v), " |");
    for (const auto& c : layout.columns) {
      const CellFigures f = Figures(spec, published, cells, row, c);
      std::string cell = "—";
      if (f.seeds > 0) {
        cell = StrCat(FormatValue(f.mean), " ± ", FormatValue(f.std, f.mean));
        if (std::isfinite(f.nmean))
          StrAppend(&cell, " [", FormatNorm(f.nmean), " ± ", FormatNorm(f.nstd), "]");
        if (f.seeds < spec.min_seeds) StrAppend(&cell, " (n=", f.seeds, ")");
      }
      StrAppend(&md, " ", cell, " |");
      if (layout.columns_with_paper.count(c)) {
        std::string text = "—";
        if (f.paper) {
          text = FormatValue(f.paper->mean);
          if (std::isfinite(f.paper->std))
            StrAppend(&text, " ± ", FormatValue(f.paper->std, f.paper->mean));
          if (std::isfinite(f.paper_norm)) StrAppend(&text, " [", FormatNorm(f.paper_norm), "]");
        }
        StrAppend(&md, " ", text, " |");
      }
    }
    md += "\n";
  }
  if (layout.rows.empty()) md += "\n(no finished runs yet)\n";
}

// With `reach`: the steps at which runs first reached it, per cell.
void AppendReach(const TableSpec& spec, const Published& published, const Cells& cells,
                 const Layout& layout, std::string& md) {
  const int last = spec.sources[0].last;
  StrAppend(&md, "\nSteps to reach ", ShortestDouble(*spec.reach),
            ": per run, the first logged step at which the mean of ",
            last > 1 ? StrCat("its last ", last, " values") : std::string("the value"), " of `",
            spec.sources[0].metric, "` is ≥ ", ShortestDouble(*spec.reach),
            "; each cell: mean ± std over the runs that got there, and how many did (k/n).\n\n|");
  for (const auto& r : spec.rows) StrAppend(&md, " ", Label(spec, r), " |");
  for (const auto& c : layout.columns) StrAppend(&md, " ", Label(spec, c), " |");
  md += "\n|";
  for (size_t i = 0; i < spec.rows.size() + layout.columns.size(); ++i) md += "---|";
  md += "\n";
  bool short_cells = false;
  for (const auto& row : layout.rows) {
    md += "|";
    for (const auto& v : row) StrAppend(&md, " ", Label(spec, v), " |");
    for (const auto& c : layout.columns) {
      CellKey key = row;
      key.push_back(c);
      auto it = cells.reached.find(key);
      auto too_short = cells.too_short.find(key);
      const int short_runs = too_short == cells.too_short.end() ? 0 : too_short->second;
      std::string cell = "—";  // no runs (a cell may have only a published figure)
      if (it != cells.reached.end() && !it->second.empty()) {
        auto [count, step_mean, step_std] = ReachSummary(it->second);
        cell = count == 0 ? std::string("never")
                          : StrCat(FormatSteps(step_mean), " ± ", FormatSteps(step_std));
        StrAppend(&cell, " (", count, "/", it->second.size(), ")");
        if (short_runs > 0) StrAppend(&cell, "; ", short_runs, " n/a");
      } else if (short_runs > 0) {
        cell = StrCat("n/a (", short_runs, ")");
      }
      short_cells = short_cells || short_runs > 0;
      StrAppend(&md, " ", cell, " |");
    }
    md += "\n";
  }
  if (short_cells) {
    StrAppend(&md, "\nn/a: runs that logged fewer than ", last,
              " values have no window to average, so no step at which they got there (BC "
              "evaluates once, at its end); their figure above is the mean of what they logged.\n");
  }
}

// With [normalise]: the reference returns and where they came from.
void AppendReferences(const TableSpec& spec, const ReferenceReturns& reference, std::string& md) {
  std::set<std::string> keys;
  for (const auto& [k, v] : reference.expert) keys.insert(k);
  for (const auto& [k, v] : reference.random) keys.insert(k);
  auto describe = [&](const TableSource& s) {
    auto runs = Substitute(s.runs, {}, spec.vars);  // as the cells read them
    std::string text = StrCat("`", runs.ok() ? *runs : s.runs, "`");
    for (const auto& [k, v] : s.where) StrAppend(&text, " ", k, "=", v);
    return text;
  };
  auto value = [](const std::map<std::string, double>& refs, const std::string& k) {
    auto it = refs.find(k);
    return it == refs.end() ? std::string("?") : FormatValue(it->second);
  };
  StrAppend(&md, "\nReference returns per ", spec.normalise_by, ", R_expert / R_random (from ",
            describe(*spec.expert), " and ", describe(*spec.random), "):");
  for (const auto& k : keys) {
    StrAppend(&md, " ", Label(spec, k), " ", value(reference.expert, k), " / ",
              value(reference.random, k), ";");
  }
  md.back() = '.';
  md += "\n";
}

std::string Markdown(const TableSpec& spec, const Published& published,
                     const ReferenceReturns& reference, const Cells& cells, const Layout& layout,
                     const std::vector<std::string>& notes) {
  std::string md;
  AppendIntro(spec, published, layout, md);
  AppendResults(spec, published, cells, layout, md);
  if (spec.reach && !layout.rows.empty()) AppendReach(spec, published, cells, layout, md);
  if (!reference.expert.empty() || !reference.random.empty()) AppendReferences(spec, reference, md);
  if (!notes.empty()) {
    md += "\n";
    for (const auto& n : notes) StrAppend(&md, n, "\n");
  }
  return md;
}

// One line per cell that has runs or a published figure.
std::string Csv(const TableSpec& spec, const Published& published, const Cells& cells,
                const Layout& layout) {
  std::string csv;
  for (const auto& r : spec.rows) StrAppend(&csv, CsvField(r), ",");
  StrAppend(&csv, CsvField(spec.column),
            ",seeds,mean,std,normalised_mean,normalised_std,paper_mean,paper_std,paper_normalised",
            spec.reach ? ",reached,reach_step_mean,reach_step_std\n" : "\n");
  const std::vector<std::optional<double>> no_runs;
  for (const auto& row : layout.rows) {
    for (const auto& c : layout.columns) {
      const CellFigures f = Figures(spec, published, cells, row, c);
      if (f.seeds == 0 && !f.paper) continue;
      for (const auto& v : row) StrAppend(&csv, CsvField(v), ",");
      StrAppend(&csv, CsvField(c), ",", f.seeds, ",", CsvNumber(f.mean), ",", CsvNumber(f.std), ",",
                CsvNumber(f.nmean), ",", CsvNumber(f.nstd), ",",
                f.paper ? CsvNumber(f.paper->mean) : "", ",",
                f.paper ? CsvNumber(f.paper->std) : "", ",", CsvNumber(f.paper_norm));
      if (spec.reach) {
        CellKey key = row;
        key.push_back(c);
        auto it = cells.reached.find(key);
        const bool judged = it != cells.reached.end() && !it->second.empty();
        auto [count, step_mean, step_std] = ReachSummary(judged ? it->second : no_runs);
        // a cell whose runs all logged fewer values than the window: empty (n/a), not 0
        const bool not_applicable = !judged && cells.too_short.count(key);
        StrAppend(&csv, ",", not_applicable ? std::string() : StrCat(count), ",",
                  CsvNumber(step_mean), ",", CsvNumber(step_std));
      }
      csv += "\n";
    }
  }
  return csv;
}

}  // namespace

std::pair<double, double> MeanStd(const std::vector<double>& values) {
  if (values.empty()) return {NAN, NAN};
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double var = 0;
  for (double v : values) var += (v - mean) * (v - mean);
  return {mean, std::sqrt(var / static_cast<double>(values.size()))};
}

absl::StatusOr<TableOutput> BuildTable(const fs::path& spec_file,
                                       const std::vector<std::string>& var_overrides,
                                       const std::vector<std::string>& notes) {
  IRLAB_ASSIGN_OR_RETURN(TableSpec spec, ReadTableSpec(spec_file, var_overrides));
  IRLAB_ASSIGN_OR_RETURN(Published published, ReadPublished(spec));
  TableOutput output;
  IRLAB_ASSIGN_OR_RETURN(ReferenceReturns reference, CollectReferences(spec, output.warnings));
  IRLAB_ASSIGN_OR_RETURN(Cells cells, CollectCells(spec, reference, output.warnings));
  const Layout layout = LayOut(spec, published, cells);
  output.markdown = Markdown(spec, published, reference, cells, layout, notes);
  output.csv = Csv(spec, published, cells, layout);
  return output;
}

}  // namespace irlab::sweep
