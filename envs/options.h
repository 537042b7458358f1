// Options an experiment may set on any task.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/config.h"

namespace irlab {

struct EnvOptions {
  int horizon = 0;                 // steps per episode; 0 keeps the task's own
  double reset_noise_scale = 1.0;  // multiplies the task's reset noise (Gymnasium's
                                   // reset_noise_scale is the noise itself)
  bool contact_forces = false;     // Ant: clipped cfrc_ext in obs (+84) and the contact cost;
                                   // Humanoid: the contact cost

  // The researcher's own model and reward weights, with Gymnasium MuJoCo v5's names.
  std::string xml_file;      // MJCF file loaded instead of the task's built-in model
                             // ("": built-in); its qpos, qvel and actuator sizes must be
                             // the built-in model's (the task's observation and action layout)
  std::string model_digest;  // FNV-1a digest of xml_file's text, recorded by the commands
                             // that start runs or write demonstrations and checked whenever
                             // the task is rebuilt ("": not checked)
  std::optional<double> forward_reward_weight;  // unset: the task's own (all locomotion tasks)
  std::optional<double> ctrl_cost_weight;       // unset: the task's own (all locomotion tasks)
  std::optional<double> contact_cost_weight;    // Ant, Humanoid (with contact_forces)
  std::optional<double> healthy_reward;         // Hopper, Walker2d, Ant, Humanoid
  bool terminate_when_unhealthy = true;         // Hopper, Walker2d, Ant, Humanoid
  std::vector<double> healthy_z_range;          // [min, max] torso height; empty: the task's own
  std::vector<double> healthy_angle_range;      // [min, max] torso angle (Hopper, Walker2d)
  bool exclude_current_positions_from_observation = true;  // false: x (and y) observed too

  void Bind(ConfigBinder& b) {
    b.Field("horizon", horizon, "steps per episode; 0 keeps the task's own").Range(0, 1e7);
    b.Field("reset_noise_scale", reset_noise_scale, "multiplies the task's reset noise")
        .Range(0, 100);
    b.Field("contact_forces", contact_forces, "Ant: contact forces in obs and contact cost");
    b.Field("xml_file", xml_file, "MJCF file instead of the task's built-in model");
    b.Field("model_digest", model_digest,
            "digest of xml_file's text (recorded; checked on rebuild)");
    b.Field("forward_reward_weight", forward_reward_weight, "weight of the forward velocity reward")
        .Range(-1e6, 1e6);
    b.Field("ctrl_cost_weight", ctrl_cost_weight, "weight of the control cost").Range(0, 1e6);
    b.Field("contact_cost_weight", contact_cost_weight, "weight of the contact cost").Range(0, 1e6);
    b.Field("healthy_reward", healthy_reward, "reward per healthy step").Range(-1e6, 1e6);
    b.Field("terminate_when_unhealthy", terminate_when_unhealthy, "end the episode when unhealthy");
    b.Field("healthy_z_range", healthy_z_range, "[min, max] healthy torso height ([]: the task's)")
        .Range(-1e6, 1e6);
    b.Field("healthy_angle_range", healthy_angle_range,
            "[min, max] healthy torso angle ([]: the task's)")
        .Range(-1e3, 1e3);
    b.Field("exclude_current_positions_from_observation",
            exclude_current_positions_from_observation,
            "leave the x (and y) position out of the observation");
  }
};

// The run directory of a checkpoint (RUN/checkpoint.pt, RUN/checkpoints/step_N.pt),
// or `run_or_checkpoint` itself when it is a directory.
std::filesystem::path RunDirOf(const std::filesystem::path& run_or_checkpoint);

// Applies the [env_options] of a run's config.toml to `options`, so that eval,
// collect and replay rebuild the task the run trained on (its xml_file, weights
// and model digest). A run without config.toml changes nothing.
absl::Status ApplyRunEnvOptions(const std::filesystem::path& run_dir, EnvOptions& options);

}  // namespace irlab
