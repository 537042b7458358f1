// libFuzzer target: the TOML config loader, for the two largest configs
// (train's and expert's). Any text either fails with an error naming the
// source, or resolves to a config whose written TOML reads back identically.
#include <string>

#include "algos/adversarial/config.h"
#include "algos/ppo/config.h"
#include "core/config.h"
#include "tests/fuzz/fuzz_util.h"

using namespace irlab;

template <class C>
void Check(std::string_view text) {
  C config;
  absl::Status s = ConfigSchema::For(config).ApplyText(text, "fuzz.toml");
  if (!s.ok()) {
    if (s.message().find("fuzz.toml") == std::string_view::npos)
      fuzz::Finding("error does not name the file");
    return;
  }
  const std::string written = ConfigSchema::For(config).ToToml();
  C again;
  if (!ConfigSchema::For(again).ApplyText(written, "written.toml").ok()) {
    fuzz::Finding("a resolved config's own TOML is refused");
  }
  if (ConfigSchema::For(again).ToToml() != written)
    fuzz::Finding("a resolved config does not round-trip");
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Check<AdversarialConfig>(text);
  Check<PpoRunConfig>(text);
  return 0;
}
