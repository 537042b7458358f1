#include "core/config.h"

#include <toml++/toml.h>

#include <cmath>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "core/toml_util.h"

namespace irlab {
namespace {

using FieldInfo = ConfigBinder::FieldInfo;

const char* TypeName(const ConfigBinder::Target& t) {
  switch (t.index()) {
    case 0:
      return "boolean";
    case 1:
    case 2:
      return "integer";
    case 3:
      return "number";
    case 4:
      return "string";
    case 5:
      return "array of integers";
    case 6:
      return "number";
    default:
      return "array of numbers";
  }
}

// Levenshtein distance, for "did you mean" hints on unknown keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// `s` without the white space around it (Debian's absl::string_view is not std's).
std::string Strip(std::string_view s) {
  return std::string(absl::StripAsciiWhitespace(absl::string_view(s.data(), s.size())));
}

// The dotted key assigned on 1-based `line` of TOML text ("ppo.minibatches"
// for "minibatches = ..." under [ppo]), or "" when the line assigns none.
std::string KeyOnLine(std::string_view text, int line) {
  std::string section;
  int n = 1;
  for (absl::string_view row : absl::StrSplit(absl::string_view(text.data(), text.size()), '\n')) {
    const std::string stripped = Strip(std::string_view(row.data(), row.size()));
    if (n == line) {
      const size_t eq = stripped.find('=');
      if (stripped.empty() || stripped[0] == '#' || stripped[0] == '[' || eq == std::string::npos)
        return "";
      std::string key = Strip(stripped.substr(0, eq));
      if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'') &&
          key.back() == key.front()) {
        key = key.substr(1, key.size() - 2);
      }
      return section.empty() ? key : StrCat(section, ".", key);
    }
    if (stripped.size() >= 2 && stripped[0] == '[' && stripped[1] != '[') {
      const size_t close = stripped.find(']');
      section =
          Strip(stripped.substr(1, close == std::string::npos ? std::string::npos : close - 1));
    }
    ++n;
  }
  return "";
}

std::string FormatDouble(double v) {
  std::ostringstream ss;
  ss.precision(17);
  ss << v;
  std::string s = ss.str();
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // keep it a TOML float
  return s;
}

std::string ValueToToml(const ConfigBinder::Target& target) {
  return std::visit(
      [](auto* p) -> std::string {
        using T = std::remove_pointer_t<decltype(p)>;
        if constexpr (std::is_same_v<T, bool>) {
          return *p ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          return FormatDouble(*p);
        } else if constexpr (std::is_same_v<T, std::string>) {
          std::ostringstream ss;
          ss << toml::value<std::string>(*p);
          return ss.str();
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
          return StrCat("[", absl::StrJoin(*p, ", "), "]");
        } else if constexpr (std::is_same_v<T, std::optional<double>>) {
          return *p ? FormatDouble(**p) : "unset";
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          std::vector<std::string> items;
          for (double v : *p) items.push_back(FormatDouble(v));
          return StrCat("[", absl::StrJoin(items, ", "), "]");
        } else {
          return StrCat(*p);
        }
      },
      target);
}

}  // namespace

ConfigSchema::ConfigSchema(std::vector<FieldInfo> fields) : fields_(std::move(fields)) {
  for (size_t i = 0; i < fields_.size(); ++i) index_[fields_[i].key] = i;
}

absl::Status ConfigSchema::ApplyFile(const std::filesystem::path& path) {
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ApplyText(text, path.string());
}

absl::Status ConfigSchema::ApplyText(std::string_view text, std::string_view source) {
  // Debian's toml++ is built with exceptions; they stop here.
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    const int line = static_cast<int>(err.source().begin.line);
    const std::string key = KeyOnLine(text, line);
    const bool one_line = source.rfind("--", 0) == 0;  // --set k=v, --algo x
    return absl::InvalidArgumentError(StrCat(
        source, one_line ? "" : StrCat(":", line, ":", static_cast<int>(err.source().begin.column)),
        key.empty() ? "" : StrCat(": key '", key, "'"), ": malformed TOML: ", err.description()));
  }
  return ApplyTable(table, source, "");
}

absl::Status ConfigSchema::ApplyTable(const toml::table& table, std::string_view source,
                                      const std::string& prefix) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix + std::string(k.str());
    if (const toml::table* sub = node.as_table()) {
      // a section is valid only if some field lives under it
      auto it = index_.lower_bound(key + ".");
      if (it == index_.end() || it->first.rfind(key + ".", 0) != 0) {
        return absl::InvalidArgumentError(
            StrCat(TomlWhere(source, node.source(), key), ": unknown section"));
      }
      IRLAB_RETURN_IF_ERROR(ApplyTable(*sub, source, key + "."));
      continue;
    }
    auto it = index_.find(key);
    if (it == index_.end()) {
      // a section given a value (ppo = 5): name one of its keys
      if (auto sub = index_.lower_bound(key + ".");
          sub != index_.end() && sub->first.rfind(key + ".", 0) == 0) {
        return absl::InvalidArgumentError(StrCat(TomlWhere(source, node.source(), key), ": '", key,
                                                 "' is a section, not a value; set its keys, e.g. ",
                                                 sub->first, " (", "[", key, "] in a file)"));
      }
      // a near miss: fewer edits than the key has characters (ppo is not env)
      std::string hint;
      size_t best = std::min<size_t>(4, key.size());
      for (const auto& f : fields_) {
        if (size_t d = EditDistance(key, f.key); d < best) {
          best = d;
          hint = StrCat(" (did you mean '", f.key, "'?)");
        }
      }
      return absl::InvalidArgumentError(
          StrCat(TomlWhere(source, node.source(), key), ": unknown key", hint));
    }
    IRLAB_RETURN_IF_ERROR(ApplyValue(fields_[it->second], node, source));
  }
  return absl::OkStatus();
}

absl::Status ConfigSchema::ApplyValue(const FieldInfo& field, const toml::node& node,
                                      std::string_view source) {
  const std::string where = TomlWhere(source, node.source(), field.key);
  auto wrong_type = [&] {
    return absl::InvalidArgumentError(StrCat(where, ": expected ", TypeName(field.target)));
  };
  auto check_range = [&](double v) -> absl::Status {
    if (!std::isfinite(v))
      return absl::InvalidArgumentError(StrCat(where, ": value is not finite"));
    if ((field.min && v < *field.min) || (field.max && v > *field.max)) {
      return absl::OutOfRangeError(StrCat(where, ": value ", v, " is outside [",
                                          field.min ? FormatDouble(*field.min) : "-inf", ", ",
                                          field.max ? FormatDouble(*field.max) : "inf", "]"));
    }
    return absl::OkStatus();
  };

  if (auto* p = std::get_if<bool*>(&field.target)) {
    auto v = node.value_exact<bool>();
    if (!v) return wrong_type();
    **p = *v;
  } else if (auto* p = std::get_if<int*>(&field.target)) {
    auto v = node.value_exact<int64_t>();
    if (!v) return wrong_type();
    IRLAB_RETURN_IF_ERROR(check_range(static_cast<double>(*v)));
    if (*v < INT32_MIN || *v > INT32_MAX) {
      return absl::OutOfRangeError(StrCat(where, ": value ", *v, " does not fit a 32-bit integer"));
    }
    **p = static_cast<int>(*v);
  } else if (auto* p = std::get_if<int64_t*>(&field.target)) {
    auto v = node.value_exact<int64_t>();
    if (!v) return wrong_type();
    IRLAB_RETURN_IF_ERROR(check_range(static_cast<double>(*v)));
    **p = *v;
  } else if (auto* p = std::get_if<double*>(&field.target)) {
    std::optional<double> v = TomlNumber(node);
    if (!v) return wrong_type();
    IRLAB_RETURN_IF_ERROR(check_range(*v));
    **p = *v;
  } else if (auto* p = std::get_if<std::optional<double>*>(&field.target)) {
    std::optional<double> v = TomlNumber(node);
    if (!v) return wrong_type();
    IRLAB_RETURN_IF_ERROR(check_range(*v));
    **p = *v;
  } else if (auto* p = std::get_if<std::vector<double>*>(&field.target)) {
    const toml::array* arr = node.as_array();
    if (!arr) return wrong_type();
    std::vector<double> out;
    for (const auto& el : *arr) {
      std::optional<double> v = TomlNumber(el);
      if (!v) return wrong_type();
      IRLAB_RETURN_IF_ERROR(check_range(*v));
      out.push_back(*v);
    }
    **p = std::move(out);
  } else if (auto* p = std::get_if<std::string*>(&field.target)) {
    auto v = node.value_exact<std::string>();
    if (!v) return wrong_type();
    if (!field.choices.empty() &&
        std::find(field.choices.begin(), field.choices.end(), *v) == field.choices.end()) {
      return absl::InvalidArgumentError(
          StrCat(where, ": '", *v, "' is not one of ", absl::StrJoin(field.choices, ", ")));
    }
    **p = *v;
  } else if (auto* p = std::get_if<std::vector<int>*>(&field.target)) {
    const toml::array* arr = node.as_array();
    if (!arr) return wrong_type();
    std::vector<int> out;
    for (const auto& el : *arr) {
      auto v = el.value_exact<int64_t>();
      if (!v) return wrong_type();
      IRLAB_RETURN_IF_ERROR(check_range(static_cast<double>(*v)));
      out.push_back(static_cast<int>(*v));
    }
    **p = std::move(out);
  }
  return absl::OkStatus();
}

absl::Status ConfigSchema::ApplyOverride(std::string_view assignment,
                                         std::string_view given_source) {
  const size_t eq = assignment.find('=');
  const std::string source =
      given_source.empty() ? StrCat("--set ", assignment) : std::string(given_source);
  if (eq == std::string_view::npos || eq == 0) {
    return absl::InvalidArgumentError(StrCat(source, ": expected key=value"));
  }
  const std::string key = Strip(assignment.substr(0, eq));
  const std::string value = Strip(assignment.substr(eq + 1));
  auto it = index_.find(key);
  // bare words are strings for string fields: --set env.name=Hopper
  if (it != index_.end() && std::holds_alternative<std::string*>(fields_[it->second].target) &&
      (value.empty() || value.front() != '"')) {
    std::ostringstream quoted;
    quoted << toml::value<std::string>(value);
    return ApplyText(StrCat(key, " = ", quoted.str()), source);
  }
  return ApplyText(StrCat(key, " = ", value), source);
}

std::string ConfigSchema::ToToml() const {
  // group fields by section so the output is valid, readable TOML
  std::map<std::string, std::vector<const FieldInfo*>> sections;
  for (const auto& f : fields_) {
    const size_t dot = f.key.rfind('.');
    sections[dot == std::string::npos ? "" : f.key.substr(0, dot)].push_back(&f);
  }
  std::string out;
  for (const auto& [section, fields] : sections) {
    if (!section.empty()) StrAppend(&out, out.empty() ? "" : "\n", "[", section, "]\n");
    for (const FieldInfo* f : fields) {
      const size_t dot = f->key.rfind('.');
      const std::string leaf = dot == std::string::npos ? f->key : f->key.substr(dot + 1);
      const auto* optional = std::get_if<std::optional<double>*>(&f->target);
      if (optional && !**optional) {
        StrAppend(&out, "# ", leaf, " = (unset)");  // TOML has no null: the key is left out
      } else {
        StrAppend(&out, leaf, " = ", ValueToToml(f->target));
      }
      if (!f->help.empty()) StrAppend(&out, "  # ", f->help);
      out += "\n";
    }
  }
  return out;
}

std::string ConfigSchema::Describe() const {
  std::string out;
  for (const auto& f : fields_) {
    StrAppend(&out, "  ", f.key, " = ", ValueToToml(f.target), "\n      ", f.help);
    if (f.min || f.max) {
      StrAppend(&out, " [", f.min ? FormatDouble(*f.min) : "-inf", ", ",
                f.max ? FormatDouble(*f.max) : "inf", "]");
    }
    if (!f.choices.empty()) StrAppend(&out, " {", absl::StrJoin(f.choices, ", "), "}");
    out += "\n";
  }
  return out;
}

uint64_t ConfigSchema::Hash() const {
  // FNV-1a over the resolved TOML text: stable across runs and machines
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : ToToml()) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace irlab
