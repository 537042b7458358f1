#include "core/status.h"

#include <cstdio>
#include <cstdlib>

namespace irlab::internal {

void CheckFailed(const char* file, int line, const char* cond, const char* msg) {
  std::fprintf(stderr, "irlab: internal check failed at %s:%d: %s (%s)\n", file, line, cond, msg);
  std::abort();
}

}  // namespace irlab::internal
