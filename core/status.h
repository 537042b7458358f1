// Helpers for absl::Status at I/O and user-input boundaries.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns from the enclosing function when `expr` is not OK.
#define IRLAB_RETURN_IF_ERROR(expr)             \
  do {                                          \
    if (absl::Status _st = (expr); !_st.ok()) { \
      return _st;                               \
    }                                           \
  } while (0)

#define IRLAB_CONCAT_INNER(a, b) a##b
#define IRLAB_CONCAT(a, b) IRLAB_CONCAT_INNER(a, b)

// Declares `lhs` from a StatusOr, or returns its error.
#define IRLAB_ASSIGN_OR_RETURN(lhs, expr) \
  IRLAB_ASSIGN_OR_RETURN_IMPL(IRLAB_CONCAT(_statusor_, __LINE__), lhs, expr)
#define IRLAB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()

// Aborts with a message when a broken invariant is found (not for user input).
#define IRLAB_CHECK(cond, msg)                                                   \
  do {                                                                           \
    if (!(cond)) ::irlab::internal::CheckFailed(__FILE__, __LINE__, #cond, msg); \
  } while (0)

namespace irlab::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* cond, const char* msg);
}  // namespace irlab::internal
