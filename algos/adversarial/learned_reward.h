// Building discriminators from a config, keeping them in checkpoints, and
// loading a trained reward back for transfer.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "algos/adversarial/config.h"
#include "algos/adversarial/reward_nets.h"
#include "algos/ppo/checkpoint.h"

namespace irlab {

// airl: shaped g(s); airl-sa: shaped g(s, a); gail and gcl: r(s, a). Each sees the
// observation without the entries of disc.ignore_obs; an index outside the observation
// (or one that hides it all) is an error naming the key. Initialised like
// LibTorch's nn::Linear from its global generator (seed it first).
absl::StatusOr<std::unique_ptr<Discriminator>> MakeDiscriminator(const AdversarialConfig& cfg,
                                                                 int obs_dim, int act_dim);

// The discriminator's optimiser: Adam (LibTorch's defaults, eps 1e-8) on its flat parameters.
struct DiscriminatorOptimizer {
  std::unique_ptr<FlatAdam> adam;
  double learning_rate = 3e-4;
  DiscriminatorOptimizer(int64_t params, double lr);
  void Step(Discriminator& disc, const float* grads);
};

// disc/* entries: the run's config (to rebuild the net), parameters
// (disc/param_k, nn.Linear shapes: g's weight, bias, ..., then h's), the
// optimiser's moments and step, and the count of expert batches drawn.
void WriteDiscriminator(torch::serialize::OutputArchive& a, const AdversarialConfig& cfg,
                        const Discriminator& disc, const DiscriminatorOptimizer& opt,
                        int64_t expert_batches);
// Reads what WriteDiscriminator wrote (opt and expert_batches may be null);
// the optimiser state of checkpoints written before the flat discriminator
// (one LibTorch Adam archive, disc/optimizer) is read too.
absl::Status ReadDiscriminator(torch::serialize::InputArchive& a, const std::filesystem::path& path,
                               Discriminator& disc, DiscriminatorOptimizer* opt,
                               int64_t* expert_batches);

// A trained reward with what it needs to score raw transitions.
struct LearnedReward {
  AdversarialConfig config;  // of the run that trained it
  std::unique_ptr<Discriminator> disc;
  PolicyState policy;  // its observation normaliser normalises the inputs
};

// Loads the reward of an `irlab train` run: its checkpoint.pt, or a checkpoint
// file such as checkpoints/step_N.pt (an earlier reward; the AIRL authors transfer
// one from an early iteration because later ones overfit).
absl::StatusOr<LearnedReward> LoadLearnedReward(const std::filesystem::path& run_dir);

// OK when the reward's net takes obs_dim observations and act_dim actions;
// otherwise an error naming reward_run, the task it was learned on and `target`.
absl::Status CheckRewardFits(const LearnedReward& reward, const std::filesystem::path& reward_run,
                             std::string_view target, int obs_dim, int act_dim);

// The learned reward of n raw transitions: obs and next_obs [n, obs_dim] as the
// task emits them (normalised here with the reward run's statistics), act
// [n, act_dim] (clipped here to [act_low, act_high]), terminated [n].
std::vector<float> ScoreTransitions(const LearnedReward& reward, std::span<const float> obs,
                                    std::span<const float> act, std::span<const float> next_obs,
                                    std::span<const uint8_t> terminated,
                                    std::span<const double> act_low,
                                    std::span<const double> act_high);

}  // namespace irlab
