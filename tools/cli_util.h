// Shared edges of the subcommands: flag parsing with --help, error printing.
#pragma once

#include <cstdio>

#include "absl/status/status.h"
#include "core/flags.h"
#include "tools/commands.h"

namespace irlab {

// Parses flags; returns an exit code to stop with (0 after --help, 2 on a bad
// flag), or -1 to go on.
inline int ParseFlagsOrExit(FlagParser& flags, const Args& args) {
  absl::Status s = flags.Parse(args);
  if (absl::IsCancelled(s)) {
    std::printf("%s", flags.Usage().c_str());
    return 0;
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 2;
  }
  return -1;
}

// Prints an error status for `command` and returns exit code 1.
inline int Fail(const char* command, const absl::Status& s) {
  std::fprintf(stderr, "irlab %s: error: %s\n", command, std::string(s.message()).c_str());
  return 1;
}

}  // namespace irlab
