#include "envs/pendulum.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/strings.h"

namespace irlab {
namespace {

constexpr double kGravity = 10.0, kMass = 1.0, kLength = 1.0, kDt = 0.05;
constexpr double kMaxSpeed = 8.0, kMaxTorque = 2.0;

// Wraps an angle to [-pi, pi).
double WrapAngle(double x) {
  return std::fmod(std::fmod(x + std::numbers::pi, 2 * std::numbers::pi) + 2 * std::numbers::pi,
                   2 * std::numbers::pi) -
         std::numbers::pi;
}

}  // namespace

PendulumEnv::PendulumEnv(const EnvOptions& options) : options_(options) {
  spec_.name = "Pendulum";
  spec_.obs_dim = 3;
  spec_.act_dim = 1;
  spec_.act_low = {-kMaxTorque};
  spec_.act_high = {kMaxTorque};
  spec_.dt = kDt;
  spec_.horizon = options.horizon > 0 ? options.horizon : 200;
  spec_.nq = spec_.nv = 1;
}

void PendulumEnv::Reset(uint64_t seed, std::span<float> obs) {
  rng_.Seed(seed);
  const double scale = options_.reset_noise_scale;
  theta_ = rng_.Uniform(-std::numbers::pi, std::numbers::pi) * scale;
  theta_dot_ = rng_.Uniform(-1.0, 1.0) * scale;
  elapsed_steps_ = 0;
  Observe(obs);
}

absl::StatusOr<StepResult> PendulumEnv::Step(std::span<const float> action, std::span<float> obs) {
  if (absl::Status s = ValidateAction(spec_, action); !s.ok()) return s;
  const double u = std::clamp<double>(action[0], -kMaxTorque, kMaxTorque);
  // the cost is paid on the state the action is taken in (as in the classic task)
  const double angle = WrapAngle(theta_);
  StepResult r;
  r.info.terms.Add("angle_cost", -angle * angle);
  r.info.terms.Add("speed_cost", -0.1 * theta_dot_ * theta_dot_);
  r.info.terms.Add("ctrl_cost", -0.001 * u * u);
  r.reward = -(angle * angle + 0.1 * theta_dot_ * theta_dot_ + 0.001 * u * u);

  const double x_before = std::sin(theta_);
  theta_dot_ +=
      (3 * kGravity / (2 * kLength) * std::sin(theta_) + 3 * u / (kMass * kLength * kLength)) * kDt;
  theta_dot_ = std::clamp(theta_dot_, -kMaxSpeed, kMaxSpeed);
  theta_ += theta_dot_ * kDt;
  ++elapsed_steps_;
  r.truncated = elapsed_steps_ >= spec_.horizon;
  r.info.x_position = std::sin(theta_);  // the tip's horizontal position, for the viewer
  r.info.x_velocity = (r.info.x_position - x_before) / kDt;
  Observe(obs);
  return r;
}

EnvState PendulumEnv::GetState() const {
  EnvState s;
  s.qpos = {theta_};
  s.qvel = {theta_dot_};
  s.elapsed_steps = elapsed_steps_;
  return s;
}

absl::Status PendulumEnv::SetState(const EnvState& state, std::span<float> obs) {
  if (state.qpos.size() != 1 || state.qvel.size() != 1) {
    return absl::InvalidArgumentError("Pendulum: state needs one qpos and one qvel");
  }
  if (!std::isfinite(state.qpos[0]) || !std::isfinite(state.qvel[0])) {
    return absl::InvalidArgumentError("Pendulum: state is not finite");
  }
  theta_ = state.qpos[0];
  theta_dot_ = state.qvel[0];
  elapsed_steps_ = state.elapsed_steps;
  Observe(obs);
  return absl::OkStatus();
}

void PendulumEnv::Observe(std::span<float> obs) const {
  obs[0] = static_cast<float>(std::cos(theta_));
  obs[1] = static_cast<float>(std::sin(theta_));
  obs[2] = static_cast<float>(theta_dot_);
}

}  // namespace irlab
