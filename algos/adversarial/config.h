// Settings of `irlab train`: adversarial imitation (AIRL, GAIL), sample-based
// MaxEnt IRL (GAN-GCL) and behaviour cloning. Plain structs; TOML overrides.
#pragma once

#include <string>
#include <vector>

#include "algos/ppo/config.h"
#include "core/config.h"
#include "data/expert_store.h"
#include "envs/options.h"

namespace irlab {

struct DiscriminatorConfig {
  std::vector<int> reward_hidden = {32, 32};     // g: reward MLP widths (ReLU)
  std::vector<int> potential_hidden = {32, 32};  // h: AIRL's shaping potential widths
  double learning_rate = 3e-4;                   // Adam step size
  int updates_per_round = 8;                     // discriminator steps per rollout (n_disc_updates)
  int batch_size = 512;                          // expert and policy samples per step (each)
  int replay_rounds = 1;   // policy samples drawn from this many recent rollouts
  int history_rounds = 0;  // plus a uniform sample (reservoir) of this many rollouts from all
                           // of training so far: the discriminator keeps seeing old policies
  double history_fraction = 0.5;  // share of each policy batch drawn from that history
  double grad_penalty = 0.0;      // weight of a gradient penalty on expert-policy interpolates
  std::string gail_reward = "positive";  // GAIL's generator reward: positive (-log(1-D) >= 0, the
                                         // default: no bias towards ending episodes early on tasks
                                         // that terminate), logit (log D - log(1-D), negative on
                                         // average: fails there), negative (log D)
  double gcl_expert_length = 0.0;  // GAN-GCL: expert trajectory length (0: the task's horizon)
  double entropy_weight = 1.0;     // AIRL: w in D = exp(f) / (exp(f) + pi^w), so logits and the
                                   // generator reward are f - w log pi (1: the paper's formula)
  int warmup_rounds = 0;           // first rounds train only the discriminator (the policy waits),
                                   // so a warm-started policy is not pushed by an untrained reward
  std::vector<int> ignore_obs;     // observation entries the reward net never sees (in s and s'),
                                   // e.g. {0, 1}: the x and y of AntFixed

  void Bind(ConfigBinder& b) {
    b.Field("reward_hidden", reward_hidden, "reward net widths").Range(1, 4096);
    b.Field("potential_hidden", potential_hidden, "AIRL potential widths").Range(1, 4096);
    b.Field("learning_rate", learning_rate, "Adam step size").Range(0, 1);
    b.Field("updates_per_round", updates_per_round, "discriminator steps per rollout")
        .Range(0, 1e5);
    b.Field("batch_size", batch_size, "expert and policy samples per step").Range(1, 1e6);
    b.Field("replay_rounds", replay_rounds, "recent rollouts policy samples come from")
        .Range(1, 1000);
    b.Field("history_rounds", history_rounds, "rollouts kept from all of training (0: none)")
        .Range(0, 100000);
    b.Field("history_fraction", history_fraction, "share of policy samples from the history")
        .Range(0, 1);
    b.Field("grad_penalty", grad_penalty, "gradient penalty weight").Range(0, 1e6);
    b.Field("gail_reward", gail_reward, "GAIL generator reward")
        .OneOf({"logit", "positive", "negative"});
    b.Field("gcl_expert_length", gcl_expert_length, "GAN-GCL expert trajectory length (0: horizon)")
        .Range(0, 1e7);
    b.Field("entropy_weight", entropy_weight, "AIRL logits and reward f - w log pi").Range(0, 100);
    b.Field("warmup_rounds", warmup_rounds, "rounds before the policy starts learning")
        .Range(0, 1e9);
    b.Field("ignore_obs", ignore_obs, "observation indices hidden from the reward net")
        .Range(0, 1e6);
  }
};

struct BcConfig {
  int64_t steps = 20000;        // gradient steps
  int batch_size = 256;         // expert samples per step
  double learning_rate = 1e-3;  // Adam step size
  bool warm_start = false;      // airl, airl-sa, gail, gcl: start the generator from a BC fit
  double warm_start_log_std =
      -1.0;                      // ... with its log std raised to at least this, so PPO explores
  bool freeze_obs_norm = false;  // with warm_start: keep the demonstrations' observation statistics
                                 // (the cloned policy's inputs do not shift under it)

  void Bind(ConfigBinder& b) {
    b.Field("steps", steps, "gradient steps").Range(0, 1e9);
    b.Field("batch_size", batch_size, "samples per step").Range(1, 1e6);
    b.Field("learning_rate", learning_rate, "Adam step size").Range(0, 1);
    b.Field("warm_start", warm_start, "start the adversarial generator from a BC fit");
    b.Field("warm_start_log_std", warm_start_log_std, "lowest log std of the warm-started policy")
        .Range(-20, 5);
    b.Field("freeze_obs_norm", freeze_obs_norm,
            "warm start: keep the demonstrations' observation statistics");
  }
};

enum class Algo { kAirl, kAirlStateAction, kGail, kGcl, kBc };

struct AdversarialConfig {
  std::string algo = "airl";          // airl (state-only reward), airl-sa, gail, gcl, bc
  std::string env = "Pendulum";       // task; must match the demonstrations
  std::string demos_file;             // the HDF5 demonstrations (--demos), kept in the run's
                                      // config.toml so that --resume finds them
  int64_t total_steps = 1000000;      // env steps of the generator
  int num_envs = 8;                   // parallel environments
  int threads = 2;                    // VecEnv threads
  int torch_threads = 1;              // LibTorch intra-op threads
  int64_t seed = 1;                   // seeds everything
  int64_t checkpoint_every = 100000;  // env steps between checkpoints
  int eval_every = 10;     // rounds between deterministic evaluations (0: only at the end)
  int eval_episodes = 10;  // episodes per evaluation
  bool overlap = false;    // collect the next rollout (with the current policy, one update
                           // behind) while the discriminator and PPO update run: both cores
                           // busy; use threads = 1. Synchronous at checkpoints.
  EnvOptions env_options;
  ExpertStoreConfig demos;
  DiscriminatorConfig disc;
  PpoConfig ppo;
  BcConfig bc;

  void Bind(ConfigBinder& b) {
    b.Field("algo", algo, "airl, airl-sa, gail, gcl or bc")
        .OneOf({"airl", "airl-sa", "gail", "gcl", "bc"});
    b.Field("env", env, "task name");
    b.Field("demos_file", demos_file, "HDF5 demonstrations (--demos sets it)");
    b.Field("total_steps", total_steps, "generator env steps").Range(0, 1e12);
    b.Field("num_envs", num_envs, "parallel environments").Range(1, 4096);
    b.Field("threads", threads, "VecEnv threads").Range(1, 256);
    b.Field("torch_threads", torch_threads, "LibTorch threads").Range(1, 256);
    b.Field("seed", seed, "random seed").Min(0);
    b.Field("checkpoint_every", checkpoint_every, "env steps between checkpoints").Range(1, 1e12);
    b.Field("eval_every", eval_every, "rounds between evaluations (0: end only)").Range(0, 1e9);
    b.Field("eval_episodes", eval_episodes, "episodes per evaluation").Range(1, 1e6);
    b.Field("overlap", overlap,
            "collect the next rollout while the round's updates run (one update behind)");
    b.Section("env_options", env_options);
    b.Section("demos", demos);
    b.Section("disc", disc);
    b.Section("ppo", ppo);
    b.Section("bc", bc);
  }

  // `algo` as an enum (the config keeps the name TOML files spell).
  Algo algorithm() const {
    if (algo == "airl") return Algo::kAirl;
    if (algo == "airl-sa") return Algo::kAirlStateAction;
    if (algo == "gail") return Algo::kGail;
    if (algo == "gcl") return Algo::kGcl;
    return Algo::kBc;  // the binder admits no other name
  }
};

}  // namespace irlab
