#include "tools/sweep/table_cells.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "core/status.h"
#include "core/strings.h"
#include "tools/sweep/run_data.h"
#include "tools/sweep/table.h"

namespace irlab::sweep {
namespace {

// One run's value, with its variables.
struct Sample {
  Vars vars;
  double value;
  std::optional<double> reach_step;  // with `reach`: when the run first got there
  bool full_window = true;           // it logged at least `last` values
};

absl::StatusOr<std::vector<Sample>> Collect(const TableSource& source, const TableSpec& spec,
                                            std::vector<std::string>& warnings) {
  auto path = Substitute(source.runs, {}, spec.vars);
  if (!path.ok()) {
    return absl::InvalidArgumentError(
        StrCat(spec.file.string(), ": runs = \"", source.runs, "\": ", path.status().message()));
  }
  std::vector<Sample> samples;
  auto scan = FindRuns(*path);
  if (!scan.ok()) {
    warnings.push_back(StrCat(*path, ": no runs (", scan.status().message(), ")"));
    return samples;
  }
  if (!scan->unfinished.empty()) {
    warnings.push_back(StrCat(*path, ": ", scan->unfinished.size(),
                              " unfinished cells left out, e.g. ", scan->unfinished[0].string()));
  }
  for (const RunDir& run : scan->runs) {
    bool selected = true;
    for (const auto& [k, v] : source.where) {
      auto it = run.vars.find(k);
      selected = selected && it != run.vars.end() && it->second == v;
    }
    if (!selected) continue;
    auto series = ReadMetric(run.dir, source.metric);
    if (!series.ok() || series->empty()) {
      warnings.push_back(
          series.ok() ? StrCat(run.dir.string(), ": '", source.metric, "' has no finite values")
                      : std::string(series.status().message()));
      continue;
    }
    Vars vars = run.vars;
    for (const auto& [k, v] : source.set) vars[k] = v;
    std::optional<double> reach_step;
    if (spec.reach) reach_step = FirstStepReaching(*series, source.last, *spec.reach);
    const bool full_window = series->size() >= static_cast<size_t>(std::max(source.last, 1));
    samples.push_back({std::move(vars), MeanOfLast(*series, source.last), reach_step, full_window});
  }
  if (scan->runs.empty()) warnings.push_back(StrCat(*path, ": no finished runs"));
  return samples;
}

// The display order of a variable's values: [order], then the published
// file's, then numeric or lexicographic.
std::vector<std::string> Ordered(const std::string& key, const std::set<std::string>& values,
                                 const TableSpec& spec, const Published& published) {
  std::vector<std::string> out;
  auto add = [&](const std::string& v) {
    if (values.count(v) && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  if (auto it = spec.order.find(key); it != spec.order.end()) {
    for (const auto& v : it->second) add(v);
  }
  for (const auto& e : published.entries) {
    if (auto it = e.match.find(key); it != e.match.end()) add(it->second);
  }
  std::vector<std::string> rest;
  for (const auto& v : values) {
    if (std::find(out.begin(), out.end(), v) == out.end()) rest.push_back(v);
  }
  std::sort(rest.begin(), rest.end(), [](const std::string& a, const std::string& b) {
    double x, y;
    if (absl::SimpleAtod(a, &x) && absl::SimpleAtod(b, &y)) return x < y;
    return a < b;
  });
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace

double Normalise(double r, const ReferenceReturns& reference, const std::string& key) {
  auto e = reference.expert.find(key), z = reference.random.find(key);
  if (e == reference.expert.end() || z == reference.random.end() || e->second == z->second)
    return NAN;
  return (r - z->second) / (e->second - z->second);
}

absl::StatusOr<ReferenceReturns> CollectReferences(const TableSpec& spec,
                                                   std::vector<std::string>& warnings) {
  ReferenceReturns reference;
  if (!spec.expert) return reference;
  for (auto [source, refs] :
       {std::pair{&*spec.expert, &reference.expert}, {&*spec.random, &reference.random}}) {
    IRLAB_ASSIGN_OR_RETURN(std::vector<Sample> samples, Collect(*source, spec, warnings));
    std::map<std::string, std::vector<double>> by;
    for (const Sample& s : samples) {
      if (auto it = s.vars.find(spec.normalise_by); it != s.vars.end())
        by[it->second].push_back(s.value);
    }
    for (const auto& [k, values] : by) (*refs)[k] = MeanStd(values).first;
  }
  return reference;
}

absl::StatusOr<Cells> CollectCells(const TableSpec& spec, const ReferenceReturns& reference,
                                   std::vector<std::string>& warnings) {
  Cells cells;
  cells.row_values.resize(spec.rows.size());
  for (const TableSource& source : spec.sources) {
    IRLAB_ASSIGN_OR_RETURN(std::vector<Sample> samples, Collect(source, spec, warnings));
    for (const Sample& s : samples) {
      CellKey key;
      for (const auto& r : spec.rows) {
        if (auto it = s.vars.find(r); it != s.vars.end()) key.push_back(it->second);
      }
      auto col = s.vars.find(spec.column);
      if (key.size() != spec.rows.size() || col == s.vars.end()) {
        warnings.push_back(StrCat("a run of ", source.runs, " lacks some of the variables ",
                                  absl::StrJoin(spec.rows, ", "), ", ", spec.column));
        continue;
      }
      for (size_t i = 0; i < key.size(); ++i) cells.row_values[i].insert(key[i]);
      cells.column_values.insert(col->second);
      key.push_back(col->second);
      cells.raw[key].push_back(s.value);
      if (s.full_window) {
        cells.reached[key].push_back(s.reach_step);
      } else {
        ++cells.too_short[key];
      }
      if (!spec.normalise_by.empty()) {
        auto by = s.vars.find(spec.normalise_by);
        const double n = by == s.vars.end() ? NAN : Normalise(s.value, reference, by->second);
        if (std::isfinite(n)) cells.norm[key].push_back(n);
      }
    }
  }
  return cells;
}

Layout LayOut(const TableSpec& spec, const Published& published, const Cells& cells) {
  Layout layout;
  std::vector<std::vector<std::string>> orders;
  for (size_t i = 0; i < spec.rows.size(); ++i) {
    orders.push_back(Ordered(spec.rows[i], cells.row_values[i], spec, published));
  }
  layout.columns = Ordered(spec.column, cells.column_values, spec, published);
  std::vector<std::vector<std::string>>& rows = layout.rows;
  for (const auto& [key, values] : cells.raw) rows.emplace_back(key.begin(), key.end() - 1);
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  auto rank = [&](const std::vector<std::string>& row) {
    std::vector<size_t> r;
    for (size_t i = 0; i < row.size(); ++i) {
      r.push_back(std::find(orders[i].begin(), orders[i].end(), row[i]) - orders[i].begin());
    }
    return r;
  };
  std::sort(rows.begin(), rows.end(),
            [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  for (const auto& row : rows) {
    for (const auto& c : layout.columns) {
      if (FindPublished(spec, published, row, c)) layout.columns_with_paper.insert(c);
    }
  }
  return layout;
}

const PublishedEntry* FindPublished(const TableSpec& spec, const Published& published,
                                    const std::vector<std::string>& row,
                                    const std::string& column) {
  for (const auto& e : published.entries) {
    bool match = true;
    for (const auto& [k, v] : e.match) {
      auto it = std::find(spec.rows.begin(), spec.rows.end(), k);
      if (it != spec.rows.end()) {
        match = match && row[it - spec.rows.begin()] == v;
      } else if (k == spec.column) {
        match = match && column == v;
      } else {
        match = false;  // a variable this table does not lay out
      }
    }
    if (match) return &e;
  }
  return nullptr;
}

std::string NormaliseByValue(const TableSpec& spec, const std::vector<std::string>& row,
                             const std::string& column) {
  if (spec.normalise_by == spec.column) return column;
  auto it = std::find(spec.rows.begin(), spec.rows.end(), spec.normalise_by);
  return it == spec.rows.end() ? "" : row[it - spec.rows.begin()];
}

}  // namespace irlab::sweep
