// Where the drawn episodes come from: a policy (or uniform random actions)
// acting live in the env, or stored demonstrations replayed from their
// qpos/qvel. The viewer and the recorder drive either through EpisodeSource.
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "algos/ppo/policy.h"
#include "core/rng.h"
#include "data/demo_file.h"
#include "envs/env.h"
#include "envs/options.h"
#include "viewer/displayed_reward.h"

namespace irlab::viewer {

// The numbers the overlay shows about the step just taken.
struct StepReadout {
  int episode = 0;              // index of the episode shown
  int step = 0;                 // env steps taken in it
  double reward = 0;            // true reward of the last step (0 before the first)
  double episode_return = 0;    // sum of the true rewards so far
  double learned_reward = NAN;  // learned reward of the last step (NaN: none)
  double learned_return = 0;    // sum of the learned rewards so far
  bool terminated = false;      // the task ended
  bool truncated = false;       // the time limit ended the episode
  bool done() const { return terminated || truncated; }
};

class EpisodeSource {
 public:
  virtual ~EpisodeSource() = default;
  // The env whose current state is drawn.
  virtual const Env& env() const = 0;
  // How many episodes can be shown (indices 0 .. num_episodes() - 1).
  virtual int num_episodes() const = 0;
  // Where the actions come from, for the overlay.
  virtual std::string description() const = 0;
  // The learned reward's label ("" when there is none).
  virtual std::string learned_label() const = 0;
  // Goes to the first state of `episode`; an error if it is out of range.
  virtual absl::Status Start(int episode) = 0;
  // Takes one env step; does nothing once the episode is done.
  virtual absl::Status Step() = 0;
  virtual const StepReadout& readout() const = 0;
};

struct PolicySourceOptions {
  std::string task;  // "" : the policy's own task
  EnvOptions env_options;
  int episodes = 1;            // episodes that can be shown
  bool deterministic = false;  // act with the policy's mean
  uint64_t seed = 0;           // episode k resets with Rng::DeriveSeed(seed, k)
  DisplayedReward learned;     // optional
};

// A policy acting live; without a policy, uniform random actions in the
// action range (infinite bounds taken as +-1). Episode k is reproducible:
// its reset seed and action noise depend only on (seed, k).
class PolicySource : public EpisodeSource {
 public:
  // Errors: unknown task, a policy whose sizes do not fit the task.
  static absl::StatusOr<std::unique_ptr<PolicySource>> Create(std::unique_ptr<Policy> policy,
                                                              std::string policy_name,
                                                              const PolicySourceOptions& options);

  const Env& env() const override { return *env_; }
  int num_episodes() const override { return options_.episodes; }
  std::string description() const override;
  std::string learned_label() const override { return options_.learned.label; }
  absl::Status Start(int episode) override;
  absl::Status Step() override;
  const StepReadout& readout() const override { return readout_; }

 private:
  PolicySource() = default;
  std::unique_ptr<Policy> policy_;  // null: random actions
  std::string policy_name_;
  PolicySourceOptions options_;
  std::unique_ptr<Env> env_;
  Rng rng_;
  std::vector<float> obs_, next_obs_, action_;  // [obs_dim], [obs_dim], [act_dim]
  StepReadout readout_;
};

// Stored demonstrations. Each drawn state is the stored (qpos, qvel) itself;
// each step also re-simulates the stored action from the stored state and
// records how far the result is from the next stored state (0 for files
// irlab collected: its replay is exact).
class DemoSource : public EpisodeSource {
 public:
  // Opens the file and builds its task with the env options it was collected
  // with. Errors: the file's (open, structure), no stored states (infos/qpos),
  // a task that does not match the file's sizes.
  static absl::StatusOr<std::unique_ptr<DemoSource>> Open(const std::filesystem::path& path,
                                                          DisplayedReward learned = {});

  const Env& env() const override { return *env_; }
  int num_episodes() const override { return static_cast<int>(file_->num_episodes()); }
  std::string description() const override;
  std::string learned_label() const override { return learned_.label; }
  absl::Status Start(int episode) override;
  absl::Status Step() override;
  const StepReadout& readout() const override { return readout_; }

  const DemoFile& file() const { return *file_; }
  // Largest |re-simulated - stored| over qpos and qvel in this episode so far.
  double replay_deviation() const { return replay_deviation_; }

 private:
  DemoSource() = default;
  // Sets the env to stored row `t` of the current episode (t == length: its final state).
  absl::Status ShowStored(int t);

  std::unique_ptr<DemoFile> file_;
  std::unique_ptr<Env> env_;
  DisplayedReward learned_;
  // the current episode, read whole
  int64_t length_ = 0;
  std::vector<float> obs_, actions_, rewards_,
      next_obs_;                               // [T, obs_dim], [T, act_dim], [T], [T, obs_dim]
  std::vector<uint8_t> terminals_, timeouts_;  // [T]
  std::vector<double> qpos_, qvel_;            // [T + 1, nq], [T + 1, nv]; row T when known
  bool has_final_state_ = false;
  std::vector<float> scratch_obs_;
  double replay_deviation_ = 0;
  StepReadout readout_;
};

}  // namespace irlab::viewer
