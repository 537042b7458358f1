#include "tools/sweep/table_spec.h"

#include <toml++/toml.h>

#include <cmath>

#include "core/status.h"
#include "core/strings.h"
#include "core/toml_util.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> GetString(const fs::path& file, const toml::table& t,
                                      std::string_view key, std::string_view prefix = "") {
  const toml::node* n = t.get(key);
  if (!n) return std::string();
  auto s = n->value_exact<std::string>();
  if (!s) return TomlError(file.string(), *n, StrCat(prefix, key), "expected a string");
  return *s;
}

// A table of scalars ([vars], [labels], a source's set and where) into `out`;
// errors name `key` and its entries.
absl::Status ReadScalarTable(const fs::path& file, const toml::node& node, const std::string& key,
                             Vars& out) {
  const toml::table* table = node.as_table();
  if (!table) return TomlError(file.string(), node, key, "expected a table");
  for (const auto& [k, v] : *table) {
    auto text = TomlScalarText(v);
    if (!text) return TomlError(file.string(), v, StrCat(key, ".", k.str()), "expected a scalar");
    out[std::string(k.str())] = *text;
  }
  return absl::OkStatus();
}

absl::StatusOr<TableSource> ReadSource(const fs::path& file, const toml::node& node,
                                       std::string_view name, const TableSpec& spec) {
  const toml::table* t = node.as_table();
  if (!t) return TomlError(file.string(), node, name, "expected a table");
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(file.string(), *t, StrCat(name, "."),
                                      {"runs", "metric", "last", "set", "where"}));
  TableSource source;
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
    if (const toml::node* n = t->get(key)) {
      IRLAB_RETURN_IF_ERROR(ReadScalarTable(file, *n, StrCat(name, ".", key), *vars));
    }
  }
  if (source.metric.empty())
    return TomlError(file.string(), node, name, "no metric (set metric here or at the top)");
  return source;
}

// title, description, column, metric and the published figures' names.
absl::Status ReadHeading(const fs::path& file, const toml::table& t, TableSpec& spec) {
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
  return absl::OkStatus();
}

// rows: the variables whose values make the table's rows.
absl::Status ReadRows(const fs::path& file, const toml::table& t, TableSpec& spec) {
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
  return absl::OkStatus();
}

// last, min_seeds and reach.
absl::Status ReadCounts(const fs::path& file, const toml::table& t, TableSpec& spec) {
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
  return absl::OkStatus();
}

// [order]: a list of values per variable.
absl::Status ReadOrder(const fs::path& file, const toml::node& node, TableSpec& spec) {
  const toml::table* table = node.as_table();
  if (!table) return TomlError(file.string(), node, "order", "expected a table of lists");
  for (const auto& [k, v] : *table) {
    const toml::array* list = v.as_array();
    if (!list) return TomlError(file.string(), v, StrCat("order.", k.str()), "expected a list");
    for (const auto& el : *list) {
      auto text = TomlScalarText(el);
      if (!text) return TomlError(file.string(), el, StrCat("order.", k.str()), "expected scalars");
      spec.order[std::string(k.str())].push_back(*text);
    }
  }
  return absl::OkStatus();
}

// The [[source]] tables, at least one; after metric and last, their defaults.
absl::Status ReadSources(const fs::path& file, const toml::table& t, TableSpec& spec) {
  if (const toml::node* n = t.get("source")) {
    const toml::array* list = n->as_array();
    if (!list || !list->is_array_of_tables())
      return TomlError(file.string(), *n, "source", "expected [[source]] tables");
    for (const auto& el : *list) {
      IRLAB_ASSIGN_OR_RETURN(TableSource s, ReadSource(file, el, "source", spec));
      spec.sources.push_back(std::move(s));
    }
  }
  if (spec.sources.empty())
    return absl::InvalidArgumentError(StrCat(file.string(), ": no [[source]]"));
  return absl::OkStatus();
}

// [normalise]: the variable the expert and random returns go by, and their sources.
absl::Status ReadNormalise(const fs::path& file, const toml::node& node, TableSpec& spec) {
  const toml::table* table = node.as_table();
  if (!table) return TomlError(file.string(), node, "normalise", "expected a table");
  IRLAB_RETURN_IF_ERROR(
      CheckTomlKeys(file.string(), *table, "normalise.", {"by", "expert", "random"}));
  IRLAB_ASSIGN_OR_RETURN(spec.normalise_by, GetString(file, *table, "by", "normalise."));
  if (spec.normalise_by.empty())
    return TomlError(file.string(), node, "normalise", "needs by = \"VARIABLE\"");
  const toml::node* expert = table->get("expert");
  const toml::node* random = table->get("random");
  if (!expert || !random)
    return TomlError(file.string(), node, "normalise", "needs both expert and random");
  IRLAB_ASSIGN_OR_RETURN(spec.expert, ReadSource(file, *expert, "normalise.expert", spec));
  IRLAB_ASSIGN_OR_RETURN(spec.random, ReadSource(file, *random, "normalise.random", spec));
  return absl::OkStatus();
}

// --var name=value: replaces a [vars] entry the file has.
absl::Status ApplyVarOverrides(const fs::path& file, const std::vector<std::string>& overrides,
                               TableSpec& spec) {
  for (const std::string& o : overrides) {
    const size_t eq = o.find('=');
    const std::string key = o.substr(0, eq);
    if (eq == std::string::npos || !spec.vars.count(key)) {
      return absl::InvalidArgumentError(
          StrCat("--var ", o, ": ", file.string(), " has no [vars] entry '", key, "'"));
    }
    spec.vars[key] = o.substr(eq + 1);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TableSpec> ReadTableSpec(const fs::path& file,
                                        const std::vector<std::string>& var_overrides) {
  IRLAB_ASSIGN_OR_RETURN(toml::table t, ParseTomlFile(file));
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(
      file.string(), t, "",
      {"title", "description", "rows", "column", "metric", "last", "published", "published_file",
       "min_seeds", "reach", "vars", "labels", "order", "source", "normalise"}));
  TableSpec spec;
  spec.file = file;
  IRLAB_RETURN_IF_ERROR(ReadHeading(file, t, spec));
  IRLAB_RETURN_IF_ERROR(ReadRows(file, t, spec));
  IRLAB_RETURN_IF_ERROR(ReadCounts(file, t, spec));
  if (const toml::node* n = t.get("vars")) {
    IRLAB_RETURN_IF_ERROR(ReadScalarTable(file, *n, "vars", spec.vars));
  }
  if (const toml::node* n = t.get("labels")) {
    IRLAB_RETURN_IF_ERROR(ReadScalarTable(file, *n, "labels", spec.labels));
  }
  if (const toml::node* n = t.get("order")) IRLAB_RETURN_IF_ERROR(ReadOrder(file, *n, spec));
  IRLAB_RETURN_IF_ERROR(ReadSources(file, t, spec));
  if (const toml::node* n = t.get("normalise")) {
    IRLAB_RETURN_IF_ERROR(ReadNormalise(file, *n, spec));
  }
  IRLAB_RETURN_IF_ERROR(ApplyVarOverrides(file, var_overrides, spec));
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
        (std::string_view(which) == "expert" ? published.reference.expert
                                             : published.reference.random)[std::string(k.str())] =
            *x;
      }
    }
  }
  return published;
}

std::string Label(const TableSpec& spec, const std::string& value) {
  auto it = spec.labels.find(value);
  return it == spec.labels.end() ? value : it->second;
}

}  // namespace irlab::sweep
