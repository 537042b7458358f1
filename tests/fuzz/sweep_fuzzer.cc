// libFuzzer target: the sweep-file loader and command splitter. Any text
// either fails with an error, or parses and expands without a crash.
#include <string>

#include "tests/fuzz/fuzz_util.h"
#include "tools/sweep/sweep_file.h"

using namespace irlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = sweep::ParseSweep(text, "fuzz.toml");
  if (spec.ok()) {
    auto cells = sweep::ExpandSweep(*spec, "/nonexistent/irlab_fuzz_out");
    (void)cells;
  } else if (spec.status().message().find("fuzz.toml") == std::string_view::npos) {
    fuzz::Finding("a refused sweep file is not named in the error");
  }
  auto split = sweep::SplitCommand(text);
  (void)split;
  return 0;
}
