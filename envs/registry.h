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
// With options.xml_file, the task runs on that model (whose qpos, qvel and
// actuator sizes must be the built-in model's) and, when options.model_digest
// is set, the file's text must still have that digest. Options the task does
// not read (healthy_reward on HalfCheetah) are errors.
absl::StatusOr<std::unique_ptr<Env>> MakeEnv(std::string_view name, const EnvOptions& options = {});

// Pins the model a run or a demonstration file uses, for the commands that
// start one: xml_file made absolute and its digest recorded in model_digest
// (an error if a recorded digest no longer matches). A model replaced through
// IRLAB_ASSETS_DIR becomes an explicit xml_file, so it is recorded too.
absl::Status PinTaskModel(std::string_view name, EnvOptions& options);

}  // namespace irlab
