#include "core/json.h"

#include <cmath>
#include <limits>

#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {

std::string JsonText(const Json& value, int indent) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

absl::StatusOr<Json> ParseJson(std::string_view text, std::string_view where) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return absl::DataLossError(StrCat(where, ": malformed JSON: ", e.what()));
  }
}

absl::StatusOr<Json> ReadJsonFile(const std::filesystem::path& path) {
  IRLAB_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseJson(text, path.string());
}

absl::Status WriteJsonFile(const std::filesystem::path& path, const Json& value) {
  return WriteFileAtomically(path, JsonText(value, 2) + "\n");
}

namespace {

std::optional<double> AsNumber(const Json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_null()) return std::numeric_limits<double>::quiet_NaN();
  return std::nullopt;
}

}  // namespace

std::vector<std::pair<std::string, double>> JsonScalars(const Json& value) {
  std::vector<std::pair<std::string, double>> out;
  if (!value.is_object()) return out;
  for (const auto& [key, v] : value.items()) {
    if (auto number = AsNumber(v)) out.emplace_back(key, *number);
  }
  return out;
}

std::optional<double> JsonNumber(const Json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(std::string(key));
  if (it == object.end()) return std::nullopt;
  return AsNumber(*it);
}

}  // namespace irlab
