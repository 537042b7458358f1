// The task registry: a function from names to environments.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/env.h"
#include "envs/options.h"

namespace irlab {

// Every registered task name, in a stable order.
std::vector<std::string> EnvNames();

// Makes task `name`; an unknown name gives an error listing the valid ones.
absl::StatusOr<std::unique_ptr<Env>> MakeEnv(std::string_view name, const EnvOptions& options = {});

}  // namespace irlab
