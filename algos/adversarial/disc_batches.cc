#include "algos/adversarial/disc_batches.h"

#include <cmath>

#include "core/status.h"

namespace irlab {
namespace {

// Normalises out.obs and out.next_obs in place; log pi of `sampled` [n, act_dim].
void Finish(const PolicyState& policy, const float* sampled, bool need_log_pi,
            NormalizedBatch& out) {
  NormalizeObs(policy, out.obs, out.obs);
  NormalizeObs(policy, out.next_obs, out.next_obs);
  out.log_pi.clear();
  if (need_log_pi) {
    const int n = static_cast<int>(out.done.size());
    out.log_pi.resize(n);
    policy.net->LogProb(out.obs.data(), sampled, n, out.log_pi.data(), out.actor);
  }
}

}  // namespace

TransitionBatch NormalizedBatch::View() const {
  return {.size = static_cast<int>(done.size()),
          .obs = obs.data(),
          .act = act.data(),
          .next_obs = next_obs.data(),
          .done = done.data(),
          .log_pi = log_pi.empty() ? nullptr : log_pi.data()};
}

void NormalizeSamples(const PolicyState& policy, const PolicySamples& samples, bool need_log_pi,
                      NormalizedBatch& out) {
  out.obs = samples.obs;
  out.next_obs = samples.next_obs;
  out.act = samples.act;
  out.done = samples.done;
  Finish(policy, samples.act_sampled.data(), need_log_pi, out);
}

void RelabelSamples(const PolicyState& policy, const Discriminator& disc,
                    const PolicySamples& samples, float* rewards, ThreadPool* pool,
                    NormalizedBatch& work) {
  const int n = static_cast<int>(samples.done.size());
  const bool need_log_pi = disc.kind() == DiscriminatorKind::kAirl;
  work.obs.resize(samples.obs.size());
  work.next_obs.resize(samples.next_obs.size());
  work.log_pi.resize(need_log_pi ? n : 0);
  SideBySide(
      pool, [&] { NormalizeObs(policy, samples.obs, work.obs); },
      [&] { NormalizeObs(policy, samples.next_obs, work.next_obs); });
  const TransitionBatch t{.size = n,
                          .obs = work.obs.data(),
                          .act = samples.act.data(),
                          .next_obs = work.next_obs.data(),
                          .done = samples.done.data(),
                          .log_pi = need_log_pi ? work.log_pi.data() : nullptr};
  // the actor's pass and the discriminator's (g, then AIRL's h) side by side
  SideBySide(
      pool,
      [&] {
        if (!need_log_pi) return;
        policy.net->LogProb(work.obs.data(), samples.act_sampled.data(), n, work.log_pi.data(),
                            work.actor);
      },
      [&] { disc.F(t, rewards); });
  disc.GeneratorRewardFromF(t, rewards);
}

absl::Status SampleExpertBatch(int size, ExpertStore& store, const PolicyState& policy,
                               bool need_log_pi, NormalizedBatch& out) {
  const int obs_dim = policy.net->obs_dim(), act_dim = policy.net->act_dim();
  out.obs.resize(size_t(size) * obs_dim);
  out.next_obs.resize(size_t(size) * obs_dim);
  out.act.resize(size_t(size) * act_dim);
  std::vector<uint8_t> terminated(size);
  IRLAB_RETURN_IF_ERROR(
      store.Sample(size, out.obs.data(), out.act.data(), out.next_obs.data(), terminated.data()));
  out.done.assign(terminated.begin(), terminated.end());
  Finish(policy, out.act.data(), need_log_pi, out);
  return absl::OkStatus();
}

void SamplePolicyBatch(int size, double history_fraction, const PolicyReplay& replay,
                       const PolicyState& policy, bool need_log_pi, Rng& rng,
                       NormalizedBatch& out) {
  const int obs_dim = policy.net->obs_dim(), act_dim = policy.net->act_dim();
  out.obs.resize(size_t(size) * obs_dim);
  out.next_obs.resize(size_t(size) * obs_dim);
  out.act.resize(size_t(size) * act_dim);
  out.done.resize(size);
  std::vector<float> sampled(size_t(size) * act_dim);
  const int from_history =
      replay.history.empty() ? 0 : static_cast<int>(std::lround(size * history_fraction));
  for (int k = 0; k < size; ++k) {
    const PolicySamples& s = k < from_history
                                 ? replay.history[rng.UniformInt(replay.history.size())]
                                 : replay.recent[rng.UniformInt(replay.recent.size())];
    const size_t i = rng.UniformInt(s.done.size());
    std::copy_n(&s.obs[i * obs_dim], obs_dim, &out.obs[size_t(k) * obs_dim]);
    std::copy_n(&s.next_obs[i * obs_dim], obs_dim, &out.next_obs[size_t(k) * obs_dim]);
    std::copy_n(&s.act[i * act_dim], act_dim, &out.act[size_t(k) * act_dim]);
    std::copy_n(&s.act_sampled[i * act_dim], act_dim, &sampled[size_t(k) * act_dim]);
    out.done[k] = s.done[i];
  }
  Finish(policy, sampled.data(), need_log_pi, out);
}

}  // namespace irlab
