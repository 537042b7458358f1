// `irlab transfer`: PPO from scratch on a frozen learned reward, in (possibly
// changed) dynamics; the true return there is what is reported.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "algos/adversarial/adversarial.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/common/seed_streams.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"
#include "algos/ppo/rollout.h"
#include "core/files.h"
#include "core/json.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/registry.h"

namespace irlab {

namespace fs = std::filesystem;

namespace {

// One restart's outcome: its seed and the deterministic evaluation under both rewards.
struct Restart {
  int64_t seed = 0;
  fs::path dir;
  EvalResult eval;
};

// Copies the chosen restart's policy and logs to the top of run_dir (each file
// through a temporary name, so no half-copied file carries a final name).
absl::Status CopyChosen(const fs::path& from, const fs::path& run_dir) {
  std::error_code ec;
  std::vector<fs::path> files = {"checkpoint.pt", "metrics.csv", "metrics.jsonl"};
  for (const auto& entry : fs::directory_iterator(from / "checkpoints", ec)) {
    files.push_back(fs::path("checkpoints") / entry.path().filename());
  }
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(run_dir / "checkpoints"));
  for (const fs::path& f : files) {
    const fs::path tmp = run_dir / (f.string() + ".tmp");
    fs::copy_file(from / f, tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(tmp, run_dir / f, ec);
    if (ec) {
      return absl::InternalError(StrCat((from / f).string(), ": could not copy to ",
                                        run_dir.string(), ": ", ec.message()));
    }
  }
  return absl::OkStatus();
}

Json EvalJson(const std::string& env, const std::vector<Restart>& tried, size_t chosen,
              double seconds) {
  const EvalResult& e = tried[chosen].eval;
  Json list = Json::array();
  for (size_t k = 0; k < tried.size(); ++k) {
    list.push_back(Json{{"restart", k},
                        {"seed", tried[k].seed},
                        {"return_mean", tried[k].eval.mean_return},
                        {"learned_return_mean", tried[k].eval.mean_scored_return}});
  }
  return Json{{"env", env},
              {"episodes", e.returns.size()},
              {"deterministic", true},
              {"return_mean", e.mean_return},
              {"return_std", e.std_return},
              {"length_mean", e.mean_length},
              {"learned_return_mean", e.mean_scored_return},
              {"chosen_restart", chosen},
              {"wall_seconds", seconds},
              {"restarts", std::move(list)}};
}

}  // namespace

absl::Status TransferReward(const fs::path& reward_run, const PpoRunConfig& cfg,
                            const fs::path& run_dir, int restarts) {
  if (restarts < 1)
    return absl::InvalidArgumentError(StrCat("restarts: expected at least 1, got ", restarts));
  if (restarts > 1 && cfg.eval_episodes < 1) {
    return absl::InvalidArgumentError(
        "eval_episodes: restarts are chosen by the learned return of the evaluation episodes; need "
        "at least 1");
  }
  IRLAB_ASSIGN_OR_RETURN(LearnedReward reward, LoadLearnedReward(reward_run));
  IRLAB_ASSIGN_OR_RETURN(auto probe, MakeEnv(cfg.env, cfg.env_options));
  const EnvSpec& spec = probe->spec();
  IRLAB_RETURN_IF_ERROR(CheckRewardFits(reward, reward_run, cfg.env, spec.obs_dim, spec.act_dim));
  std::printf("transferring the %s reward learned on %s to %s\n", reward.config.algo.c_str(),
              reward.policy.env_name.c_str(), cfg.env.c_str());
  // the learned reward of raw transitions, for PPO's rollouts and the restarts' evaluations alike
  const TransitionScorer learned = [&](std::span<const float> obs, std::span<const float> act,
                                       std::span<const float> next_obs,
                                       std::span<const uint8_t> terminated, std::span<float> out) {
    const std::vector<float> r =
        ScoreTransitions(reward, obs, act, next_obs, terminated, spec.act_low, spec.act_high);
    std::copy(r.begin(), r.end(), out.begin());
  };
  auto relabel = [&](Rollout& rollout) -> absl::Status {
    learned(rollout.raw_obs, rollout.actions, rollout.raw_next_obs, rollout.terminated,
            rollout.rewards);
    return absl::OkStatus();
  };
  if (restarts == 1) return TrainExpert(cfg, run_dir, false, relabel);

  const auto start = std::chrono::steady_clock::now();
  std::vector<Restart> tried;
  size_t chosen = 0;
  for (int k = 0; k < restarts; ++k) {
    Restart r;
    r.seed = cfg.seed + kRestartSeedStride * k;
    r.dir = run_dir / "restarts" / StrCat("restart-", k);
    PpoRunConfig one = cfg;
    one.seed = r.seed;
    std::printf("restart %d of %d (seed %lld) into %s\n", k + 1, restarts,
                static_cast<long long>(r.seed), r.dir.c_str());
    IRLAB_RETURN_IF_ERROR(EnsureDirectory(r.dir));
    IRLAB_RETURN_IF_ERROR(
        WriteFileAtomically(r.dir / "config.toml", ConfigSchema::For(one).ToToml()));
    IRLAB_RETURN_IF_ERROR(TrainExpert(one, r.dir, /*resume=*/false, relabel));
    IRLAB_ASSIGN_OR_RETURN(auto policy, Policy::Load(r.dir));
    // the episodes of TrainExpert's own evaluation (same seed), now scored by the learned reward
    // too
    IRLAB_ASSIGN_OR_RETURN(r.eval, EvaluatePolicy(policy->state(), cfg.env, cfg.env_options,
                                                  cfg.eval_episodes, /*deterministic=*/true,
                                                  StreamSeed(one.seed, SeedStream::kExpertEval),
                                                  cfg.threads, learned));
    std::printf("restart %d: learned return %.2f, true return %.1f\n", k + 1,
                r.eval.mean_scored_return, r.eval.mean_return);
    tried.push_back(std::move(r));
    if (tried.back().eval.mean_scored_return > tried[chosen].eval.mean_scored_return)
      chosen = tried.size() - 1;
  }
  std::printf("kept restart %zu of %d (the highest learned return %.2f): true return %.1f\n",
              chosen + 1, restarts, tried[chosen].eval.mean_scored_return,
              tried[chosen].eval.mean_return);
  IRLAB_RETURN_IF_ERROR(CopyChosen(tried[chosen].dir, run_dir));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return WriteJsonFile(run_dir / "eval.json", EvalJson(cfg.env, tried, chosen, seconds));
}

}  // namespace irlab
