#include "algos/adversarial/round_checkpoint.h"

#include <cstdio>
#include <string>
#include <vector>

#include "algos/ppo/checkpoint.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;
namespace {

// Both parts of the replay are in the checkpoint, so that a resumed run draws
// the same policy samples as an uninterrupted one.
template <typename Rounds>
void WriteRounds(torch::serialize::OutputArchive& a, const std::string& prefix,
                 const Rounds& rounds) {
  a.write(prefix + "/rounds", torch::tensor({static_cast<int64_t>(rounds.size())}, torch::kInt64));
  for (size_t k = 0; k < rounds.size(); ++k) {
    auto put = [&](const char* name, const std::vector<float>& v) {
      torch::Tensor t =
          torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())});
      a.write(StrCat(prefix, "/", k, "/", name), t.clone());
    };
    put("obs", rounds[k].obs);
    put("next_obs", rounds[k].next_obs);
    put("act", rounds[k].act);
    put("act_sampled", rounds[k].act_sampled);
    put("done", rounds[k].done);
  }
}

// false when the checkpoint has no `prefix` entries (an older one: that part
// of the replay restarts empty).
template <typename Rounds>
absl::StatusOr<bool> ReadRounds(torch::serialize::InputArchive& a, const fs::path& path,
                                const std::string& prefix, int od, int ad, Rounds& out) {
  torch::Tensor rounds;
  if (!a.try_read(prefix + "/rounds", rounds)) return false;
  if (rounds.numel() != 1 || !TensorFitsStorage(rounds))
    return absl::DataLossError(StrCat(path.string(), ": bad '", prefix, "/rounds' entry"));
  for (int64_t k = 0; k < rounds.item<int64_t>(); ++k) {
    PolicySamples s;
    auto get = [&](const char* name, std::vector<float>& v, int64_t width) -> absl::Status {
      const std::string key = StrCat(prefix, "/", k, "/", name);
      torch::Tensor t;
      if (!a.try_read(key, t) || t.dim() != 1 || t.scalar_type() != torch::kFloat ||
          !TensorFitsStorage(t)) {
        return absl::DataLossError(StrCat(path.string(), ": no valid '", key, "' entry"));
      }
      if (!s.done.empty() && t.numel() != static_cast<int64_t>(s.done.size()) * width) {
        return absl::DataLossError(StrCat(path.string(), ": '", key, "' has ", t.numel(),
                                          " values, expected ", s.done.size() * width));
      }
      t = t.contiguous();
      v.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
      return absl::OkStatus();
    };
    IRLAB_RETURN_IF_ERROR(get("done", s.done, 1));
    IRLAB_RETURN_IF_ERROR(get("obs", s.obs, od));
    IRLAB_RETURN_IF_ERROR(get("next_obs", s.next_obs, od));
    IRLAB_RETURN_IF_ERROR(get("act", s.act, ad));
    IRLAB_RETURN_IF_ERROR(get("act_sampled", s.act_sampled, ad));
    out.push_back(std::move(s));
  }
  return true;
}

void WriteReplay(torch::serialize::OutputArchive& a, const PolicyReplay& replay) {
  WriteRounds(a, "replay", replay.recent);
  WriteRounds(a, "history", replay.history.items());
  a.write("history/offered", torch::tensor({replay.history.offered()}, torch::kInt64));
}

// false when the checkpoint is older and lacks (a part of) the replay.
absl::StatusOr<bool> ReadReplay(torch::serialize::InputArchive& a, const fs::path& path, int od,
                                int ad, PolicyReplay& replay) {
  IRLAB_ASSIGN_OR_RETURN(bool has_recent, ReadRounds(a, path, "replay", od, ad, replay.recent));
  std::vector<PolicySamples> history;
  IRLAB_ASSIGN_OR_RETURN(bool has_history, ReadRounds(a, path, "history", od, ad, history));
  if (has_history) {
    torch::Tensor offered;
    if (!a.try_read("history/offered", offered) || offered.numel() != 1 ||
        !replay.history.Restore(std::move(history), offered.item<int64_t>())) {
      return absl::DataLossError(StrCat(path.string(),
                                        ": its 'history' of policy samples does not fit ",
                                        "disc.history_rounds = ", replay.history.capacity()));
    }
  }
  return has_recent && has_history;
}

void WriteStoreState(torch::serialize::OutputArchive& a, const ExpertStore::DrawState& state) {
  const Rng::State& rng = state.rng;
  a.write("expert_store/rng",
          torch::tensor({static_cast<int64_t>(rng.s[0]), static_cast<int64_t>(rng.s[1]),
                         static_cast<int64_t>(rng.s[2]), static_cast<int64_t>(rng.s[3]),
                         int64_t{rng.has_spare ? 1 : 0}},
                        torch::kInt64));
  a.write("expert_store/rng_spare", torch::tensor({rng.spare}, torch::kFloat64));
  a.write("expert_store/counts",
          torch::tensor({state.batches, state.rows_refilled}, torch::kInt64));
  a.write("expert_store/debt", torch::tensor({state.debt}, torch::kFloat64));
}

// false when the checkpoint has no expert_store/* entries (an older one).
absl::StatusOr<bool> ReadStoreState(torch::serialize::InputArchive& a, const fs::path& path,
                                    ExpertStore::DrawState& state) {
  torch::Tensor rng, spare, counts, debt;
  if (!a.try_read("expert_store/rng", rng)) return false;
  auto fits = [](const torch::Tensor& t, torch::ScalarType type, int64_t n) {
    return t.dim() == 1 && t.numel() == n && t.scalar_type() == type && TensorFitsStorage(t);
  };
  if (!a.try_read("expert_store/rng_spare", spare) || !a.try_read("expert_store/counts", counts) ||
      !a.try_read("expert_store/debt", debt) || !fits(rng, torch::kInt64, 5) ||
      !fits(spare, torch::kFloat64, 1) || !fits(counts, torch::kInt64, 2) ||
      !fits(debt, torch::kFloat64, 1)) {
    return absl::DataLossError(StrCat(path.string(), ": damaged 'expert_store/*' entries"));
  }
  rng = rng.contiguous();
  const int64_t* words = rng.data_ptr<int64_t>();
  for (int k = 0; k < 4; ++k) state.rng.s[k] = static_cast<uint64_t>(words[k]);
  state.rng.has_spare = words[4] != 0;
  state.rng.spare = spare.item<double>();
  state.batches = counts[0].item<int64_t>();
  state.rows_refilled = counts[1].item<int64_t>();
  state.debt = debt.item<double>();
  return true;
}

}  // namespace

void WriteRoundState(torch::serialize::OutputArchive& a, const AdversarialConfig& cfg,
                     const RoundState& round) {
  const ExpertStore::DrawState store = round.expert_store.draw_state();
  WriteDiscriminator(a, cfg, round.disc, round.optimizer, store.batches);
  WriteStoreState(a, store);
  WriteReplay(a, round.replay);
}

absl::Status ReadRoundState(torch::serialize::InputArchive& a, const fs::path& path,
                            const AdversarialConfig& cfg, const RoundState& round) {
  int64_t expert_batches = 0;
  IRLAB_RETURN_IF_ERROR(ReadDiscriminator(a, path, round.disc, &round.optimizer, &expert_batches));
  ExpertStore::DrawState store;
  IRLAB_ASSIGN_OR_RETURN(const bool has_store, ReadStoreState(a, path, store));
  if (has_store) {
    if (absl::Status s = round.expert_store.RestoreDrawState(store); !s.ok()) {
      return absl::Status(s.code(), StrCat(path.string(), ": ", s.message()));
    }
  } else {
    IRLAB_RETURN_IF_ERROR(round.expert_store.Skip(expert_batches, cfg.disc.batch_size));
  }
  const int obs_dim = round.disc.shape().obs_dim, act_dim = round.disc.shape().act_dim;
  IRLAB_ASSIGN_OR_RETURN(const bool has_replay,
                         ReadReplay(a, path, obs_dim, act_dim, round.replay));
  if (!has_replay && (cfg.disc.replay_rounds > 1 || cfg.disc.history_rounds > 0)) {
    std::printf(
        "note: %s is an older checkpoint without (all of) the policy-sample replay; "
        "the missing part restarts empty\n",
        path.c_str());
  }
  return absl::OkStatus();
}

}  // namespace irlab
