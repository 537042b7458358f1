#include "envs/mujoco_env.h"

#include <algorithm>
#include <cmath>

#include "core/strings.h"

namespace irlab {

MujocoEnv::MujocoEnv(MujocoTask task, std::shared_ptr<const mjModel> model,
                     const EnvOptions& options)
    : task_(std::move(task)),
      model_(std::move(model)),
      data_(mj_makeData(model_.get())),
      options_(options),
      contact_forces_(task_.needs_contact_forces(options)) {
  const mjModel* m = model_.get();
  spec_.name = task_.name;
  spec_.obs_dim = task_.obs_dim(m, options_);
  spec_.act_dim = m->nu;
  for (int i = 0; i < m->nu; ++i) {
    const bool limited = m->actuator_ctrllimited[i];
    spec_.act_low.push_back(limited ? m->actuator_ctrlrange[2 * i] : -INFINITY);
    spec_.act_high.push_back(limited ? m->actuator_ctrlrange[2 * i + 1] : INFINITY);
  }
  spec_.dt = m->opt.timestep * task_.frame_skip;
  spec_.horizon = options_.horizon > 0 ? options_.horizon : task_.horizon;
  spec_.nq = m->nq;
  spec_.nv = m->nv;
  action_.resize(m->nu);
}

MujocoEnv::~MujocoEnv() { mj_deleteData(data_); }

void MujocoEnv::Reset(uint64_t seed, std::span<float> obs) {
  rng_.Seed(seed);
  mj_resetData(model_.get(), data_);
  task_.reset(model_.get(), data_, options_.reset_noise_scale, rng_);
  mj_forward(model_.get(), data_);
  if (contact_forces_) mj_rnePostConstraint(model_.get(), data_);
  elapsed_steps_ = 0;
  task_.observe(model_.get(), data_, options_, obs.data());
}

absl::StatusOr<StepResult> MujocoEnv::Step(std::span<const float> action, std::span<float> obs) {
  if (absl::Status s = ValidateAction(spec_, action); !s.ok()) return s;
  const mjModel* m = model_.get();
  for (int i = 0; i < m->nu; ++i) {
    action_[i] = std::clamp<double>(action[i], spec_.act_low[i], spec_.act_high[i]);
    data_->ctrl[i] = action_[i];
  }
  const auto xy_before = task_.position(m, data_);
  for (int k = 0; k < task_.frame_skip; ++k) mj_step(m, data_);
  if (task_.refresh_derived || contact_forces_) mj_forward(m, data_);
  if (contact_forces_) mj_rnePostConstraint(m, data_);
  const auto xy_after = task_.position(m, data_);

  StepResult result;
  const StepContext ctx{m, data_, action_, xy_before, xy_after, spec_.dt, options_};
  task_.reward(ctx, result);
  result.info.x_position = xy_after[0];
  result.info.x_velocity = (xy_after[0] - xy_before[0]) / spec_.dt;
  ++elapsed_steps_;
  result.truncated = !result.terminated && elapsed_steps_ >= spec_.horizon;
  task_.observe(m, data_, options_, obs.data());
  return result;
}

EnvState MujocoEnv::GetState() const {
  const mjModel* m = model_.get();
  EnvState state;
  state.qpos.assign(data_->qpos, data_->qpos + m->nq);
  state.qvel.assign(data_->qvel, data_->qvel + m->nv);
  state.ctrl.assign(data_->ctrl, data_->ctrl + m->nu);
  state.elapsed_steps = elapsed_steps_;
  return state;
}

absl::Status MujocoEnv::SetState(const EnvState& state, std::span<float> obs) {
  const mjModel* m = model_.get();
  if (static_cast<int>(state.qpos.size()) != m->nq ||
      static_cast<int>(state.qvel.size()) != m->nv) {
    return absl::InvalidArgumentError(StrCat(spec_.name, ": state has qpos ", state.qpos.size(),
                                             " / qvel ", state.qvel.size(), ", the model has ",
                                             m->nq, " / ", m->nv));
  }
  if (!state.ctrl.empty() && static_cast<int>(state.ctrl.size()) != m->nu) {
    return absl::InvalidArgumentError(
        StrCat(spec_.name, ": state has ", state.ctrl.size(), " controls, the model has ", m->nu));
  }
  if (!task_util::AllFinite(state.qpos.data(), m->nq) ||
      !task_util::AllFinite(state.qvel.data(), m->nv)) {
    return absl::InvalidArgumentError(StrCat(spec_.name, ": state is not finite"));
  }
  mj_resetData(m, data_);
  std::copy(state.qpos.begin(), state.qpos.end(), data_->qpos);
  std::copy(state.qvel.begin(), state.qvel.end(), data_->qvel);
  std::copy(state.ctrl.begin(), state.ctrl.end(), data_->ctrl);
  mj_forward(m, data_);
  if (contact_forces_) mj_rnePostConstraint(m, data_);
  elapsed_steps_ = state.elapsed_steps;
  task_.observe(m, data_, options_, obs.data());
  return absl::OkStatus();
}

namespace task_util {

double SquaredNorm(std::span<const double> v) {
  double s = 0;
  for (double x : v) s += x * x;
  return s;
}

float* Put(float* out, const double* values, int n) {
  for (int i = 0; i < n; ++i) *out++ = static_cast<float>(values[i]);
  return out;
}

float* PutClipped(float* out, const double* values, int n, double limit) {
  for (int i = 0; i < n; ++i) *out++ = static_cast<float>(std::clamp(values[i], -limit, limit));
  return out;
}

void AddUniformNoise(double* values, int n, double half_width, Rng& rng) {
  for (int i = 0; i < n; ++i) values[i] += rng.Uniform(-half_width, half_width);
}

void AddNormalNoise(double* values, int n, double stddev, Rng& rng) {
  for (int i = 0; i < n; ++i) values[i] += stddev * rng.Normal();
}

bool AllFinite(const double* values, int n) {
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) return false;
  }
  return true;
}

std::array<double, 2> CenterOfMass(const mjModel* m, const mjData* d) {
  double mass = 0, x = 0, y = 0;
  for (int b = 1; b < m->nbody; ++b) {
    mass += m->body_mass[b];
    x += m->body_mass[b] * d->xipos[3 * b];
    y += m->body_mass[b] * d->xipos[3 * b + 1];
  }
  return {x / mass, y / mass};
}

}  // namespace task_util
}  // namespace irlab
