// String concatenation that accepts std::string_view. Debian's Abseil is
// built with its own absl::string_view, which absl::StrCat does not take
// std::string_view as; this bridges the two.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace irlab {
namespace strings_internal {
template <class T>
decltype(auto) Bridge(const T& v) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return absl::string_view(v.data(), v.size());
  } else {
    return (v);
  }
}
}  // namespace strings_internal

template <class... Args>
std::string StrCat(const Args&... args) {
  return absl::StrCat(strings_internal::Bridge(args)...);
}

template <class... Args>
void StrAppend(std::string* out, const Args&... args) {
  out->append(StrCat(args...));
}

// `s` as a double-quoted string literal that is valid both in JSON and as a
// TOML basic string (quotes, backslashes and control characters escaped).
std::string QuotedString(std::string_view s);

// `v` in the fewest digits that read back as the same double: "0.1",
// "3e-05", "inf".
std::string ShortestDouble(double v);

// The current time in UTC as ISO 8601: "2026-11-24T00:31:07Z".
std::string UtcTimestamp();

}  // namespace irlab
