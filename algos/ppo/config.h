// PPO settings: the well-tested MuJoCo recipe (algorithms.md) as defaults.
// Plain struct; TOML files and --set override it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/config.h"
#include "core/strings.h"
#include "envs/options.h"

namespace irlab {

struct PpoConfig {
  int rollout_steps = 256;      // steps per env per rollout: 8 envs x 256 = the recipe's 2048
  int epochs = 10;              // passes over each rollout
  int minibatches = 32;         // minibatches per epoch
  double learning_rate = 3e-4;  // Adam step size
  bool anneal_lr = true;        // linear decay to 0 over the run
  double adam_eps = 1e-5;       // Adam epsilon
  double gamma = 0.99;          // discount
  double gae_lambda = 0.95;     // GAE lambda
  double clip_coef = 0.2;       // surrogate clip epsilon
  bool clip_value_loss = true;  // clip the value loss like the surrogate
  double vf_coef = 0.5;         // value loss weight
  double ent_coef = 0.0;        // entropy bonus (0 for experts; > 0 for max-ent generators)
  double max_grad_norm = 0.5;   // global gradient-norm clip
  bool norm_adv = true;         // normalise advantages per minibatch
  bool norm_obs = true;         // running mean/std observation normalisation
  double obs_clip = 10.0;       // clip normalised observations
  bool norm_reward = true;      // scale rewards by the running std of the discounted return
  double reward_clip = 10.0;    // clip scaled rewards
  double target_kl = 0.0;       // stop an update's epochs early past this KL (0: never)
  std::vector<int> actor_hidden = {64, 64};   // tanh MLP widths
  std::vector<int> critic_hidden = {64, 64};  // tanh MLP widths
  double log_std_init = 0.0;                  // initial log standard deviation

  // Nats: the entropy bonus acts only while the policy's entropy is at or below
  // this, so it holds the entropy up without driving it ever higher (unset: always).
  std::optional<double> ent_target;

  void Bind(ConfigBinder& b) {
    b.Field("rollout_steps", rollout_steps, "steps per env per rollout").Range(1, 1e7);
    b.Field("epochs", epochs, "passes over each rollout").Range(1, 1000);
    b.Field("minibatches", minibatches, "minibatches per epoch").Range(1, 1e6);
    b.Field("learning_rate", learning_rate, "Adam step size").Range(0, 1);
    b.Field("anneal_lr", anneal_lr, "linear learning-rate decay to 0");
    b.Field("adam_eps", adam_eps, "Adam epsilon").Range(0, 1);
    b.Field("gamma", gamma, "discount").Range(0, 1);
    b.Field("gae_lambda", gae_lambda, "GAE lambda").Range(0, 1);
    b.Field("clip_coef", clip_coef, "surrogate clip epsilon").Range(0, 10);
    b.Field("clip_value_loss", clip_value_loss, "clip the value loss");
    b.Field("vf_coef", vf_coef, "value loss weight").Range(0, 1e3);
    b.Field("ent_coef", ent_coef, "entropy bonus weight").Range(0, 1e3);
    b.Field("ent_target", ent_target, "entropy (nats) above which the bonus stops (unset: never)")
        .Range(-1e3, 1e3);
    b.Field("max_grad_norm", max_grad_norm, "global gradient-norm clip (0: off)").Range(0, 1e6);
    b.Field("norm_adv", norm_adv, "normalise advantages per minibatch");
    b.Field("norm_obs", norm_obs, "running observation normalisation");
    b.Field("obs_clip", obs_clip, "clip for normalised observations").Range(0, 1e6);
    b.Field("norm_reward", norm_reward, "scale rewards by the discounted-return std");
    b.Field("reward_clip", reward_clip, "clip for scaled rewards").Range(0, 1e6);
    b.Field("target_kl", target_kl, "early-stop KL per update (0: off)").Range(0, 10);
    b.Field("actor_hidden", actor_hidden, "actor hidden widths").Range(1, 4096);
    b.Field("critic_hidden", critic_hidden, "critic hidden widths").Range(1, 4096);
    b.Field("log_std_init", log_std_init, "initial log std").Range(-20, 5);
  }
};

// A PPO run: `irlab expert` on a task's true reward, and `irlab transfer` on a
// learned one.
struct PpoRunConfig {
  std::string env = "HalfCheetah";    // task
  int64_t total_steps = 1000000;      // env steps to train for
  int num_envs = 8;                   // parallel environments
  int threads = 2;                    // VecEnv threads
  int torch_threads = 1;              // LibTorch intra-op threads (small batches run best on 1)
  int64_t seed = 1;                   // seeds envs, initialisation and sampling
  int64_t checkpoint_every = 200000;  // env steps between checkpoints (final one always)
  int eval_every = 50;                // rollouts between deterministic evaluations, logged as
                                      // eval_return (0: only at the end)
  int eval_episodes = 10;      // deterministic evaluation episodes (each time and at the end)
  int64_t pause_at_steps = 0;  // stop after the first checkpoint at or past this step
                               // (0: never); --resume continues (for time-limited jobs)
  bool overlap = false;        // collect the next rollout (with the current policy, one
                               // update behind) while the update runs: both cores busy;
                               // use threads = 1. Synchronous at checkpoints.
  EnvOptions env_options;
  PpoConfig ppo;

  void Bind(ConfigBinder& b) {
    b.Field("env", env, "task name");
    b.Field("total_steps", total_steps, "env steps to train for").Range(1, 1e12);
    b.Field("num_envs", num_envs, "parallel environments").Range(1, 4096);
    b.Field("threads", threads, "VecEnv worker threads").Range(1, 256);
    b.Field("torch_threads", torch_threads, "LibTorch intra-op threads").Range(1, 256);
    b.Field("seed", seed, "random seed").Min(0);
    b.Field("checkpoint_every", checkpoint_every, "env steps between checkpoints").Range(1, 1e12);
    b.Field("eval_every", eval_every, "rollouts between evaluations (0: end only)").Range(0, 1e9);
    b.Field("eval_episodes", eval_episodes, "evaluation episodes (0: none)").Range(0, 1e6);
    b.Field("pause_at_steps", pause_at_steps,
            "stop after the checkpoint at or past this step (0: never)")
        .Min(0);
    b.Field("overlap", overlap,
            "collect the next rollout while the update runs (one update behind)");
    b.Section("env_options", env_options);
    b.Section("ppo", ppo);
  }
};

// Every minibatch must get samples: checked before a run directory is made.
inline absl::Status CheckMinibatches(const PpoConfig& ppo, int num_envs) {
  const int64_t rollout = int64_t{ppo.rollout_steps} * num_envs;
  if (ppo.minibatches <= rollout) return absl::OkStatus();
  return absl::InvalidArgumentError(
      StrCat("ppo.minibatches (", ppo.minibatches, ") exceeds the rollout size ", rollout,
             " (ppo.rollout_steps ", ppo.rollout_steps, " x num_envs ", num_envs, ")"));
}

}  // namespace irlab
