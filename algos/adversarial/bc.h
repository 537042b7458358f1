// Behaviour cloning: the Gaussian policy's maximum-likelihood fit to the
// demonstrations, as a baseline (`--algo bc`) and as the optional warm start of
// the adversarial methods' generator (`bc.warm_start`).
#pragma once

#include <filesystem>
#include <functional>

#include "absl/status/status.h"
#include "algos/adversarial/config.h"
#include "algos/ppo/checkpoint.h"
#include "data/expert_store.h"
#include "envs/env.h"

namespace irlab {

// Sets the policy's observation normaliser from the demonstrations, then takes
// cfg.bc.steps Adam steps on the negative log-likelihood of the demonstrated
// actions (mean and log std alike). `on_step(step, nll)` is called every 1000
// steps and at the last; an error from it stops the fit and is returned.
absl::Status FitBc(const AdversarialConfig& cfg, ExpertStore& store, PolicyState& policy,
                   const std::function<absl::Status(int64_t, double)>& on_step);

// bc.warm_start: fits the generator's fresh policy by FitBc to the
// demonstrations of cfg.demos_file, drawn from a stream of their own (the
// discriminator's draws, and resume, stay untouched), then raises its log std
// to at least bc.warm_start_log_std.
absl::Status WarmStartWithBc(const AdversarialConfig& cfg, PolicyState& policy);

// The mean negative log-likelihood of actions [B, act] at normalised
// observations [B, obs] under `net`'s Gaussian, and its gradient [P] in grads
// (the critic's part zero).
double BcLossAndGradient(const ActorCritic& net, const float* obs, const float* actions, int batch,
                         nn::MlpScratch& scratch, float* grads);

// `irlab train --algo bc`: a fresh policy fitted by FitBc, saved to
// run_dir/checkpoint.pt, evaluated into eval.json.
absl::Status TrainBc(const AdversarialConfig& cfg, ExpertStore& store, const EnvSpec& spec,
                     const std::filesystem::path& run_dir, double expert_return,
                     double random_return);

}  // namespace irlab
