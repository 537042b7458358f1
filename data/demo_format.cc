#include "data/demo_format.h"

#include "core/strings.h"

#ifndef IRLAB_VERSION
#define IRLAB_VERSION "unknown"
#endif

namespace irlab {

absl::StatusOr<DemoLayout> ParseDemoLayout(std::string_view name) {
  if (name == "irlab") return DemoLayout::kIrlab;
  if (name == "minari") return DemoLayout::kMinari;
  if (name == "d4rl") return DemoLayout::kD4rl;
  return absl::InvalidArgumentError(
      StrCat("unknown demonstration layout '", name, "'; valid: irlab, minari, d4rl"));
}

std::string_view DemoLayoutName(DemoLayout layout) {
  switch (layout) {
    case DemoLayout::kIrlab:
      return "irlab";
    case DemoLayout::kMinari:
      return "minari";
    case DemoLayout::kD4rl:
      return "d4rl";
  }
  return "?";
}

std::string_view IrlabVersion() { return IRLAB_VERSION; }

}  // namespace irlab
