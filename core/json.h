// JSON for every file irlab writes or reads (run.json, eval.json,
// metrics.jsonl, summary.json, Minari's metadata.json), through one library:
// nlohmann::json. Written numbers keep full double precision (the shortest
// text that reads back to the same double); NaN and Inf, which JSON cannot
// hold, are written as null. Objects keep their keys in insertion order.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace irlab {

using Json = nlohmann::ordered_json;

// `value` as JSON text: one line when `indent` < 0, else pretty-printed with
// `indent` spaces. Non-finite numbers become null; invalid UTF-8 in strings is
// replaced by U+FFFD rather than throwing.
std::string JsonText(const Json& value, int indent = -1);

// Parses `text`; the error names `where` (a file) and the parser's position.
absl::StatusOr<Json> ParseJson(std::string_view text, std::string_view where);

// Reads and parses a JSON file; errors name the file.
absl::StatusOr<Json> ReadJsonFile(const std::filesystem::path& path);

// Writes `value` pretty-printed (2 spaces, trailing newline) atomically.
absl::Status WriteJsonFile(const std::filesystem::path& path, const Json& value);

// The top-level numbers of an object, in order: numbers as they are, true and
// false as 1 and 0, null as NaN (a non-finite number written by irlab);
// strings, arrays and objects are skipped. Empty when `value` is no object.
std::vector<std::pair<std::string, double>> JsonScalars(const Json& value);

// The number under `key` of an object (null reads as NaN); nullopt when the
// key is missing or holds something else.
std::optional<double> JsonNumber(const Json& object, std::string_view key);

}  // namespace irlab
