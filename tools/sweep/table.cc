#include "tools/sweep/table.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/toml_util.h"
#include "tools/sweep/run_data.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

struct Source {
  std::string runs;  // a path template
  std::string metric;
  int last = 1;
  Vars set;    // variables added to each run
  Vars where;  // only runs with these values
};

struct TableSpec {
  fs::path file;
  std::string title, description;
  std::vector<std::string> rows;
  std::string column;
  std::string metric;
  int last = 1;
  std::string published;
  fs::path published_file;
  int min_seeds = 5;
  std::optional<double> reach;  // also tabulate the steps at which runs first reach it
  Vars vars;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::vector<std::string>> order;
  std::vector<Source> sources;
  std::string normalise_by;
  std::optional<Source> expert, random;
};

struct PublishedEntry {
  Vars match;
  double mean = NAN, std = NAN;
};

struct Published {
  std::string source;
  std::vector<PublishedEntry> entries;
  std::map<std::string, double> expert, random;  // by `normalise.by` value
};

absl::StatusOr<std::string> GetString(const fs::path& file, const toml::table& t,
                                      std::string_view key, std::string_view prefix = "") {
  const toml::node* n = t.get(key);
  if (!n) return std::string();
  auto s = n->value_exact<std::string>();
  if (!s) return TomlError(file.string(), *n, StrCat(prefix, key), "expected a string");
  return *s;
}

absl::StatusOr<Source> ReadSource(const fs::path& file, const toml::node& node,
                                  std::string_view name, const TableSpec& spec) {
  const toml::table* t = node.as_table();
  if (!t) return TomlError(file.string(), node, name, "expected a table");
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(file.string(), *t, StrCat(name, "."),
                                      {"runs", "metric", "last", "set", "where"}));
  Source source;
  source.metric = spec.metric;
  source.last = spec.last;
  IRLAB_ASSIGN_OR_RETURN(source.runs, GetString(file, *t, "runs", StrCat(name, ".")));
  if (source.runs.empty()) return TomlError(file.string(), node, name, "needs runs = \"DIR\"");
  IRLAB_ASSIGN_OR_RETURN(std::string metric, GetString(file, *t, "metric", StrCat(name, ".")));
  if (!metric.empty()) source.metric = metric;
  if (const toml::node* n = t->get("last")) {
    auto v = n->value_exact<int64_t>();
    if (!v || *v < 0)
      return TomlError(file.string(), *n, StrCat(name, ".last"), "expected an integer >= 0");
    source.last = static_cast<int>(*v);
  }
  for (auto [key, vars] : {std::pair{"set", &source.set}, {"where", &source.where}}) {
    const toml::node* n = t->get(key);
    if (!n) continue;
    const toml::table* table = n->as_table();
    if (!table) return TomlError(file.string(), *n, StrCat(name, ".", key), "expected a table");
    for (const auto& [k, v] : *table) {
      auto text = TomlScalarText(v);
      if (!text)
        return TomlError(file.string(), v, StrCat(name, ".", key, ".", k.str()),
                         "expected a scalar");
      (*vars)[std::string(k.str())] = *text;
    }
  }
  if (source.metric.empty())
    return TomlError(file.string(), node, name, "no metric (set metric here or at the top)");
  return source;
}

absl::StatusOr<TableSpec> ReadSpec(const fs::path& file,
                                   const std::vector<std::string>& overrides) {
  IRLAB_ASSIGN_OR_RETURN(toml::table t, ParseTomlFile(file));
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(
      file.string(), t, "",
      {"title", "description", "rows", "column", "metric", "last", "published", "published_file",
       "min_seeds", "reach", "vars", "labels", "order", "source", "normalise"}));
  TableSpec spec;
  spec.file = file;
  IRLAB_ASSIGN_OR_RETURN(spec.title, GetString(file, t, "title"));
  if (spec.title.empty()) spec.title = file.stem().string();
  IRLAB_ASSIGN_OR_RETURN(spec.description, GetString(file, t, "description"));
  IRLAB_ASSIGN_OR_RETURN(spec.column, GetString(file, t, "column"));
  if (spec.column.empty())
    return absl::InvalidArgumentError(StrCat(file.string(), ": missing key 'column'"));
  IRLAB_ASSIGN_OR_RETURN(spec.metric, GetString(file, t, "metric"));
  IRLAB_ASSIGN_OR_RETURN(spec.published, GetString(file, t, "published"));
  IRLAB_ASSIGN_OR_RETURN(std::string published_file, GetString(file, t, "published_file"));
  if (!published_file.empty()) spec.published_file = file.parent_path() / published_file;
  const toml::array* rows = t.get_as<toml::array>("rows");
  if (!rows || rows->empty()) {
    return absl::InvalidArgumentError(
        StrCat(file.string(), ": missing key 'rows' (a list of variables)"));
  }
  for (const auto& el : *rows) {
    auto s = el.value_exact<std::string>();
    if (!s) return TomlError(file.string(), el, "rows", "expected strings");
    spec.rows.push_back(*s);
  }
  for (const char* key : {"last", "min_seeds"}) {
    if (const toml::node* n = t.get(key)) {
      auto v = n->value_exact<int64_t>();
      if (!v || *v < 0) return TomlError(file.string(), *n, key, "expected an integer >= 0");
      (std::string_view(key) == "last" ? spec.last : spec.min_seeds) = static_cast<int>(*v);
    }
  }
  if (const toml::node* n = t.get("reach")) {
    spec.reach = TomlNumber(*n);
    if (!spec.reach || !std::isfinite(*spec.reach))
      return TomlError(file.string(), *n, "reach", "expected a number");
  }
  for (const char* section : {"vars", "labels"}) {
    if (const toml::node* n = t.get(section)) {
      const toml::table* table = n->as_table();
      if (!table) return TomlError(file.string(), *n, section, "expected a table");
      for (const auto& [k, v] : *table) {
        auto text = TomlScalarText(v);
        if (!text)
          return TomlError(file.string(), v, StrCat(section, ".", k.str()), "expected a scalar");
        (std::string_view(section) == "vars" ? spec.vars : spec.labels)[std::string(k.str())] =
            *text;
      }
    }
  }
  if (const toml::node* n = t.get("order")) {
    const toml::table* table = n->as_table();
    if (!table) return TomlError(file.string(), *n, "order", "expected a table of lists");
    for (const auto& [k, v] : *table) {
      const toml::array* list = v.as_array();
      if (!list) return TomlError(file.string(), v, StrCat("order.", k.str()), "expected a list");
      for (const auto& el : *list) {
        auto text = TomlScalarText(el);
        if (!text)
          return TomlError(file.string(), el, StrCat("order.", k.str()), "expected scalars");
        spec.order[std::string(k.str())].push_back(*text);
      }
    }
  }
  if (const toml::node* n = t.get("source")) {
    const toml::array* list = n->as_array();
    if (!list || !list->is_array_of_tables())
      return TomlError(file.string(), *n, "source", "expected [[source]] tables");
    for (const auto& el : *list) {
      IRLAB_ASSIGN_OR_RETURN(Source s, ReadSource(file, el, "source", spec));
      spec.sources.push_back(std::move(s));
    }
  }
  if (spec.sources.empty())
    return absl::InvalidArgumentError(StrCat(file.string(), ": no [[source]]"));
  if (const toml::node* n = t.get("normalise")) {
    const toml::table* table = n->as_table();
    if (!table) return TomlError(file.string(), *n, "normalise", "expected a table");
    IRLAB_RETURN_IF_ERROR(
        CheckTomlKeys(file.string(), *table, "normalise.", {"by", "expert", "random"}));
    IRLAB_ASSIGN_OR_RETURN(spec.normalise_by, GetString(file, *table, "by", "normalise."));
    if (spec.normalise_by.empty())
      return TomlError(file.string(), *n, "normalise", "needs by = \"VARIABLE\"");
    const toml::node* expert = table->get("expert");
    const toml::node* random = table->get("random");
    if (!expert || !random)
      return TomlError(file.string(), *n, "normalise", "needs both expert and random");
    IRLAB_ASSIGN_OR_RETURN(spec.expert, ReadSource(file, *expert, "normalise.expert", spec));
    IRLAB_ASSIGN_OR_RETURN(spec.random, ReadSource(file, *random, "normalise.random", spec));
  }
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    const std::string key = o.substr(0, eq);
    if (eq == std::string::npos || !spec.vars.count(key)) {
      return absl::InvalidArgumentError(
          StrCat("--var ", o, ": ", file.string(), " has no [vars] entry '", key, "'"));
    }
    spec.vars[key] = o.substr(eq + 1);
  }
  return spec;
}

absl::StatusOr<Published> ReadPublished(const TableSpec& spec) {
  Published published;
  if (spec.published.empty()) return published;
  if (spec.published_file.empty()) {
    return absl::InvalidArgumentError(
        StrCat(spec.file.string(), ": published = \"", spec.published, "\" needs published_file"));
  }
  const fs::path& file = spec.published_file;
  IRLAB_ASSIGN_OR_RETURN(toml::table t, ParseTomlFile(file));
  const toml::table* section = t.get_as<toml::table>(spec.published);
  if (!section) {
    return absl::NotFoundError(StrCat(file.string(), ": no section [", spec.published, "]"));
  }
  const std::string prefix = spec.published + ".";
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(file.string(), *section, prefix,
                                      {"source", "entries", "expert", "random", "note"}));
  IRLAB_ASSIGN_OR_RETURN(published.source, GetString(file, *section, "source", prefix));
  if (const toml::node* n = section->get("entries")) {
    const toml::array* list = n->as_array();
    if (!list) return TomlError(file.string(), *n, prefix + "entries", "expected a list of tables");
    for (const auto& el : *list) {
      const toml::table* entry = el.as_table();
      if (!entry) return TomlError(file.string(), el, prefix + "entries", "expected tables");
      PublishedEntry e;
      for (const auto& [k, v] : *entry) {
        if (k == "mean" || k == "std") {
          auto x = TomlNumber(v);
          if (!x)
            return TomlError(file.string(), v, prefix + "entries." + std::string(k.str()),
                             "expected a number");
          (k == "mean" ? e.mean : e.std) = *x;
        } else if (k != "note") {
          auto text = TomlScalarText(v);
          if (!text)
            return TomlError(file.string(), v, prefix + "entries." + std::string(k.str()),
                             "expected a scalar");
          e.match[std::string(k.str())] = *text;
        }
      }
      if (std::isnan(e.mean))
        return TomlError(file.string(), el, prefix + "entries", "entry without mean");
      published.entries.push_back(std::move(e));
    }
  }
  for (const char* which : {"expert", "random"}) {
    if (const toml::node* n = section->get(which)) {
      const toml::table* table = n->as_table();
      if (!table)
        return TomlError(file.string(), *n, prefix + which, "expected a table of numbers");
      for (const auto& [k, v] : *table) {
        auto x = TomlNumber(v);
        if (!x)
          return TomlError(file.string(), v, prefix + which + "." + std::string(k.str()),
                           "expected a number");
        (std::string_view(which) == "expert" ? published.expert
                                             : published.random)[std::string(k.str())] = *x;
      }
    }
  }
  return published;
}

// One run's value, with its variables.
struct Sample {
  Vars vars;
  double value;
  std::optional<double> reach_step;  // with `reach`: when the run first got there
};

absl::StatusOr<std::vector<Sample>> Collect(const Source& source, const TableSpec& spec,
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
    samples.push_back({std::move(vars), MeanOfLast(*series, source.last), reach_step});
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

std::string Label(const TableSpec& spec, const std::string& value) {
  auto it = spec.labels.find(value);
  return it == spec.labels.end() ? value : it->second;
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
  IRLAB_ASSIGN_OR_RETURN(TableSpec spec, ReadSpec(spec_file, var_overrides));
  IRLAB_ASSIGN_OR_RETURN(Published published, ReadPublished(spec));
  TableOutput output;

  // reference returns for normalisation, per value of `by`
  std::map<std::string, double> ref_expert, ref_random;
  if (spec.expert) {
    for (auto [source, refs] :
         {std::pair{&*spec.expert, &ref_expert}, {&*spec.random, &ref_random}}) {
      IRLAB_ASSIGN_OR_RETURN(std::vector<Sample> samples, Collect(*source, spec, output.warnings));
      std::map<std::string, std::vector<double>> by;
      for (const Sample& s : samples) {
        if (auto it = s.vars.find(spec.normalise_by); it != s.vars.end())
          by[it->second].push_back(s.value);
      }
      for (const auto& [k, values] : by) (*refs)[k] = MeanStd(values).first;
    }
  }
  auto normalise = [](double r, const std::map<std::string, double>& expert,
                      const std::map<std::string, double>& random, const std::string& key) {
    auto e = expert.find(key), z = random.find(key);
    if (e == expert.end() || z == random.end() || e->second == z->second) return double(NAN);
    return (r - z->second) / (e->second - z->second);
  };

  // group runs into cells: (row values..., column value) -> samples
  using Key = std::vector<std::string>;
  std::map<Key, std::vector<double>> raw, norm;
  std::map<Key, std::vector<std::optional<double>>> reached;
  std::vector<std::set<std::string>> row_values(spec.rows.size());
  std::set<std::string> column_values;
  for (const Source& source : spec.sources) {
    IRLAB_ASSIGN_OR_RETURN(std::vector<Sample> samples, Collect(source, spec, output.warnings));
    for (const Sample& s : samples) {
      Key key;
      for (const auto& r : spec.rows) {
        if (auto it = s.vars.find(r); it != s.vars.end()) key.push_back(it->second);
      }
      auto col = s.vars.find(spec.column);
      if (key.size() != spec.rows.size() || col == s.vars.end()) {
        output.warnings.push_back(StrCat("a run of ", source.runs, " lacks some of the variables ",
                                         absl::StrJoin(spec.rows, ", "), ", ", spec.column));
        continue;
      }
      for (size_t i = 0; i < key.size(); ++i) row_values[i].insert(key[i]);
      column_values.insert(col->second);
      key.push_back(col->second);
      raw[key].push_back(s.value);
      reached[key].push_back(s.reach_step);
      if (!spec.normalise_by.empty()) {
        auto by = s.vars.find(spec.normalise_by);
        const double n =
            by == s.vars.end() ? NAN : normalise(s.value, ref_expert, ref_random, by->second);
        if (std::isfinite(n)) norm[key].push_back(n);
      }
    }
  }

  // layout: row tuples that have runs, in display order
  std::vector<std::vector<std::string>> orders;
  for (size_t i = 0; i < spec.rows.size(); ++i) {
    orders.push_back(Ordered(spec.rows[i], row_values[i], spec, published));
  }
  const std::vector<std::string> columns = Ordered(spec.column, column_values, spec, published);
  std::vector<Key> row_keys;
  for (const auto& [key, values] : raw) row_keys.emplace_back(key.begin(), key.end() - 1);
  std::sort(row_keys.begin(), row_keys.end());
  row_keys.erase(std::unique(row_keys.begin(), row_keys.end()), row_keys.end());
  auto rank = [&](const Key& k) {
    std::vector<size_t> r;
    for (size_t i = 0; i < k.size(); ++i) {
      r.push_back(std::find(orders[i].begin(), orders[i].end(), k[i]) - orders[i].begin());
    }
    return r;
  };
  std::sort(row_keys.begin(), row_keys.end(),
            [&](const Key& a, const Key& b) { return rank(a) < rank(b); });

  auto find_published = [&](const Key& row, const std::string& column) -> const PublishedEntry* {
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
  };
  auto by_value = [&](const Key& row, const std::string& column) -> std::string {
    if (spec.normalise_by == spec.column) return column;
    auto it = std::find(spec.rows.begin(), spec.rows.end(), spec.normalise_by);
    return it == spec.rows.end() ? "" : row[it - spec.rows.begin()];
  };
  std::set<std::string> columns_with_paper;
  for (const Key& row : row_keys) {
    for (const auto& c : columns) {
      if (find_published(row, c)) columns_with_paper.insert(c);
    }
  }

  // Markdown
  std::string& md = output.markdown;
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
  if (!columns_with_paper.empty()) {
    StrAppend(&md, " \"paper\": the published figure",
              published.source.empty() ? "" : StrCat(" (", published.source, ")"), ".");
  }
  md += "\n\n|";
  for (const auto& r : spec.rows) StrAppend(&md, " ", Label(spec, r), " |");
  for (const auto& c : columns) {
    StrAppend(&md, " ", Label(spec, c), " |");
    if (columns_with_paper.count(c)) StrAppend(&md, " ", Label(spec, c), " (paper) |");
  }
  md += "\n|";
  for (size_t i = 0; i < spec.rows.size() + columns.size() + columns_with_paper.size(); ++i)
    md += "---|";
  md += "\n";

  // CSV
  std::string& csv = output.csv;
  for (const auto& r : spec.rows) StrAppend(&csv, CsvField(r), ",");
  StrAppend(&csv, CsvField(spec.column),
            ",seeds,mean,std,normalised_mean,normalised_std,paper_mean,paper_std,paper_normalised",
            spec.reach ? ",reached,reach_step_mean,reach_step_std\n" : "\n");

  for (const Key& row : row_keys) {
    md += "|";
    for (const auto& v : row) StrAppend(&md, " ", Label(spec, v), " |");
    for (const auto& c : columns) {
      Key key = row;
      key.push_back(c);
      std::string cell = "—";
      auto [mean, std] = MeanStd(raw.count(key) ? raw[key] : std::vector<double>());
      auto [nmean, nstd] = MeanStd(norm.count(key) ? norm[key] : std::vector<double>());
      const int seeds = raw.count(key) ? static_cast<int>(raw[key].size()) : 0;
      if (seeds > 0) {
        cell = StrCat(FormatValue(mean), " ± ", FormatValue(std, mean));
        if (std::isfinite(nmean))
          StrAppend(&cell, " [", FormatNorm(nmean), " ± ", FormatNorm(nstd), "]");
        if (seeds < spec.min_seeds) StrAppend(&cell, " (n=", seeds, ")");
      }
      StrAppend(&md, " ", cell, " |");
      const PublishedEntry* paper = find_published(row, c);
      double paper_norm = NAN;
      if (paper)
        paper_norm = normalise(paper->mean, published.expert, published.random, by_value(row, c));
      if (columns_with_paper.count(c)) {
        std::string text = "—";
        if (paper) {
          text = FormatValue(paper->mean);
          if (std::isfinite(paper->std))
            StrAppend(&text, " ± ", FormatValue(paper->std, paper->mean));
          if (std::isfinite(paper_norm)) StrAppend(&text, " [", FormatNorm(paper_norm), "]");
        }
        StrAppend(&md, " ", text, " |");
      }
      if (seeds > 0 || paper) {
        for (const auto& v : row) StrAppend(&csv, CsvField(v), ",");
        StrAppend(&csv, CsvField(c), ",", seeds, ",", CsvNumber(mean), ",", CsvNumber(std), ",",
                  CsvNumber(nmean), ",", CsvNumber(nstd), ",", paper ? CsvNumber(paper->mean) : "",
                  ",", paper ? CsvNumber(paper->std) : "", ",", CsvNumber(paper_norm));
        if (spec.reach) {
          auto [count, step_mean, step_std] = ReachSummary(reached[key]);
          StrAppend(&csv, ",", count, ",", CsvNumber(step_mean), ",", CsvNumber(step_std));
        }
        csv += "\n";
      }
    }
    md += "\n";
  }
  if (row_keys.empty()) md += "\n(no finished runs yet)\n";

  if (spec.reach && !row_keys.empty()) {
    StrAppend(&md, "\nSteps to reach ", ShortestDouble(*spec.reach),
              ": per run, the first logged step at which the mean of ",
              last > 1 ? StrCat("its last ", last, " values") : std::string("the value"), " of `",
              spec.sources[0].metric, "` is ≥ ", ShortestDouble(*spec.reach),
              "; each cell: mean ± std over the runs that got there, and how many did (k/n).\n\n|");
    for (const auto& r : spec.rows) StrAppend(&md, " ", Label(spec, r), " |");
    for (const auto& c : columns) StrAppend(&md, " ", Label(spec, c), " |");
    md += "\n|";
    for (size_t i = 0; i < spec.rows.size() + columns.size(); ++i) md += "---|";
    md += "\n";
    for (const Key& row : row_keys) {
      md += "|";
      for (const auto& v : row) StrAppend(&md, " ", Label(spec, v), " |");
      for (const auto& c : columns) {
        Key key = row;
        key.push_back(c);
        std::string cell = "—";
        if (auto it = reached.find(key); it != reached.end()) {
          auto [count, step_mean, step_std] = ReachSummary(it->second);
          cell = count == 0 ? std::string("never")
                            : StrCat(FormatSteps(step_mean), " ± ", FormatSteps(step_std));
          StrAppend(&cell, " (", count, "/", it->second.size(), ")");
        }
        StrAppend(&md, " ", cell, " |");
      }
      md += "\n";
    }
  }

  if (!ref_expert.empty() || !ref_random.empty()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : ref_expert) keys.insert(k);
    for (const auto& [k, v] : ref_random) keys.insert(k);
    auto describe = [&](const Source& s) {
      auto runs = Substitute(s.runs, {}, spec.vars);  // as Collect read them
      std::string text = StrCat("`", runs.ok() ? *runs : s.runs, "`");
      for (const auto& [k, v] : s.where) StrAppend(&text, " ", k, "=", v);
      return text;
    };
    StrAppend(&md, "\nReference returns per ", spec.normalise_by, ", R_expert / R_random (from ",
              describe(*spec.expert), " and ", describe(*spec.random), "):");
    for (const auto& k : keys) {
      StrAppend(&md, " ", Label(spec, k), " ",
                ref_expert.count(k) ? FormatValue(ref_expert[k]) : std::string("?"), " / ",
                ref_random.count(k) ? FormatValue(ref_random[k]) : std::string("?"), ";");
    }
    md.back() = '.';
    md += "\n";
  }
  if (!notes.empty()) {
    md += "\n";
    for (const auto& n : notes) StrAppend(&md, n, "\n");
  }
  return output;
}

}  // namespace irlab::sweep
