// The environment interface every task implements, and its step result.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace irlab {

// What a learner needs to know about a task.
struct EnvSpec {
  std::string name;
  int obs_dim = 0;
  int act_dim = 0;
  std::vector<double> act_low, act_high;  // [act_dim]; actions are clipped to these
  double dt = 0.0;                        // seconds per env step
  int horizon = 0;                        // steps before `truncated`
  int nq = 0, nv = 0;                     // raw state sizes (0 when there is none)
};

// Named reward terms of one step (fixed capacity: no allocation per step).
struct RewardTerms {
  static constexpr int kMax = 6;
  const char* names[kMax] = {};
  double values[kMax] = {};
  int count = 0;
  void Add(const char* name, double value) {
    names[count] = name;
    values[count++] = value;
  }
};

struct StepInfo {
  double x_position = 0.0;  // torso (Humanoid: centre of mass) x after the step
  double x_velocity = 0.0;  // (x_after - x_before) / dt
  RewardTerms terms;        // the parts the reward is the sum of
};

struct StepResult {
  double reward = 0.0;
  bool terminated = false;  // the task ended (unhealthy, goal): do not bootstrap
  bool truncated = false;   // the time limit ran out: bootstrap from the final obs
  StepInfo info;
};

// The raw simulator state, enough to replay a step exactly.
struct EnvState {
  std::vector<double> qpos, qvel;
  std::vector<double> ctrl;   // the last applied action; some observations (actuator and
                              // contact forces) depend on it. Empty means zero.
  std::vector<double> extra;  // task state outside MuJoCo (e.g. a target); may be empty
  int elapsed_steps = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The task's dimensions, limits and horizon.
  virtual const EnvSpec& spec() const = 0;

  // Starts an episode from a seeded random initial state; writes obs [obs_dim].
  virtual void Reset(uint64_t seed, std::span<float> obs) = 0;

  // Applies action [act_dim] (clipped to the action range) for one env step
  // and writes the next obs. An error for a wrong-sized or non-finite action.
  virtual absl::StatusOr<StepResult> Step(std::span<const float> action, std::span<float> obs) = 0;

  // Reads or restores the raw state (qpos, qvel, step count) for exact replay.
  virtual EnvState GetState() const = 0;
  virtual absl::Status SetState(const EnvState& state, std::span<float> obs) = 0;
};

// Checks an action's size and values; shared by every task.
absl::Status ValidateAction(const EnvSpec& spec, std::span<const float> action);

}  // namespace irlab
