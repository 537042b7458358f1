#include "core/toml_util.h"

#include "absl/strings/str_join.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {

std::string TomlWhere(std::string_view source, const toml::source_region& region,
                      std::string_view key) {
  if (region.begin.line > 0 && !source.starts_with("--")) {
    return StrCat(source, ":", static_cast<int>(region.begin.line), ": key '", key, "'");
  }
  return StrCat(source, ": key '", key, "'");
}

absl::Status TomlError(std::string_view source, const toml::node& node, std::string_view key,
                       std::string_view what) {
  return absl::InvalidArgumentError(StrCat(TomlWhere(source, node.source(), key), ": ", what));
}

absl::Status CheckTomlKeys(std::string_view source, const toml::table& table,
                           std::string_view prefix, const std::set<std::string>& allowed) {
  for (const auto& [k, node] : table) {
    if (!allowed.count(std::string(k.str()))) {
      return absl::InvalidArgumentError(
          StrCat(TomlWhere(source, k.source(), StrCat(prefix, k.str())), ": unknown key (expected ",
                 absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

std::optional<std::string> TomlScalarText(const toml::node& node) {
  if (auto s = node.value_exact<std::string>()) return *s;
  if (auto i = node.value_exact<int64_t>()) return StrCat(*i);
  if (auto d = node.value_exact<double>()) return ShortestDouble(*d);
  if (auto b = node.value_exact<bool>()) return std::string(*b ? "true" : "false");
  return std::nullopt;
}

std::optional<double> TomlNumber(const toml::node& node) {
  if (auto d = node.value_exact<double>()) return *d;
  if (auto i = node.value_exact<int64_t>()) return static_cast<double>(*i);
  return std::nullopt;
}

absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& file) {
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& err) {
    return absl::InvalidArgumentError(StrCat(file.string(), ":",
                                             static_cast<int>(err.source().begin.line),
                                             ": malformed TOML: ", err.description()));
  }
}

}  // namespace irlab
