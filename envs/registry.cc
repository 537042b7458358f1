#include "envs/registry.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <utility>

#include "absl/strings/str_join.h"
#include "core/files.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/model_library.h"
#include "envs/mujoco_env.h"
#include "envs/pendulum.h"
#include "envs/tasks/tasks.h"

namespace irlab {
namespace {

using TaskFn = std::function<MujocoTask()>;

const std::vector<std::pair<std::string, TaskFn>>& MujocoTasks() {
  static const std::vector<std::pair<std::string, TaskFn>> tasks = {
      {"HalfCheetah", [] { return tasks::HalfCheetah(false); }},
      {"Hopper", [] { return tasks::Hopper(false); }},
      {"Walker2d", [] { return tasks::Walker2d(false); }},
      {"Ant", [] { return tasks::Ant(false); }},
      {"Swimmer", [] { return tasks::Swimmer(false); }},
      {"InvertedPendulum", tasks::InvertedPendulum},
      {"Reacher", tasks::Reacher},
      {"Humanoid", [] { return tasks::Humanoid(false); }},
      {"CustomAnt", tasks::CustomAnt},
      {"DisabledAnt", tasks::DisabledAnt},
      {"PointMazeLeft", [] { return tasks::PointMaze(false); }},
      {"PointMazeRight", [] { return tasks::PointMaze(true); }},
      {"HalfCheetahFixed", [] { return tasks::HalfCheetah(true); }},
      {"HopperFixed", [] { return tasks::Hopper(true); }},
      {"Walker2dFixed", [] { return tasks::Walker2d(true); }},
      {"AntFixed", [] { return tasks::Ant(true); }},
      {"SwimmerFixed", [] { return tasks::Swimmer(true); }},
      {"HumanoidFixed", [] { return tasks::Humanoid(true); }},
  };
  return tasks;
}

// The Gymnasium-v5 options that differ from their defaults.
std::vector<std::string> ParametersSet(const EnvOptions& o) {
  std::vector<std::string> set;
  if (o.forward_reward_weight) set.push_back("forward_reward_weight");
  if (o.ctrl_cost_weight) set.push_back("ctrl_cost_weight");
  if (o.contact_cost_weight) set.push_back("contact_cost_weight");
  if (o.healthy_reward) set.push_back("healthy_reward");
  if (!o.terminate_when_unhealthy) set.push_back("terminate_when_unhealthy");
  if (!o.healthy_z_range.empty()) set.push_back("healthy_z_range");
  if (!o.healthy_angle_range.empty()) set.push_back("healthy_angle_range");
  if (!o.exclude_current_positions_from_observation)
    set.push_back("exclude_current_positions_from_observation");
  return set;
}

absl::Status CheckOptions(std::string_view name, const std::vector<std::string>& parameters,
                          const EnvOptions& o) {
  for (const std::string& p : ParametersSet(o)) {
    if (std::find(parameters.begin(), parameters.end(), p) == parameters.end()) {
      return absl::InvalidArgumentError(
          StrCat("env_options.", p, ": task ", name, " has no such parameter",
                 parameters.empty() ? std::string(" (it has none)")
                                    : StrCat(" (it has ", absl::StrJoin(parameters, ", "), ")")));
    }
  }
  for (const auto* range : {&o.healthy_z_range, &o.healthy_angle_range}) {
    if (!range->empty() && (range->size() != 2 || (*range)[0] > (*range)[1])) {
      return absl::InvalidArgumentError(StrCat(
          "env_options.", range == &o.healthy_z_range ? "healthy_z_range" : "healthy_angle_range",
          ": expected [min, max] with min <= max"));
    }
  }
  return absl::OkStatus();
}

// The task's model: its built-in one, or env_options.xml_file when that is set
// (with the same qpos, qvel and actuator sizes, and the recorded digest).
absl::StatusOr<std::shared_ptr<const mjModel>> TaskModel(std::string_view name,
                                                         const MujocoTask& task,
                                                         const EnvOptions& o) {
  IRLAB_ASSIGN_OR_RETURN(auto builtin, LoadModel(task.model_file));
  if (o.xml_file.empty()) return builtin;
  const std::string where = StrCat("env_options.xml_file ", o.xml_file);
  auto text = ReadFile(o.xml_file);
  if (!text.ok()) return absl::NotFoundError(StrCat(where, ": ", text.status().message()));
  if (!o.model_digest.empty() && ModelDigest(*text) != o.model_digest) {
    return absl::FailedPreconditionError(
        StrCat(where, ": the model is not the one recorded (digest ", ModelDigest(*text),
               ", the run or "
               "demonstrations recorded ",
               o.model_digest, "); restore that file or point xml_file at a copy"));
  }
  IRLAB_ASSIGN_OR_RETURN(auto model, LoadModelFile(o.xml_file));
  if (model->nq != builtin->nq || model->nv != builtin->nv || model->nu != builtin->nu) {
    return absl::InvalidArgumentError(StrCat(where, ": has nq ", model->nq, ", nv ", model->nv,
                                             ", nu ", model->nu, "; task ", name, " needs nq ",
                                             builtin->nq, ", nv ", builtin->nv, ", nu ",
                                             builtin->nu, " (its observation and action layout)"));
  }
  return model;
}

}  // namespace

std::vector<std::string> EnvNames() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : MujocoTasks()) names.push_back(name);
  names.insert(names.begin() + 9, "Pendulum");
  return names;
}

absl::StatusOr<std::unique_ptr<Env>> MakeEnv(std::string_view name, const EnvOptions& options) {
  if (name == "Pendulum") {
    if (!options.xml_file.empty()) {
      return absl::InvalidArgumentError(
          "env_options.xml_file: Pendulum is closed-form, it has no model");
    }
    IRLAB_RETURN_IF_ERROR(CheckOptions(name, {}, options));
    return std::make_unique<PendulumEnv>(options);
  }
  for (const auto& [task_name, make_task] : MujocoTasks()) {
    if (task_name != name) continue;
    MujocoTask task = make_task();
    IRLAB_RETURN_IF_ERROR(CheckOptions(name, task.parameters, options));
    IRLAB_ASSIGN_OR_RETURN(auto model, TaskModel(name, task, options));
    return std::make_unique<MujocoEnv>(std::move(task), std::move(model), options);
  }
  return absl::NotFoundError(
      StrCat("unknown task '", name, "'; valid tasks: ", absl::StrJoin(EnvNames(), ", ")));
}

absl::Status PinTaskModel(std::string_view name, EnvOptions& options) {
  if (options.xml_file.empty()) {
    const char* dir = std::getenv("IRLAB_ASSETS_DIR");
    if (!dir || !*dir || name == "Pendulum") return absl::OkStatus();
    for (const auto& [task_name, make_task] : MujocoTasks()) {
      if (task_name == name)
        options.xml_file = (std::filesystem::path(dir) / make_task().model_file).string();
    }
    if (options.xml_file.empty()) return absl::OkStatus();
  }
  std::error_code ec;
  options.xml_file = std::filesystem::absolute(options.xml_file, ec).lexically_normal().string();
  auto text = ReadFile(options.xml_file);
  if (!text.ok())
    return absl::NotFoundError(
        StrCat("env_options.xml_file ", options.xml_file, ": ", text.status().message()));
  const std::string digest = ModelDigest(*text);
  if (!options.model_digest.empty() && options.model_digest != digest) {
    return absl::FailedPreconditionError(StrCat("env_options.xml_file ", options.xml_file,
                                                ": the model is not the one recorded (digest ",
                                                digest, ", recorded ", options.model_digest, ")"));
  }
  options.model_digest = digest;
  return absl::OkStatus();
}

}  // namespace irlab
