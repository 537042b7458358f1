#include "envs/registry.h"

#include <functional>
#include <utility>

#include "core/strings.h"
#include "absl/strings/str_join.h"
#include "core/status.h"
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

}  // namespace

std::vector<std::string> EnvNames() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : MujocoTasks()) names.push_back(name);
  names.insert(names.begin() + 9, "Pendulum");
  return names;
}

absl::StatusOr<std::unique_ptr<Env>> MakeEnv(std::string_view name, const EnvOptions& options) {
  if (name == "Pendulum") return std::make_unique<PendulumEnv>(options);
  for (const auto& [task_name, make_task] : MujocoTasks()) {
    if (task_name != name) continue;
    MujocoTask task = make_task();
    IRLAB_ASSIGN_OR_RETURN(auto model, LoadModel(task.model_file));
    return std::make_unique<MujocoEnv>(std::move(task), std::move(model), options);
  }
  return absl::NotFoundError(
      StrCat("unknown task '", name, "'; valid tasks: ", absl::StrJoin(EnvNames(), ", ")));
}

}  // namespace irlab
