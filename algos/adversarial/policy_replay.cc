#include "algos/adversarial/policy_replay.h"

#include <algorithm>

#include "algos/ppo/checkpoint.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;

PolicySamples FromRollout(const Rollout& ro, const EnvSpec& spec) {
  PolicySamples s;
  s.obs = ro.raw_obs;
  s.next_obs = ro.raw_next_obs;
  s.act_sampled = ro.actions;
  s.act = ro.actions;
  for (size_t k = 0; k < s.act.size(); ++k) {
    const int j = static_cast<int>(k % spec.act_dim);
    s.act[k] = std::clamp<float>(s.act[k], spec.act_low[j], spec.act_high[j]);
  }
  s.done.assign(ro.terminated.begin(), ro.terminated.end());
  return s;
}

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

}  // namespace

void WriteReplay(torch::serialize::OutputArchive& a, const PolicyReplay& replay) {
  WriteRounds(a, "replay", replay.recent);
  WriteRounds(a, "history", replay.history.items());
  a.write("history/offered", torch::tensor({replay.history.offered()}, torch::kInt64));
}

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

}  // namespace irlab
