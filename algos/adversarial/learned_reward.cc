#include "algos/adversarial/learned_reward.h"

#include <algorithm>

#include "algos/ppo/rollout.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;

absl::StatusOr<std::unique_ptr<Discriminator>> MakeDiscriminator(const AdversarialConfig& cfg, int obs_dim,
                                                                 int act_dim) {
  const DiscriminatorConfig& d = cfg.disc;
  std::vector<bool> hidden(obs_dim, false);
  for (int i : d.ignore_obs) {
    if (i < 0 || i >= obs_dim) {
      return absl::InvalidArgumentError(StrCat("disc.ignore_obs: index ", i, " is outside the ", cfg.env,
                                               " observation (", obs_dim, " entries)"));
    }
    hidden[i] = true;
  }
  std::vector<int64_t> keep;
  for (int i = 0; i < obs_dim; ++i) {
    if (!hidden[i]) keep.push_back(i);
  }
  if (keep.empty()) return absl::InvalidArgumentError("disc.ignore_obs hides the whole observation");
  torch::Tensor obs_keep;
  if (static_cast<int>(keep.size()) < obs_dim) obs_keep = torch::tensor(keep, torch::kInt64);
  const int seen = static_cast<int>(keep.size());
  const GailReward gail = d.gail_reward == "positive"   ? GailReward::kPositive
                          : d.gail_reward == "negative" ? GailReward::kNegative
                                                        : GailReward::kLogit;
  if (cfg.algo == "airl" || cfg.algo == "airl-sa") {
    auto g = std::make_unique<MlpReward>(seen, act_dim, cfg.algo == "airl", d.reward_hidden);
    auto f = std::make_unique<ShapedReward>(std::move(g), seen, d.potential_hidden, cfg.ppo.gamma);
    return std::make_unique<Discriminator>(DiscriminatorKind::kAirl, std::move(f), gail, d.entropy_weight,
                                           obs_keep);
  }
  auto r = std::make_unique<MlpReward>(seen, act_dim, false, d.reward_hidden);
  return std::make_unique<Discriminator>(DiscriminatorKind::kGail, std::move(r), gail, 1.0, obs_keep);
}

void WriteDiscriminator(torch::serialize::OutputArchive& a, const AdversarialConfig& cfg, const Discriminator& disc,
                        const torch::optim::Adam& opt, int64_t expert_batches) {
  AdversarialConfig copy = cfg;
  a.write("disc/config", c10::IValue(ConfigSchema::For(copy).ToToml()));
  const auto params = disc.Parameters();
  for (size_t i = 0; i < params.size(); ++i) a.write(StrCat("disc/param_", i), params[i].detach().clone());
  torch::serialize::OutputArchive opt_archive;
  opt.save(opt_archive);
  a.write("disc/optimizer", opt_archive);
  a.write("disc/expert_batches", torch::tensor({expert_batches}, torch::kInt64));
}

absl::Status ReadDiscriminator(torch::serialize::InputArchive& a, const fs::path& path, Discriminator& disc,
                               torch::optim::Adam* opt, int64_t* expert_batches) {
  try {
    auto params = disc.Parameters();
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      torch::Tensor t;
      if (!a.try_read(StrCat("disc/param_", i), t)) {
        return absl::DataLossError(StrCat(path.string(), ": no reward net entry 'disc/param_", i, "'"));
      }
      if (!TensorFitsStorage(t) || t.scalar_type() != params[i].scalar_type()) {
        return absl::DataLossError(StrCat(path.string(), ": reward net entry 'disc/param_", i, "' is damaged"));
      }
      if (!t.sizes().equals(params[i].sizes())) {
        return absl::FailedPreconditionError(
            StrCat(path.string(), ": reward net parameter ", i, " has another shape than the config's net"));
      }
      params[i].copy_(t);
    }
    if (opt) {
      torch::serialize::InputArchive opt_archive;
      if (!a.try_read("disc/optimizer", opt_archive)) {
        return absl::DataLossError(StrCat(path.string(), ": no 'disc/optimizer' entry"));
      }
      opt->load(opt_archive);
    }
    if (expert_batches) {
      torch::Tensor n;
      if (!a.try_read("disc/expert_batches", n) || n.numel() != 1 || !TensorFitsStorage(n)) {
        return absl::DataLossError(StrCat(path.string(), ": no 'disc/expert_batches' entry"));
      }
      *expert_batches = n.item<int64_t>();
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(StrCat(path.string(), ": corrupt reward net: ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<LearnedReward> LoadLearnedReward(const fs::path& run_dir) {
  const fs::path path = CheckpointPath(run_dir);
  LearnedReward out;
  IRLAB_ASSIGN_OR_RETURN(out.policy, LoadPolicy(path));
  torch::serialize::InputArchive a;
  IRLAB_RETURN_IF_ERROR(OpenCheckpoint(path, a));
  c10::IValue text;
  if (!a.try_read("disc/config", text) || !text.isString()) {
    return absl::InvalidArgumentError(
        StrCat(path.string(), ": has no learned reward (is it an `irlab train` run of airl, gail or gcl?)"));
  }
  IRLAB_RETURN_IF_ERROR(ConfigSchema::For(out.config).ApplyText(text.toStringRef(), path.string() + ":disc/config"));
  auto disc = MakeDiscriminator(out.config, out.policy.net->obs_dim(), out.policy.net->act_dim());
  if (!disc.ok()) return absl::InvalidArgumentError(StrCat(path.string(), ": ", disc.status().message()));
  out.disc = std::move(disc).value();
  IRLAB_RETURN_IF_ERROR(ReadDiscriminator(a, path, *out.disc, nullptr, nullptr));
  return out;
}

absl::Status CheckRewardFits(const LearnedReward& reward, const fs::path& reward_run, std::string_view target,
                             int obs_dim, int act_dim) {
  const int od = reward.policy.net->obs_dim(), ad = reward.policy.net->act_dim();
  if (od == obs_dim && ad == act_dim) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(reward_run.string(), ": the reward was learned on ", reward.policy.env_name,
                                           " (obs ", od, ", act ", ad, "); ", target, " has obs ", obs_dim, ", act ",
                                           act_dim));
}

std::vector<float> ScoreTransitions(const LearnedReward& reward, std::span<const float> obs,
                                    std::span<const float> act, std::span<const float> next_obs,
                                    std::span<const uint8_t> terminated, std::span<const double> act_low,
                                    std::span<const double> act_high) {
  const int64_t n = static_cast<int64_t>(terminated.size());
  const int64_t od = reward.policy.net->obs_dim(), ad = reward.policy.net->act_dim();
  std::vector<float> o(obs.size()), next(next_obs.size()), a(act.begin(), act.end()), done(n);
  NormalizeObs(reward.policy, obs, o);
  NormalizeObs(reward.policy, next_obs, next);
  for (int64_t k = 0; k < n; ++k) {
    done[k] = terminated[k];
    for (int64_t j = 0; j < ad; ++j) {
      a[k * ad + j] = std::clamp<float>(a[k * ad + j], act_low[j], act_high[j]);
    }
  }
  torch::NoGradGuard no_grad;
  Transitions t;
  t.obs = torch::from_blob(o.data(), {n, od});
  t.next_obs = torch::from_blob(next.data(), {n, od});
  t.act = torch::from_blob(a.data(), {n, ad});
  t.done = torch::from_blob(done.data(), {n});
  torch::Tensor r = reward.disc->LearnedReward(t).contiguous();
  return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + n);
}

}  // namespace irlab
