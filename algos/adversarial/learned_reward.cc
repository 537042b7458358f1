#include "algos/adversarial/learned_reward.h"

#include <algorithm>
#include <array>

#include "algos/ppo/policy_state.h"
#include "core/status.h"
#include "core/strings.h"

namespace irlab {
namespace fs = std::filesystem;

absl::StatusOr<std::unique_ptr<Discriminator>> MakeDiscriminator(const AdversarialConfig& cfg,
                                                                 int obs_dim, int act_dim) {
  const DiscriminatorConfig& d = cfg.disc;
  std::vector<bool> hidden(obs_dim, false);
  for (int i : d.ignore_obs) {
    if (i < 0 || i >= obs_dim) {
      return absl::InvalidArgumentError(StrCat("disc.ignore_obs: index ", i, " is outside the ",
                                               cfg.env, " observation (", obs_dim, " entries)"));
    }
    hidden[i] = true;
  }
  std::vector<int64_t> keep;
  for (int i = 0; i < obs_dim; ++i) {
    if (!hidden[i]) keep.push_back(i);
  }
  if (keep.empty())
    return absl::InvalidArgumentError("disc.ignore_obs hides the whole observation");
  DiscriminatorShape shape;
  shape.obs_dim = obs_dim;
  shape.act_dim = act_dim;
  shape.reward_hidden = d.reward_hidden;
  shape.potential_hidden = d.potential_hidden;
  shape.gamma = cfg.ppo.gamma;
  shape.gail_reward = d.gail_reward == "positive"   ? GailReward::kPositive
                      : d.gail_reward == "negative" ? GailReward::kNegative
                                                    : GailReward::kLogit;
  shape.obs_keep.assign(keep.begin(), keep.end());
  if (cfg.algorithm() == Algo::kAirl || cfg.algorithm() == Algo::kAirlStateAction) {
    shape.kind = DiscriminatorKind::kAirl;
    shape.state_only = cfg.algorithm() == Algo::kAirl;
    shape.entropy_weight = d.entropy_weight;
  } else {
    shape.kind = DiscriminatorKind::kGail;
    shape.state_only = false;
  }
  auto disc = std::make_unique<Discriminator>(shape);
  InitLikeTorchLinear(*disc);
  return disc;
}

DiscriminatorOptimizer::DiscriminatorOptimizer(int64_t params, double lr)
    : adam(std::make_unique<FlatAdam>(params, 1e-8)), learning_rate(lr) {}

void DiscriminatorOptimizer::Step(Discriminator& disc, const float* grads) {
  adam->Step(disc.params().data(), grads, learning_rate);
}

namespace {

// Parameter k as a tensor of its nn.Linear shape (a copy).
torch::Tensor ParameterTensor(const Discriminator& disc, const std::array<int64_t, 3>& slice) {
  const auto [offset, rows, cols] = slice;
  torch::Tensor flat = torch::from_blob(const_cast<float*>(disc.params().data()) + offset,
                                        {rows * std::max<int64_t>(cols, 1)});
  return cols > 0 ? flat.view({rows, cols}).clone() : flat.clone();
}

// The moments of a LibTorch Adam archive (checkpoints before the flat
// discriminator) into the flat optimiser.
absl::Status ReadLegacyOptimizer(torch::serialize::InputArchive& archive, const fs::path& path,
                                 const Discriminator& disc, DiscriminatorOptimizer& opt) {
  std::vector<torch::Tensor> params;
  for (const auto& slice : disc.ParameterSlices())
    params.push_back(ParameterTensor(disc, slice).requires_grad_(true));
  torch::optim::Adam legacy(params, torch::optim::AdamOptions(opt.learning_rate));
  legacy.load(archive);
  const auto slices = disc.ParameterSlices();
  float* m = opt.adam->m.data_ptr<float>();
  float* v = opt.adam->v.data_ptr<float>();
  for (size_t k = 0; k < params.size(); ++k) {
    auto found = legacy.state().find(c10::guts::to_string(params[k].unsafeGetTensorImpl()));
    if (found == legacy.state().end()) continue;  // never stepped
    const auto& state = static_cast<const torch::optim::AdamParamState&>(*found->second);
    const int64_t offset = slices[k][0];
    if (state.exp_avg().numel() != params[k].numel()) {
      return absl::DataLossError(
          StrCat(path.string(), ": 'disc/optimizer' does not fit the reward net"));
    }
    std::copy_n(state.exp_avg().contiguous().data_ptr<float>(), params[k].numel(), m + offset);
    std::copy_n(state.exp_avg_sq().contiguous().data_ptr<float>(), params[k].numel(), v + offset);
    opt.adam->steps = state.step();
  }
  return absl::OkStatus();
}

}  // namespace

void WriteDiscriminator(torch::serialize::OutputArchive& a, const AdversarialConfig& cfg,
                        const Discriminator& disc, const DiscriminatorOptimizer& opt,
                        int64_t expert_batches) {
  AdversarialConfig copy = cfg;
  a.write("disc/config", c10::IValue(ConfigSchema::For(copy).ToToml()));
  const auto slices = disc.ParameterSlices();
  for (size_t i = 0; i < slices.size(); ++i)
    a.write(StrCat("disc/param_", i), ParameterTensor(disc, slices[i]));
  a.write("disc/adam_m", opt.adam->m.clone());
  a.write("disc/adam_v", opt.adam->v.clone());
  a.write("disc/adam_steps", torch::tensor({opt.adam->steps}, torch::kInt64));
  a.write("disc/expert_batches", torch::tensor({expert_batches}, torch::kInt64));
}

absl::Status ReadDiscriminator(torch::serialize::InputArchive& a, const fs::path& path,
                               Discriminator& disc, DiscriminatorOptimizer* opt,
                               int64_t* expert_batches) {
  try {
    const auto slices = disc.ParameterSlices();
    for (size_t i = 0; i < slices.size(); ++i) {
      torch::Tensor t;
      if (!a.try_read(StrCat("disc/param_", i), t)) {
        return absl::DataLossError(
            StrCat(path.string(), ": no reward net entry 'disc/param_", i, "'"));
      }
      const auto [offset, rows, cols] = slices[i];
      if (!TensorFitsStorage(t) || t.scalar_type() != torch::kFloat) {
        return absl::DataLossError(
            StrCat(path.string(), ": reward net entry 'disc/param_", i, "' is damaged"));
      }
      const bool fits = cols > 0 ? t.dim() == 2 && t.size(0) == rows && t.size(1) == cols
                                 : t.dim() == 1 && t.size(0) == rows;
      if (!fits) {
        return absl::FailedPreconditionError(StrCat(path.string(), ": reward net parameter ", i,
                                                    " has another shape than the config's net"));
      }
      t = t.contiguous();
      std::copy_n(t.data_ptr<float>(), t.numel(), disc.params().data() + offset);
    }
    if (opt) {
      torch::Tensor m, v, steps;
      torch::serialize::InputArchive legacy;
      if (a.try_read("disc/adam_m", m) && a.try_read("disc/adam_v", v) &&
          a.try_read("disc/adam_steps", steps)) {
        if (m.numel() != disc.num_params() || v.numel() != disc.num_params() ||
            steps.numel() != 1 || m.scalar_type() != torch::kFloat ||
            v.scalar_type() != torch::kFloat) {
          return absl::DataLossError(
              StrCat(path.string(), ": 'disc/adam_*' does not fit the reward net"));
        }
        opt->adam->m = m.contiguous();
        opt->adam->v = v.contiguous();
        opt->adam->steps = steps.item<int64_t>();
      } else if (a.try_read("disc/optimizer", legacy)) {
        IRLAB_RETURN_IF_ERROR(ReadLegacyOptimizer(legacy, path, disc, *opt));
      } else {
        return absl::DataLossError(
            StrCat(path.string(), ": no 'disc/adam_m', 'disc/adam_v', 'disc/adam_steps' entries"));
      }
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
        StrCat(path.string(),
               ": has no learned reward (is it an `irlab train` run of airl, gail or gcl?)"));
  }
  IRLAB_RETURN_IF_ERROR(
      ConfigSchema::For(out.config).ApplyText(text.toStringRef(), path.string() + ":disc/config"));
  auto disc = MakeDiscriminator(out.config, out.policy.net->obs_dim(), out.policy.net->act_dim());
  if (!disc.ok())
    return absl::InvalidArgumentError(StrCat(path.string(), ": ", disc.status().message()));
  out.disc = std::move(disc).value();
  IRLAB_RETURN_IF_ERROR(ReadDiscriminator(a, path, *out.disc, nullptr, nullptr));
  return out;
}

absl::Status CheckRewardFits(const LearnedReward& reward, const fs::path& reward_run,
                             std::string_view target, int obs_dim, int act_dim) {
  const int od = reward.policy.net->obs_dim(), ad = reward.policy.net->act_dim();
  if (od == obs_dim && ad == act_dim) return absl::OkStatus();
  return absl::InvalidArgumentError(StrCat(reward_run.string(), ": the reward was learned on ",
                                           reward.policy.env_name, " (obs ", od, ", act ", ad,
                                           "); ", target, " has obs ", obs_dim, ", act ", act_dim));
}

std::vector<float> ScoreTransitions(const LearnedReward& reward, std::span<const float> obs,
                                    std::span<const float> act, std::span<const float> next_obs,
                                    std::span<const uint8_t> terminated,
                                    std::span<const double> act_low,
                                    std::span<const double> act_high) {
  const int64_t n = static_cast<int64_t>(terminated.size());
  const int64_t ad = reward.policy.net->act_dim();
  std::vector<float> o(obs.size()), next(next_obs.size()), a(act.begin(), act.end()), done(n);
  NormalizeObs(reward.policy, obs, o);
  NormalizeObs(reward.policy, next_obs, next);
  for (int64_t k = 0; k < n; ++k) {
    done[k] = terminated[k];
    for (int64_t j = 0; j < ad; ++j) {
      a[k * ad + j] = std::clamp<float>(a[k * ad + j], act_low[j], act_high[j]);
    }
  }
  std::vector<float> r(n);
  reward.disc->UnshapedReward({.size = static_cast<int>(n),
                               .obs = o.data(),
                               .act = a.data(),
                               .next_obs = next.data(),
                               .done = done.data()},
                              r.data());
  return r;
}

}  // namespace irlab
