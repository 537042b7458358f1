#include "envs/env.h"

#include <cmath>

#include "core/strings.h"

namespace irlab {

absl::Status ValidateAction(const EnvSpec& spec, std::span<const float> action) {
  if (static_cast<int>(action.size()) != spec.act_dim) {
    return absl::InvalidArgumentError(StrCat(spec.name, ": action has ", action.size(),
                                             " entries, the task takes ", spec.act_dim));
  }
  for (size_t i = 0; i < action.size(); ++i) {
    if (!std::isfinite(action[i])) {
      return absl::InvalidArgumentError(
          StrCat(spec.name, ": action[", i, "] is not finite (", action[i], ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace irlab
