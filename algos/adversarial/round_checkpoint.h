// The adversarial round's entries of a checkpoint, beside PPO's
// (algos/ppo/checkpoint.h), so that a resumed run continues exactly:
//   disc/*               the discriminator and its optimiser (learned_reward.h)
//   expert_store/*       where the ExpertStore's draws have got to
//   replay/*, history/*  the policy samples the discriminator draws from
#pragma once

#include <filesystem>

#include "absl/status/status.h"
#include "algos/adversarial/config.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/adversarial/policy_replay.h"
#include "algos/common/torch_pch.h"
#include "data/expert_store.h"

namespace irlab {

// What the round keeps besides the PPO state.
struct RoundState {
  Discriminator& disc;
  DiscriminatorOptimizer& optimizer;
  ExpertStore& expert_store;
  PolicyReplay& replay;
};

void WriteRoundState(torch::serialize::OutputArchive& a, const AdversarialConfig& cfg,
                     const RoundState& round);

// Reads them back into a fresh round (the store as opened, the replay empty).
// A checkpoint from before the store's draw position was kept (no
// expert_store/*) re-draws the batches it counted; one without (a part of)
// the replay restarts that part empty, with a note.
absl::Status ReadRoundState(torch::serialize::InputArchive& a, const std::filesystem::path& path,
                            const AdversarialConfig& cfg, const RoundState& round);

}  // namespace irlab
