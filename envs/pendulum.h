// The classic swing-up Pendulum in closed form (envs.md): θ from upright,
// obs (cos θ, sin θ, θ̇), torque in [-2, 2], horizon 200.
#pragma once

#include "core/rng.h"
#include "envs/env.h"
#include "envs/options.h"

namespace irlab {

class PendulumEnv : public Env {
 public:
  explicit PendulumEnv(const EnvOptions& options);

  const EnvSpec& spec() const override { return spec_; }
  void Reset(uint64_t seed, std::span<float> obs) override;
  absl::StatusOr<StepResult> Step(std::span<const float> action, std::span<float> obs) override;
  EnvState GetState() const override;
  absl::Status SetState(const EnvState& state, std::span<float> obs) override;

 private:
  void Observe(std::span<float> obs) const;

  EnvSpec spec_;
  EnvOptions options_;
  Rng rng_;
  double theta_ = 0.0, theta_dot_ = 0.0;
  int elapsed_steps_ = 0;
};

}  // namespace irlab
