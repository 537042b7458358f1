// libFuzzer target: the flag parser. The input is an argument list separated
// by NUL bytes, parsed against flags of every kind; a parse either succeeds or
// fails with an error, and the usage text is always printable.
#include <string>
#include <vector>

#include "core/flags.h"
#include "tests/fuzz/fuzz_util.h"

using namespace irlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.emplace_back();
    } else {
      args.back() += static_cast<char>(data[i]);
    }
  }
  std::string env, out;
  int episodes = 0;
  int64_t seed = -1;
  double scale = 1.0;
  bool deterministic = false;
  std::vector<std::string> sets, positional;
  FlagParser flags("fuzz", "flag parser fuzz target");
  flags.Add("env", &env, "task");
  flags.Add("out", &out, "output");
  flags.Add("episodes", &episodes, "episodes");
  flags.Add("seed", &seed, "seed");
  flags.Add("scale", &scale, "scale");
  flags.Add("deterministic", &deterministic, "switch");
  flags.Add("set", &sets, "key=value");
  if (size % 2 == 0) flags.CollectPositional(&positional);
  if (size % 3 == 0) flags.Require("out");
  absl::Status s = flags.Parse(args);
  if (!s.ok() && s.message().empty()) fuzz::Finding("an error without a message");
  (void)flags.Usage();
  (void)flags.Seen("seed");
  return 0;
}
