// Reading TOML files written by hand (configs, sweep and table files): errors
// that name the file, the line and the dotted key, and scalars as text.
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace irlab {

// "file.toml:12: key 'ppo.epochs'"; without the line when the node has none
// or `source` is a flag ("--set ppo.epochs=x" is one line).
std::string TomlWhere(std::string_view source, const toml::source_region& region,
                      std::string_view key);

// InvalidArgument "<TomlWhere>: <what>".
absl::Status TomlError(std::string_view source, const toml::node& node, std::string_view key,
                       std::string_view what);

// An error for the first key of `table` that is not in `allowed` (keys are
// named `prefix` + key), listing the allowed ones.
absl::Status CheckTomlKeys(std::string_view source, const toml::table& table,
                           std::string_view prefix, const std::set<std::string>& allowed);

// A string, integer, float or boolean as text ("Hopper", "3", "0.001",
// "true"; floats by ShortestDouble); nullopt for tables and arrays.
std::optional<std::string> TomlScalarText(const toml::node& node);

// An integer or float as a double.
std::optional<double> TomlNumber(const toml::node& node);

// Parses a TOML file; a malformed one is an error naming the file and line.
absl::StatusOr<toml::table> ParseTomlFile(const std::filesystem::path& file);

}  // namespace irlab
