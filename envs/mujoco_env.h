// A task on a MuJoCo model, described by plain functions (MujocoTask) and run
// by one generic driver (MujocoEnv): the driver owns the simulation, frame
// skip, time limit and seeding; the task says what is observed and rewarded.
#pragma once

#include <mujoco/mujoco.h>

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "core/rng.h"
#include "envs/env.h"
#include "envs/options.h"

namespace irlab {

// What a task's reward function sees after the frame-skipped physics steps.
struct StepContext {
  const mjModel* m;
  const mjData* d;
  std::span<const double> action;   // [act_dim], after clipping
  std::array<double, 2> xy_before;  // tracked position before the step
  std::array<double, 2> xy_after;   // ... and after
  double dt;                        // env step duration
  const EnvOptions& options;
};

struct MujocoTask {
  std::string name;
  std::string model_file;  // in assets/mjcf (env_options.xml_file replaces it)
  // The Gymnasium-v5 reward and termination options (EnvOptions) this task
  // reads; setting another one is an error naming the task.
  std::vector<std::string> parameters;
  int frame_skip = 1;
  int horizon = 1000;
  // Runs mj_forward after stepping so positions, inertias and contact forces
  // are those of the new state (obs then depend on (qpos, qvel) alone, which
  // exact replay relies on). Needed when obs or reward use derived quantities.
  bool refresh_derived = false;
  // Computes cfrc_ext after stepping (contact forces in obs or reward).
  std::function<bool(const EnvOptions&)> needs_contact_forces = [](const EnvOptions&) {
    return false;
  };

  // The tracked (x, y) position: torso, root joint or centre of mass.
  std::function<std::array<double, 2>(const mjModel*, const mjData*)> position;
  std::function<int(const mjModel*, const EnvOptions&)> obs_dim;
  std::function<void(const mjModel*, const mjData*, const EnvOptions&, float* obs)> observe;
  // Sets result.reward, result.info.terms and result.terminated.
  std::function<void(const StepContext&, StepResult& result)> reward;
  // Perturbs the initial state (qpos = qpos0, qvel = 0 on entry).
  std::function<void(const mjModel*, mjData*, double noise_scale, Rng&)> reset;
};

class MujocoEnv : public Env {
 public:
  MujocoEnv(MujocoTask task, std::shared_ptr<const mjModel> model, const EnvOptions& options);
  ~MujocoEnv() override;

  const EnvSpec& spec() const override { return spec_; }
  void Reset(uint64_t seed, std::span<float> obs) override;
  absl::StatusOr<StepResult> Step(std::span<const float> action, std::span<float> obs) override;
  EnvState GetState() const override;
  absl::Status SetState(const EnvState& state, std::span<float> obs) override;

  const mjModel* model() const { return model_.get(); }
  const mjData* data() const { return data_; }

 private:
  MujocoTask task_;
  std::shared_ptr<const mjModel> model_;
  mjData* data_;
  EnvOptions options_;
  EnvSpec spec_;
  bool contact_forces_;
  Rng rng_;
  int elapsed_steps_ = 0;
  std::vector<double> action_;  // clipped action, reused each step
};

// Small helpers the task files share.
namespace task_util {
double SquaredNorm(std::span<const double> v);
// Writes n doubles as floats; returns the pointer past them.
float* Put(float* out, const double* values, int n);
// Writes n doubles clipped to [-limit, limit].
float* PutClipped(float* out, const double* values, int n, double limit);
void AddUniformNoise(double* values, int n, double half_width, Rng& rng);
void AddNormalNoise(double* values, int n, double stddev, Rng& rng);
bool AllFinite(const double* values, int n);
// The model's centre of mass (x, y), from xipos and body masses.
std::array<double, 2> CenterOfMass(const mjModel* m, const mjData* d);
}  // namespace task_util

}  // namespace irlab
