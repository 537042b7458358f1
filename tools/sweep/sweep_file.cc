#include "tools/sweep/sweep_file.h"

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <set>
#include <tuple>

#include "absl/strings/str_join.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/toml_util.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

// Names that every cell defines itself.
const std::set<std::string> kReserved = {"seed", "out", "sweep_out"};

// The entries of a table in the order they were written (toml++ sorts them).
std::vector<std::pair<std::string, const toml::node*>> InFileOrder(const toml::table& table) {
  std::vector<std::tuple<uint32_t, uint32_t, std::string, const toml::node*>> entries;
  for (const auto& [k, node] : table) {
    entries.emplace_back(k.source().begin.line, k.source().begin.column, std::string(k.str()),
                         &node);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (auto& [line, column, key, node] : entries) out.emplace_back(std::move(key), node);
  return out;
}

// A scalar as the text substituted into commands.
absl::StatusOr<std::string> ScalarText(const toml::node& node, std::string_view source,
                                       std::string_view key) {
  if (auto text = TomlScalarText(node)) return *text;
  return TomlError(source, node, key, "expected a string, number or boolean");
}

absl::Status CheckName(std::string_view source, const toml::node& node, const std::string& key) {
  if (kReserved.count(key)) {
    return TomlError(source, node, key, "is reserved (seed, out and sweep_out are set per cell)");
  }
  return absl::OkStatus();
}

// A point's variable table (one [[cells]] entry), kept in file order.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadPoint(
    const toml::table& table, std::string_view source, std::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> point;
  for (const auto& [key, node] : InFileOrder(table)) {
    IRLAB_RETURN_IF_ERROR(CheckName(source, *node, key));
    IRLAB_ASSIGN_OR_RETURN(std::string text, ScalarText(*node, source, StrCat(prefix, key)));
    point.emplace_back(key, std::move(text));
  }
  return point;
}

// The product of one grid table's lists, first key outermost.
absl::StatusOr<std::vector<std::vector<std::pair<std::string, std::string>>>> ExpandGrid(
    const toml::table& grid, std::string_view source) {
  std::vector<std::vector<std::pair<std::string, std::string>>> points = {{}};
  for (const auto& [key, node] : InFileOrder(grid)) {
    IRLAB_RETURN_IF_ERROR(CheckName(source, *node, key));
    std::vector<std::string> values;
    if (const toml::array* list = node->as_array()) {
      if (list->empty()) return TomlError(source, *node, "grid." + key, "empty list");
      for (const auto& el : *list) {
        IRLAB_ASSIGN_OR_RETURN(std::string text, ScalarText(el, source, "grid." + key));
        values.push_back(std::move(text));
      }
    } else {
      IRLAB_ASSIGN_OR_RETURN(std::string text, ScalarText(*node, source, "grid." + key));
      values.push_back(std::move(text));
    }
    std::vector<std::vector<std::pair<std::string, std::string>>> next;
    for (const auto& p : points) {
      for (const auto& v : values) {
        next.push_back(p);
        next.back().emplace_back(key, v);
      }
    }
    points = std::move(next);
  }
  return points;
}

absl::StatusOr<std::vector<int64_t>> ReadSeeds(const toml::node& node, std::string_view source) {
  std::vector<int64_t> seeds;
  if (auto n = node.value_exact<int64_t>()) {
    if (*n < 1 || *n > 100000)
      return TomlError(source, node, "seeds", "expected a count in [1, 100000]");
    for (int64_t s = 0; s < *n; ++s) seeds.push_back(s);
    return seeds;
  }
  const toml::array* list = node.as_array();
  if (!list || list->empty()) {
    return TomlError(source, node, "seeds", "expected a non-empty list of integers or a count");
  }
  for (const auto& el : *list) {
    auto v = el.value_exact<int64_t>();
    if (!v || *v < 0) return TomlError(source, el, "seeds", "expected non-negative integers");
    if (std::find(seeds.begin(), seeds.end(), *v) != seeds.end()) {
      return TomlError(source, el, "seeds", StrCat("seed ", *v, " is listed twice"));
    }
    seeds.push_back(*v);
  }
  return seeds;
}

absl::Status ReadVars(const toml::node& node, std::string_view source, std::string_view prefix,
                      Vars& vars) {
  const toml::table* table = node.as_table();
  if (!table) return TomlError(source, node, prefix, "expected a table");
  for (const auto& [k, value] : *table) {
    const std::string key(k.str());
    IRLAB_RETURN_IF_ERROR(CheckName(source, value, key));
    IRLAB_ASSIGN_OR_RETURN(vars[key], ScalarText(value, source, StrCat(prefix, ".", key)));
  }
  return absl::OkStatus();
}

// A command: a string split like a shell would, or a list of arguments.
absl::StatusOr<std::vector<std::string>> ReadCommand(const toml::node& node,
                                                     std::string_view source,
                                                     std::string_view key) {
  std::vector<std::string> argv;
  if (auto s = node.value_exact<std::string>()) {
    auto args = SplitCommand(*s);
    if (!args.ok()) return TomlError(source, node, key, std::string(args.status().message()));
    argv = std::move(*args);
  } else if (const toml::array* list = node.as_array()) {
    for (const auto& el : *list) {
      auto s = el.value_exact<std::string>();
      if (!s) return TomlError(source, el, key, "expected a string or a list of strings");
      argv.push_back(*s);
    }
  } else {
    return TomlError(source, node, key, "expected a string or a list of strings");
  }
  if (argv.empty()) return TomlError(source, node, key, "is empty");
  return argv;
}

absl::Status ReadSlurm(const toml::node& node, std::string_view source, SlurmOptions& slurm) {
  const toml::table* table = node.as_table();
  if (!table) return TomlError(source, node, "slurm", "expected a table");
  IRLAB_RETURN_IF_ERROR(CheckTomlKeys(source, *table, "slurm.",
                                      {"time", "cpus_per_task", "mem", "partition", "extra_args"}));
  for (const auto& [k, value] : *table) {
    const std::string key = StrCat("slurm.", k.str());
    if (k == "cpus_per_task") {
      auto v = value.value_exact<int64_t>();
      if (!v || *v < 1 || *v > 4096)
        return TomlError(source, value, key, "expected an integer in [1, 4096]");
      slurm.cpus_per_task = static_cast<int>(*v);
    } else if (k == "extra_args") {
      const toml::array* list = value.as_array();
      if (!list) return TomlError(source, value, key, "expected a list of strings");
      for (const auto& el : *list) {
        auto s = el.value_exact<std::string>();
        if (!s) return TomlError(source, el, key, "expected a list of strings");
        slurm.extra_args.push_back(*s);
      }
    } else {
      auto s = value.value_exact<std::string>();
      if (!s) return TomlError(source, value, key, "expected a string");
      (k == "time" ? slurm.time : k == "mem" ? slurm.mem : slurm.partition) = *s;
    }
  }
  return absl::OkStatus();
}

// Points of `grid` (a table or an array of tables) and `cells`, in that order.
absl::Status ReadPoints(const toml::node* grid, const toml::node* cells, std::string_view source,
                        SweepSpec& spec) {
  std::vector<std::vector<std::pair<std::string, std::string>>> points;
  if (grid) {
    std::vector<const toml::table*> tables;
    if (const toml::table* t = grid->as_table()) {
      tables.push_back(t);
    } else if (const toml::array* a = grid->as_array(); a && a->is_array_of_tables()) {
      for (const auto& el : *a) tables.push_back(el.as_table());
    } else {
      return TomlError(source, *grid, "grid", "expected a table ([grid]) or tables ([[grid]])");
    }
    for (const toml::table* t : tables) {
      IRLAB_ASSIGN_OR_RETURN(auto expanded, ExpandGrid(*t, source));
      points.insert(points.end(), expanded.begin(), expanded.end());
    }
  }
  if (cells) {
    const toml::array* a = cells->as_array();
    if (!a || !a->is_array_of_tables()) {
      return TomlError(source, *cells, "cells", "expected tables ([[cells]])");
    }
    for (const auto& el : *a) {
      IRLAB_ASSIGN_OR_RETURN(auto point, ReadPoint(*el.as_table(), source, "cells."));
      points.push_back(std::move(point));
    }
  }
  if (!grid && !cells) points.push_back({});  // the command alone, at every seed
  spec.keys.clear();
  spec.points.clear();
  std::set<Vars> seen;
  for (const auto& point : points) {
    Vars vars;
    for (const auto& [k, v] : point) {
      vars[k] = v;
      if (std::find(spec.keys.begin(), spec.keys.end(), k) == spec.keys.end())
        spec.keys.push_back(k);
    }
    if (seen.insert(vars).second) spec.points.push_back(std::move(vars));  // a union: no repeats
  }
  return absl::OkStatus();
}

// Keeps [A-Za-z0-9.+-] of a value for a directory name; the rest become '_'.
std::string PathSafe(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

uint32_t Fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitCommand(std::string_view command) {
  std::vector<std::string> args;
  std::string current;
  bool in_arg = false;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_arg) args.push_back(std::move(current));
      current.clear();
      in_arg = false;
    } else if (c == '\'') {
      const size_t end = command.find('\'', i + 1);
      if (end == std::string_view::npos) return absl::InvalidArgumentError("unterminated ' quote");
      current.append(command.substr(i + 1, end - i - 1));
      i = end;
      in_arg = true;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < command.size() && command[j] != '"'; ++j) {
        if (command[j] == '\\' && j + 1 < command.size()) ++j;
        current += command[j];
      }
      if (j >= command.size()) return absl::InvalidArgumentError("unterminated \" quote");
      i = j;
      in_arg = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      current += command[++i];
      in_arg = true;
    } else {
      current += c;
      in_arg = true;
    }
  }
  if (in_arg) args.push_back(std::move(current));
  return args;
}

absl::StatusOr<std::string> Substitute(std::string_view text, const Vars& vars,
                                       const Vars& constants) {
  // constants may refer to each other; a cycle stops at this depth
  std::function<absl::StatusOr<std::string>(std::string_view, int)> expand =
      [&](std::string_view t, int depth) -> absl::StatusOr<std::string> {
    if (depth > 16) return absl::InvalidArgumentError("placeholders nest too deep (a cycle?)");
    std::string out;
    for (size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      if ((c == '{' || c == '}') && i + 1 < t.size() && t[i + 1] == c) {
        out += c;
        ++i;
        continue;
      }
      if (c == '}') return absl::InvalidArgumentError(StrCat("unmatched '}' in '", t, "'"));
      if (c != '{') {
        out += c;
        continue;
      }
      const size_t end = t.find('}', i + 1);
      if (end == std::string_view::npos) {
        return absl::InvalidArgumentError(StrCat("unmatched '{' in '", t, "'"));
      }
      const std::string name(t.substr(i + 1, end - i - 1));
      if (auto it = vars.find(name); it != vars.end()) {
        out += it->second;
      } else if (auto c_it = constants.find(name); c_it != constants.end()) {
        IRLAB_ASSIGN_OR_RETURN(std::string value, expand(c_it->second, depth + 1));
        out += value;
      } else {
        std::vector<std::string> known;
        for (const auto& [k, v] : vars) known.push_back(k);
        for (const auto& [k, v] : constants) known.push_back(k);
        return absl::InvalidArgumentError(
            StrCat("unknown placeholder {", name, "} (known: ", absl::StrJoin(known, ", "), ")"));
      }
      i = end;
    }
    return out;
  };
  return expand(text, 0);
}

absl::StatusOr<SweepSpec> ParseSweep(std::string_view text, std::string_view source,
                                     const std::string& budget,
                                     const std::vector<std::string>& var_overrides) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    return absl::InvalidArgumentError(StrCat(source, ":", static_cast<int>(err.source().begin.line),
                                             ":", static_cast<int>(err.source().begin.column),
                                             ": malformed TOML: ", err.description()));
  }
  IRLAB_RETURN_IF_ERROR(
      CheckTomlKeys(source, table, "",
                    {"name", "description", "command", "resume_command", "resume_when", "mkdir_out",
                     "name_by", "seeds", "grid", "cells", "vars", "budget", "slurm"}));

  SweepSpec spec;
  spec.file = std::string(source);
  spec.name = fs::path(source).stem().string();
  spec.budget = budget;
  if (const toml::node* n = table.get("name")) {
    auto s = n->value_exact<std::string>();
    if (!s || s->empty()) return TomlError(source, *n, "name", "expected a non-empty string");
    spec.name = *s;
  }
  if (const toml::node* n = table.get("description"); n && !n->is_string()) {
    return TomlError(source, *n, "description", "expected a string");
  }

  const toml::node* command = table.get("command");
  if (!command) return absl::InvalidArgumentError(StrCat(source, ": missing key 'command'"));
  IRLAB_ASSIGN_OR_RETURN(spec.command, ReadCommand(*command, source, "command"));
  if (const toml::node* resume = table.get("resume_command")) {
    IRLAB_ASSIGN_OR_RETURN(spec.resume_command, ReadCommand(*resume, source, "resume_command"));
  }
  if (const toml::node* n = table.get("resume_when")) {
    auto s = n->value_exact<std::string>();
    if (!s || s->empty() || fs::path(*s).is_absolute()) {
      return TomlError(source, *n, "resume_when", "expected a file name relative to {out}");
    }
    if (spec.resume_command.empty())
      return TomlError(source, *n, "resume_when", "needs resume_command");
    spec.resume_when = *s;
  }
  const toml::node* name_by = table.get("name_by");
  if (name_by) {
    const toml::array* list = name_by->as_array();
    if (!list || list->empty())
      return TomlError(source, *name_by, "name_by", "expected a list of variables");
    for (const auto& el : *list) {
      auto s = el.value_exact<std::string>();
      if (!s) return TomlError(source, el, "name_by", "expected a list of variables");
      spec.name_by.push_back(*s);
    }
  }
  if (const toml::node* n = table.get("mkdir_out")) {
    auto b = n->value_exact<bool>();
    if (!b) return TomlError(source, *n, "mkdir_out", "expected true or false");
    spec.mkdir_out = *b;
  }

  const toml::node* seeds = table.get("seeds");
  const toml::node* grid = table.get("grid");
  const toml::node* cells = table.get("cells");
  if (const toml::node* v = table.get("vars"))
    IRLAB_RETURN_IF_ERROR(ReadVars(*v, source, "vars", spec.vars));
  if (const toml::node* s = table.get("slurm"))
    IRLAB_RETURN_IF_ERROR(ReadSlurm(*s, source, spec.slurm));

  // a budget replaces the lists it names
  const toml::table* budgets = nullptr;
  if (const toml::node* b = table.get("budget")) {
    budgets = b->as_table();
    if (!budgets) return TomlError(source, *b, "budget", "expected tables [budget.NAME]");
    for (const auto& [name, section] : *budgets) {
      const toml::table* t = section.as_table();
      if (!t) return TomlError(source, section, StrCat("budget.", name.str()), "expected a table");
      IRLAB_RETURN_IF_ERROR(CheckTomlKeys(source, *t, StrCat("budget.", name.str(), "."),
                                          {"seeds", "grid", "cells", "vars"}));
    }
  }
  if (!budget.empty()) {
    const toml::table* chosen = budgets ? budgets->get_as<toml::table>(budget) : nullptr;
    if (!chosen) {
      std::vector<std::string> names;
      if (budgets) {
        for (const auto& [name, section] : *budgets) names.emplace_back(name.str());
      }
      return absl::InvalidArgumentError(
          StrCat(source, ": no [budget.", budget,
                 "] (budgets here: ", names.empty() ? "none" : absl::StrJoin(names, ", "), ")"));
    }
    if (const toml::node* n = chosen->get("seeds")) seeds = n;
    if (const toml::node* n = chosen->get("grid")) {
      grid = n;
      if (!chosen->get("cells")) cells = nullptr;
    }
    if (const toml::node* n = chosen->get("cells")) {
      cells = n;
      if (!chosen->get("grid")) grid = nullptr;
    }
    if (const toml::node* v = chosen->get("vars")) {
      IRLAB_RETURN_IF_ERROR(ReadVars(*v, source, StrCat("budget.", budget, ".vars"), spec.vars));
    }
  }
  if (seeds) {
    IRLAB_ASSIGN_OR_RETURN(spec.seeds, ReadSeeds(*seeds, source));
  }
  IRLAB_RETURN_IF_ERROR(ReadPoints(grid, cells, source, spec));
  for (const auto& key : spec.name_by) {
    if (std::find(spec.keys.begin(), spec.keys.end(), key) == spec.keys.end()) {
      return TomlError(source, *name_by, "name_by",
                       StrCat("'", key, "' is not a grid or cells variable"));
    }
  }
  for (const auto& key : spec.keys) {
    if (spec.vars.count(key)) {
      return absl::InvalidArgumentError(
          StrCat(source, ": '", key, "' is both a [vars] constant and a grid/cells variable"));
    }
  }

  for (const std::string& assignment : var_overrides) {
    const size_t eq = assignment.find('=');
    const std::string key = assignment.substr(0, eq);
    if (eq == std::string::npos || key.empty()) {
      return absl::InvalidArgumentError(StrCat("--var ", assignment, ": expected name=value"));
    }
    if (!spec.vars.count(key)) {
      std::vector<std::string> names;
      for (const auto& [k, v] : spec.vars) names.push_back(k);
      return absl::InvalidArgumentError(
          StrCat("--var ", assignment, ": ", source, " has no [vars] entry '", key,
                 "' (has: ", names.empty() ? "none" : absl::StrJoin(names, ", "), ")"));
    }
    spec.vars[key] = assignment.substr(eq + 1);
  }
  return spec;
}

absl::StatusOr<SweepSpec> LoadSweepFile(const fs::path& path, const std::string& budget,
                                        const std::vector<std::string>& var_overrides) {
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseSweep(text, path.string(), budget, var_overrides);
}

absl::StatusOr<std::vector<Cell>> ExpandSweep(const SweepSpec& spec, const fs::path& out_dir) {
  const fs::path out = fs::absolute(out_dir).lexically_normal();

  // directory names from the variables; values that clash once made path-safe
  // get a hash of their exact text
  std::vector<std::string> names;
  std::map<std::string, std::set<Vars>> by_name;
  const std::vector<std::string>& name_keys = spec.name_by.empty() ? spec.keys : spec.name_by;
  for (const Vars& point : spec.points) {
    std::vector<std::string> parts;
    for (const auto& key : name_keys) {
      if (auto it = point.find(key); it != point.end()) {
        parts.push_back(StrCat(PathSafe(key), "-", PathSafe(it->second)));
      }
    }
    names.push_back(absl::StrJoin(parts, "_"));
    by_name[names.back()].insert(point);
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (by_name[names[i]].size() > 1) {
      std::string exact;
      for (const auto& [k, v] : spec.points[i]) StrAppend(&exact, k, "=", v, "\n");
      char hash[16];
      std::snprintf(hash, sizeof(hash), "~%08x", Fnv1a(exact));
      names[i] += hash;
    }
  }

  std::vector<Cell> cells;
  for (size_t i = 0; i < spec.points.size(); ++i) {
    for (int64_t seed : spec.seeds) {
      Cell cell;
      cell.id = names[i].empty() ? StrCat("seed-", seed) : StrCat(names[i], "/seed-", seed);
      cell.run_dir = out / cell.id;
      cell.state_dir = out / ".sweep" / "cells" / cell.id;
      cell.attempts = out / ".sweep" / "attempts" / cell.id;
      cell.mkdir_out = spec.mkdir_out;
      cell.resume_when = spec.resume_when;
      cell.vars = spec.points[i];
      cell.vars["seed"] = StrCat(seed);
      Vars context = cell.vars;
      context["out"] = cell.run_dir.string();
      context["sweep_out"] = out.string();
      for (auto [key, templates, argv] :
           {std::tuple{"command", &spec.command, &cell.argv},
            std::tuple{"resume_command", &spec.resume_command, &cell.resume_argv}}) {
        for (const std::string& arg : *templates) {
          auto expanded = Substitute(arg, context, spec.vars);
          if (!expanded.ok()) {
            return absl::InvalidArgumentError(StrCat(spec.file.string(), ": ", key, ", cell ",
                                                     cell.id, ": ", expanded.status().message()));
          }
          argv->push_back(std::move(*expanded));
        }
      }
      cells.push_back(std::move(cell));
    }
  }
  return cells;
}

}  // namespace irlab::sweep
