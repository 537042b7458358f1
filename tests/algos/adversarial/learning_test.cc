// End to end through the irlab binary: a PPO expert -> demonstrations ->
// GAIL learns InvertedPendulum from them -> the learned reward transfers;
// resume gives the same result; a BC warm start begins the generator; bad
// input fails cleanly; the README's demo runs. Tests other than the GAIL one
// use the shipped Pendulum demonstrations.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "algos/adversarial/bc.h"
#include "algos/adversarial/learned_reward.h"
#include "algos/common/compute_threads.h"
#include "algos/common/seed_streams.h"
#include "algos/ppo/checkpoint.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/train_state.h"
#include "core/config.h"
#include "core/files.h"
#include "core/json.h"
#include "data/demo_file.h"
#include "envs/registry.h"
#include "tests/util/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

const fs::path& Dir() {
  static const fs::path dir = [] {
    // per process: ctest runs each test case as its own process, in parallel
    fs::path d =
        fs::temp_directory_path() / ("irlab_adversarial_test_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

// Runs `irlab <args>`, returns its exit code; output goes to <dir>/<log>.
int Irlab(const std::string& args, const std::string& log) {
  return testing::Irlab(args, Dir() / log);
}

std::string Log(const std::string& log) { return ReadFile(Dir() / log).value_or(""); }

double FileNumber(const fs::path& file, const std::string& key) {
  const std::string text = ReadFile(file).value_or("");
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("\"" + key + "\": ([-0-9.eE+naif]+)"))) return NAN;
  return std::stod(m[1]);
}

const std::string kFastPpo =
    " --set ppo.rollout_steps=256 --set ppo.minibatches=8 --set num_envs=8";

// assets/demos/pendulum.h5: 50 expert episodes (provenance in assets/demos/README.md)
std::string ShippedDemos() {
  return (fs::path(IRLAB_SOURCE_DIR) / "assets" / "demos" / "pendulum.h5").string();
}

class AdversarialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // an InvertedPendulum expert and 10 demonstrations of it
    ASSERT_EQ(Irlab("expert --env InvertedPendulum --seed 1 --set total_steps=100000 --set "
                    "eval_episodes=5" +
                        kFastPpo + " --out " + (Dir() / "expert").string(),
                    "expert.log"),
              0)
        << Log("expert.log");
    ASSERT_EQ(Irlab("collect --run " + (Dir() / "expert").string() +
                        " --episodes 10 --deterministic --out " + (Dir() / "demos.h5").string(),
                    "collect.log"),
              0)
        << Log("collect.log");
  }
  static std::string Demos() { return (Dir() / "demos.h5").string(); }
};

// The checks below share one GAIL run, each in its own function so that an ASSERT
// ends that check only and the test reports every behaviour that fails. (ctest runs
// each TEST in its own process: separate TESTs would train the expert and GAIL again.)

// The mean true return of a `transfer` (or `expert`) run's policy, evaluated
// here as the run evaluates it: deterministic episodes seeded by its config.
double TrueReturn(const fs::path& run) {
  PpoRunConfig cfg;
  const absl::Status loaded = LoadConfig(cfg, run / "config.toml", {});
  EXPECT_TRUE(loaded.ok()) << loaded;
  auto policy = LoadPolicy(run / "checkpoint.pt");
  EXPECT_TRUE(policy.ok()) << policy.status();
  if (!loaded.ok() || !policy.ok()) return NAN;
  auto eval = EvaluatePolicy(*policy, cfg.env, cfg.env_options, cfg.eval_episodes,
                             /*deterministic=*/true, StreamSeed(cfg.seed, SeedStream::kExpertEval),
                             cfg.threads);
  EXPECT_TRUE(eval.ok()) << eval.status();
  return eval.ok() ? eval->mean_return : NAN;
}

// transfer trains PPO on the learned reward and evaluates it on the true one.
void CheckTransfer(const fs::path& run) {
  const fs::path transfer = Dir() / "transfer";
  ASSERT_EQ(Irlab("transfer --reward " + run.string() +
                      " --env InvertedPendulum --set total_steps=4096 "
                      "--set eval_episodes=2" +
                      kFastPpo + " --out " + transfer.string(),
                  "transfer.log"),
            0)
      << Log("transfer.log");
  // InvertedPendulum pays 1 per step alive: the true return, not the learned one
  const double ret = FileNumber(transfer / "eval.json", "return_mean");
  EXPECT_DOUBLE_EQ(ret, FileNumber(transfer / "eval.json", "length_mean"));
  EXPECT_EQ(ret, TrueReturn(transfer));
}

// --restarts: PPO trained twice (seeds 0 and 1000), the policy of the higher learned
// return kept; restart 0 is the single run of the same seed.
void CheckTransferRestarts(const fs::path& run) {
  const fs::path restarted = Dir() / "transfer_restarts";
  ASSERT_EQ(Irlab("transfer --reward " + run.string() +
                      " --env InvertedPendulum --restarts 2 --seed 0 "
                      "--set total_steps=2048 --set eval_episodes=2" +
                      kFastPpo + " --out " + restarted.string(),
                  "transfer_restarts.log"),
            0)
      << Log("transfer_restarts.log");
  const std::string listed = ReadFile(restarted / "eval.json").value_or("");
  const auto parsed = ParseJson(listed, "eval.json");
  ASSERT_TRUE(parsed.ok()) << listed;
  const Json& r1 = (*parsed)["restarts"][1];
  ASSERT_EQ(r1["restart"], 1) << listed;
  ASSERT_EQ(r1["seed"], 1000) << listed;
  ASSERT_TRUE(r1["return_mean"].is_number() && r1["learned_return_mean"].is_number()) << listed;
  const int chosen = static_cast<int>(FileNumber(restarted / "eval.json", "chosen_restart"));
  ASSERT_TRUE(chosen == 0 || chosen == 1) << listed;
  const fs::path kept = restarted / "restarts" / ("restart-" + std::to_string(chosen));
  const fs::path other = restarted / "restarts" / ("restart-" + std::to_string(1 - chosen));
  // the reported true return is the kept restart's own evaluation, and its policy is the run's
  EXPECT_EQ(FileNumber(restarted / "eval.json", "return_mean"),
            FileNumber(kept / "eval.json", "return_mean"));
  EXPECT_EQ(ReadFile(restarted / "checkpoint.pt").value_or("a"),
            ReadFile(kept / "checkpoint.pt").value_or("b"));
  EXPECT_TRUE(fs::exists(other / "eval.json"));
  // the kept one has the higher learned return
  const double learned_kept = FileNumber(restarted / "eval.json", "learned_return_mean");
  EXPECT_EQ(learned_kept, (*parsed)["restarts"][chosen]["learned_return_mean"].get<double>())
      << listed;
  if (chosen == 0) {
    EXPECT_GE(learned_kept, r1["learned_return_mean"].get<double>()) << listed;
  } else {
    EXPECT_EQ(learned_kept, r1["learned_return_mean"].get<double>()) << listed;
  }
  const fs::path single = Dir() / "transfer_single";
  ASSERT_EQ(Irlab("transfer --reward " + run.string() +
                      " --env InvertedPendulum --seed 0 --set total_steps=2048 "
                      "--set eval_episodes=2" +
                      kFastPpo + " --out " + single.string(),
                  "transfer_single.log"),
            0)
      << Log("transfer_single.log");
  EXPECT_EQ(FileNumber(single / "eval.json", "return_mean"),
            FileNumber(restarted / "restarts" / "restart-0" / "eval.json", "return_mean"));
}

// --reward-step: the kept checkpoint at or before it, or an error naming those kept.
void CheckRewardStep(const fs::path& run) {
  const fs::path early = Dir() / "transfer_early";
  ASSERT_EQ(Irlab("transfer --reward " + run.string() +
                      " --reward-step 1000000000 --env InvertedPendulum "
                      "--set total_steps=2048 --set eval_episodes=2" +
                      kFastPpo + " --out " + early.string(),
                  "transfer_early.log"),
            0)
      << Log("transfer_early.log");
  EXPECT_NE(Log("transfer_early.log").find("the reward at step"), std::string::npos)
      << Log("transfer_early.log");
  EXPECT_NE(Irlab("transfer --reward " + run.string() +
                      " --reward-step 10 --env InvertedPendulum --out " + (Dir() / "t3").string(),
                  "t3.log"),
            0);
  EXPECT_NE(Log("t3.log").find("no checkpoint at or before step 10"), std::string::npos)
      << Log("t3.log");
  EXPECT_FALSE(fs::exists(Dir() / "t3"));
}

// Refused before any work, leaving no run directory: --restarts 0, and a reward of
// another task's dimensions (transfer and inspect).
void CheckTransferRefusals(const fs::path& run) {
  EXPECT_NE(Irlab("transfer --reward " + run.string() +
                      " --env InvertedPendulum --restarts 0 --out " + (Dir() / "t4").string(),
                  "t4.log"),
            0);
  EXPECT_NE(Log("t4.log").find("--restarts"), std::string::npos) << Log("t4.log");
  EXPECT_FALSE(fs::exists(Dir() / "t4"));
  EXPECT_NE(Irlab("transfer --reward " + run.string() + " --env HalfCheetah --out " +
                      (Dir() / "t2").string(),
                  "t2.log"),
            0);
  EXPECT_NE(Log("t2.log").find("learned on InvertedPendulum"), std::string::npos) << Log("t2.log");
  EXPECT_FALSE(fs::exists(Dir() / "t2"));
  EXPECT_NE(Irlab("inspect " + ShippedDemos() + " --reward " + run.string(), "inspect2.log"), 0);
  EXPECT_NE(Log("inspect2.log").find("learned on InvertedPendulum"), std::string::npos)
      << Log("inspect2.log");
}

// The learned return per episode that irlab inspect printed, or NaN.
double InspectedReturn(const std::string& log) {
  std::smatch m;
  if (!std::regex_search(log, m,
                         std::regex("learned return ([-0-9.e+]+) \\+- [-0-9.e+]+ per episode")))
    return NAN;
  return std::stod(m[1]);
}

// The mean learned return per episode of a demonstrations file, summed here:
// each episode's steps scored by the run's reward (ScoreTransitions, as
// transfer scores them), with observation entries `set` (index, value)
// overwritten in s and s' first.
double LearnedReturn(const fs::path& run, const std::string& demos,
                     const std::vector<std::pair<int, float>>& set) {
  auto reward = LoadLearnedReward(run);
  auto file = DemoFile::Open(demos);
  EXPECT_TRUE(reward.ok() && file.ok());
  if (!reward.ok() || !file.ok()) return NAN;
  const DemoMetadata& m = (*file)->metadata();
  auto env = MakeEnv(m.task);
  EXPECT_TRUE(env.ok()) << env.status();
  if (!env.ok()) return NAN;
  const EpisodeTable& episodes = (*file)->episodes();
  double sum = 0;
  for (int64_t e = 0; e < episodes.size(); ++e) {
    const int64_t n = episodes.length[e];
    std::vector<float> obs(n * m.obs_dim), next(n * m.obs_dim), act(n * m.act_dim);
    std::vector<uint8_t> terminal(n);
    const DemoFile& f = **file;
    EXPECT_TRUE(f.Read(DemoField::kObservations, episodes.start[e], n, std::span(obs)).ok());
    EXPECT_TRUE(f.Read(DemoField::kNextObservations, episodes.start[e], n, std::span(next)).ok());
    EXPECT_TRUE(f.Read(DemoField::kActions, episodes.start[e], n, std::span(act)).ok());
    EXPECT_TRUE(f.Read(DemoField::kTerminals, episodes.start[e], n, std::span(terminal)).ok());
    for (int64_t t = 0; t < n; ++t) {
      for (const auto& [i, value] : set) obs[t * m.obs_dim + i] = next[t * m.obs_dim + i] = value;
    }
    double episode = 0;
    for (float r : ScoreTransitions(*reward, obs, act, next, terminal, (*env)->spec().act_low,
                                    (*env)->spec().act_high)) {
      episode += r;
    }
    sum += episode;
  }
  return sum / episodes.size();
}

// irlab inspect scores demonstrations with the learned reward; --set-obs scores the
// same episodes with observation entries overwritten, the file untouched. (Printed
// to 2 decimals.)
void CheckInspect(const fs::path& run, const std::string& demos) {
  ASSERT_EQ(Irlab("inspect " + demos + " --reward " + run.string(), "inspect.log"), 0)
      << Log("inspect.log");
  const double scored = InspectedReturn(Log("inspect.log"));
  EXPECT_NEAR(scored, LearnedReturn(run, demos, {}), 0.005 + 1e-9) << Log("inspect.log");
  // the reward is the discriminator's logit: its own demonstrations rate as expert (~250 here)
  EXPECT_GT(scored, 0) << Log("inspect.log");
  const std::string unchanged = ReadFile(demos).value_or("");
  ASSERT_EQ(Irlab("inspect " + demos + " --reward " + run.string() + " --set-obs 0-1=0,3=0.5",
                  "inspect3.log"),
            0)
      << Log("inspect3.log");
  const std::string rescored = Log("inspect3.log");
  const double overwritten = InspectedReturn(rescored);
  EXPECT_NEAR(overwritten, LearnedReturn(run, demos, {{0, 0.f}, {1, 0.f}, {3, 0.5f}}), 0.005 + 1e-9)
      << rescored;
  EXPECT_LT(overwritten, scored) << rescored;  // off the demonstrations: less expert (~-240)
  EXPECT_NE(rescored.find("entries 0-1 = 0, 3 = 0.5 in every step"), std::string::npos) << rescored;
  EXPECT_EQ(ReadFile(demos).value_or("x"), unchanged);
}

// --set-obs outside the observation, malformed, or without --reward: an error naming the flag.
void CheckInspectSetObsErrors(const fs::path& run, const std::string& demos) {
  EXPECT_EQ(
      Irlab("inspect " + demos + " --reward " + run.string() + " --set-obs 2-4=0", "inspect4.log"),
      1);
  EXPECT_NE(Log("inspect4.log").find("--set-obs: entry 4 is outside"), std::string::npos)
      << Log("inspect4.log");
  EXPECT_EQ(
      Irlab("inspect " + demos + " --reward " + run.string() + " --set-obs 1=fast", "inspect5.log"),
      2);
  EXPECT_NE(Log("inspect5.log").find("--set-obs '1=fast'"), std::string::npos)
      << Log("inspect5.log");
  EXPECT_EQ(Irlab("inspect " + demos + " --set-obs 1=0", "inspect6.log"), 2);
  EXPECT_NE(Log("inspect6.log").find("--set-obs needs --reward"), std::string::npos)
      << Log("inspect6.log");
}

TEST_F(AdversarialTest, GailLearnsInvertedPendulumAndTheRewardTransfers) {
  // InvertedPendulum terminates: the default generator reward, -log(1 - D), is the one
  // without a bias towards ending episodes early (the logit's mean is negative there)
  const fs::path run = Dir() / "gail";
  ASSERT_EQ(
      Irlab("train --algo gail --env InvertedPendulum --demos " + Demos() +
                " --set total_steps=60000 --set eval_every=0" + kFastPpo + " --out " + run.string(),
            "gail.log"),
      0)
      << Log("gail.log");  // every check below uses this run
  EXPECT_GE(FileNumber(run / "eval.json", "normalized_score"), 0.8) << Log("gail.log");
  {
    SCOPED_TRACE("transfer");
    CheckTransfer(run);
  }
  {
    SCOPED_TRACE("transfer --restarts");
    CheckTransferRestarts(run);
  }
  {
    SCOPED_TRACE("transfer --reward-step");
    CheckRewardStep(run);
  }
  {
    SCOPED_TRACE("refusals");
    CheckTransferRefusals(run);
  }
  {
    SCOPED_TRACE("inspect");
    CheckInspect(run, Demos());
  }
  {
    SCOPED_TRACE("inspect --set-obs errors");
    CheckInspectSetObsErrors(run, Demos());
  }
}

// Without learning-rate annealing, whose schedule follows total_steps (which the
// resume below extends); with the gradient penalty, whose mixing weights must resume too.
TEST(AdversarialResumeTest, ResumeGivesTheSameResult) {
  const std::string common =
      " --algo airl --env Pendulum --demos " + ShippedDemos() +
      " --set ppo.anneal_lr=false --set eval_every=0 --set eval_episodes=2"
      " --set disc.grad_penalty=1 --set bc.warm_start=true --set bc.steps=500"
      " --set disc.replay_rounds=3 --set disc.history_rounds=2" +
      kFastPpo;  // the replay and the history of older rollouts are checkpointed too
  const fs::path whole = Dir() / "whole", part = Dir() / "part";
  ASSERT_EQ(
      Irlab("train" + common + " --set total_steps=6144 --out " + whole.string(), "whole.log"), 0)
      << Log("whole.log");
  ASSERT_EQ(Irlab("train" + common + " --set total_steps=4096 --out " + part.string(), "part.log"),
            0)
      << Log("part.log");
  // the run's config names its demonstrations: --resume needs no --demos
  ASSERT_EQ(Irlab("train --resume " + part.string() + " --set total_steps=6144", "resume.log"), 0)
      << Log("resume.log");
  auto a = LoadPolicy(whole / "checkpoint.pt");
  auto b = LoadPolicy(part / "checkpoint.pt");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(torch::equal(a->net->flat_params(), b->net->flat_params()));
}

// With overlap the next rollout is collected while the discriminator and PPO
// update run, except before a checkpoint: a run repeats exactly, a resume from a
// checkpoint equals the uninterrupted run (both checkpoint at 4096), and the
// result differs from the synchronous round's (the overlapped path really ran).
// The synchronous round with two threads (the discriminator's batches and its g
// and h passes, and the actor and critic, side by side) equals it with one.
TEST(AdversarialResumeTest, OverlappedRoundRepeatsAndResumesExactly) {
  const std::string common =
      " --algo airl --env Pendulum --demos " + ShippedDemos() +
      " --set ppo.anneal_lr=false --set eval_every=0 --set eval_episodes=2"
      " --set checkpoint_every=4096 --set threads=1 --set disc.grad_penalty=1" +
      kFastPpo;
  const fs::path once = Dir() / "overlap_once", twice = Dir() / "overlap_twice",
                 part = Dir() / "overlap_part", sync = Dir() / "overlap_sync",
                 sync2 = Dir() / "overlap_sync_two_threads";
  for (const fs::path& run : {once, twice}) {
    ASSERT_EQ(
        Irlab("train" + common + " --set overlap=true --set total_steps=8192 --out " + run.string(),
              run.filename().string() + ".log"),
        0)
        << Log(run.filename().string() + ".log");
  }
  ASSERT_EQ(
      Irlab("train" + common + " --set overlap=true --set total_steps=4096 --out " + part.string(),
            "op.log"),
      0)
      << Log("op.log");
  ASSERT_EQ(Irlab("train --resume " + part.string() + " --set total_steps=8192", "opr.log"), 0)
      << Log("opr.log");
  ASSERT_EQ(Irlab("train" + common + " --set total_steps=8192 --out " + sync.string(), "os.log"), 0)
      << Log("os.log");
  ASSERT_EQ(
      Irlab("train" + common + " --set threads=2 --set total_steps=8192 --out " + sync2.string(),
            "os2.log"),
      0)
      << Log("os2.log");
  auto a = LoadPolicy(once / "checkpoint.pt"), b = LoadPolicy(twice / "checkpoint.pt"),
       c = LoadPolicy(part / "checkpoint.pt"), d = LoadPolicy(sync / "checkpoint.pt"),
       e = LoadPolicy(sync2 / "checkpoint.pt");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok() && e.ok());
  EXPECT_TRUE(torch::equal(d->net->flat_params(), e->net->flat_params()));
  EXPECT_TRUE(torch::equal(a->net->flat_params(), b->net->flat_params()));
  EXPECT_TRUE(torch::equal(a->net->flat_params(), c->net->flat_params()));
  EXPECT_FALSE(torch::equal(a->net->flat_params(), d->net->flat_params()));
}

// A short airl run on Pendulum with the shipped demonstrations, its generator
// begun at a BC fit: two rounds of 2048 steps, each kept as a checkpoint.
std::string WarmStartRun() {
  return " --algo airl --env Pendulum --demos " + ShippedDemos() +
         " --set total_steps=4096 --set checkpoint_every=2048 --set eval_episodes=2"
         " --set bc.warm_start=true --set bc.steps=200" +
         kFastPpo;
}

// The policy a run's config warm-starts, fitted here: the run's fresh
// generator, WarmStartWithBc (bc_test.cc checks what it does with the config).
PolicyState WarmStartOf(const fs::path& run, AdversarialConfig& cfg) {
  const absl::Status loaded = LoadConfig(cfg, run / "config.toml", {});
  EXPECT_TRUE(loaded.ok()) << loaded;
  SetComputeThreads(cfg.torch_threads);
  auto vec = VecEnv::Make(cfg.env, cfg.num_envs, cfg.env_options, cfg.threads);
  EXPECT_TRUE(vec.ok()) << vec.status();
  PpoTrainState state = NewPpoState(cfg.env, cfg.ppo, **vec, cfg.seed);
  const absl::Status fitted = WarmStartWithBc(cfg, state.policy);
  EXPECT_TRUE(fitted.ok()) << fitted;
  return std::move(state.policy);
}

// The rows of a run's metrics.jsonl by step.
std::map<int64_t, Json> MetricsRows(const fs::path& run) {
  std::map<int64_t, Json> rows;
  std::istringstream lines(ReadFile(run / "metrics.jsonl").value_or(""));
  for (std::string line; std::getline(lines, line);) {
    auto row = ParseJson(line, "metrics.jsonl");
    EXPECT_TRUE(row.ok()) << line;
    if (row.ok()) rows[(*row)["step"].get<int64_t>()] = *row;
  }
  return rows;
}

// bc.warm_start with disc.warmup_rounds = 1: the generator begins at the BC
// fit, its evaluation logged as step 0; through round 1 the policy waits (the
// discriminator learns) while its normaliser folds in the round's 2048
// observations (256 steps x 8 envs); PPO updates it from round 2.
TEST(AdversarialWarmStartTest, BeginsAtTheBcFitAndWaitsOutTheWarmupRound) {
  const fs::path run = Dir() / "warm";
  ASSERT_EQ(Irlab("train" + WarmStartRun() + " --set disc.warmup_rounds=1 --out " + run.string(),
                  "warm.log"),
            0)
      << Log("warm.log");
  AdversarialConfig cfg;
  const PolicyState fit = WarmStartOf(run, cfg);
  const auto eval = EvaluatePolicy(fit, cfg.env, cfg.env_options, cfg.eval_episodes,
                                   /*deterministic=*/true,
                                   StreamSeed(cfg.seed, SeedStream::kEvaluation), cfg.threads);
  ASSERT_TRUE(eval.ok()) << eval.status();
  std::map<int64_t, Json> rows = MetricsRows(run);
  ASSERT_TRUE(rows.count(0) && rows.count(2048) && rows.count(4096)) << Log("warm.log");
  EXPECT_EQ(rows[0]["eval_return"].get<double>(), eval->mean_return);

  auto round1 = LoadPolicy(run / "checkpoints" / "step_2048.pt");
  auto round2 = LoadPolicy(run / "checkpoint.pt");
  ASSERT_TRUE(round1.ok() && round2.ok());
  EXPECT_TRUE(torch::equal(round1->net->flat_params(), fit.net->flat_params()));
  EXPECT_TRUE(rows[2048]["policy_loss"].is_null()) << rows[2048];  // no PPO update
  EXPECT_NEAR(round1->obs_rms.count(), fit.obs_rms.count() + 2048, 1e-6);
  EXPECT_TRUE(rows[4096]["policy_loss"].is_number()) << rows[4096];
  EXPECT_FALSE(torch::equal(round2->net->flat_params(), fit.net->flat_params()));
  EXPECT_NEAR(round2->obs_rms.count(), fit.obs_rms.count() + 2 * 2048, 1e-6);
}

// bc.freeze_obs_norm: the warm-started policy keeps the demonstrations'
// observation statistics through the rounds, waiting and learning alike.
TEST(AdversarialWarmStartTest, FreezeObsNormKeepsTheDemonstrationsStatistics) {
  const fs::path run = Dir() / "frozen";
  ASSERT_EQ(
      Irlab("train" + WarmStartRun() +
                " --set disc.warmup_rounds=1 --set bc.freeze_obs_norm=true --out " + run.string(),
            "frozen.log"),
      0)
      << Log("frozen.log");
  AdversarialConfig cfg;
  const PolicyState fit = WarmStartOf(run, cfg);
  for (const fs::path& checkpoint : {run / "checkpoints" / "step_2048.pt", run / "checkpoint.pt"}) {
    SCOPED_TRACE(checkpoint.string());
    auto policy = LoadPolicy(checkpoint);
    ASSERT_TRUE(policy.ok()) << policy.status();
    EXPECT_EQ(policy->obs_rms.count(), fit.obs_rms.count());
    EXPECT_EQ(policy->obs_rms.mean(), fit.obs_rms.mean());
    EXPECT_EQ(policy->obs_rms.var(), fit.obs_rms.var());
  }
}

// total_steps = 0: no round runs, and eval.json holds the evaluation of the
// policy the run starts from (the BC fit, logged at step 0; or the fresh
// generator), not NaN.
TEST(AdversarialWarmStartTest, ZeroStepsEvaluateTheStartingPolicy) {
  const fs::path warm = Dir() / "zero_warm";
  ASSERT_EQ(Irlab("train" + WarmStartRun() + " --set total_steps=0 --out " + warm.string(),
                  "zero_warm.log"),
            0)
      << Log("zero_warm.log");
  std::map<int64_t, Json> rows = MetricsRows(warm);
  ASSERT_TRUE(rows.count(0)) << Log("zero_warm.log");
  EXPECT_EQ(FileNumber(warm / "eval.json", "return_mean"), rows[0]["eval_return"].get<double>());
  EXPECT_EQ(FileNumber(warm / "eval.json", "env_steps"), 0);

  const fs::path fresh = Dir() / "zero_fresh";
  ASSERT_EQ(Irlab("train --algo airl --env Pendulum --demos " + ShippedDemos() +
                      " --set total_steps=0 --set eval_episodes=2" + kFastPpo + " --out " +
                      fresh.string(),
                  "zero_fresh.log"),
            0)
      << Log("zero_fresh.log");
  EXPECT_TRUE(std::isfinite(FileNumber(fresh / "eval.json", "return_mean")));
  EXPECT_TRUE(std::isfinite(FileNumber(fresh / "eval.json", "normalized_score")));
  EXPECT_EQ(Log("zero_fresh.log").find("nan"), std::string::npos) << Log("zero_fresh.log");
}

TEST(AdversarialBadInputTest, BadInputFailsCleanly) {
  const std::string demos = ShippedDemos();
  // no demonstrations named: refused before the run directory is made
  EXPECT_NE(Irlab("train --algo gail --env Pendulum --out " + (Dir() / "b0").string(), "b0.log"),
            0);
  EXPECT_NE(Log("b0.log").find("--demos"), std::string::npos) << Log("b0.log");
  EXPECT_FALSE(fs::exists(Dir() / "b0"));
  // demonstrations of another task
  EXPECT_NE(Irlab("train --algo gail --env InvertedPendulum --demos " + demos + " --out " +
                      (Dir() / "b1").string(),
                  "b1.log"),
            0);
  EXPECT_NE(Log("b1.log").find("pendulum.h5"), std::string::npos) << Log("b1.log");
  EXPECT_FALSE(fs::exists(Dir() / "b1"));  // a failed start leaves no run directory
  // unknown algorithm
  EXPECT_NE(Irlab("train --algo dagger --env Pendulum --demos " + demos + " --out " +
                      (Dir() / "b2").string(),
                  "b2.log"),
            0);
  EXPECT_NE(Log("b2.log").find("algo"), std::string::npos) << Log("b2.log");
  // a corrupt demonstrations file
  ASSERT_TRUE(WriteFileAtomically(Dir() / "junk.h5", "not hdf5 at all").ok());
  EXPECT_NE(Irlab("train --algo gail --env Pendulum --demos " + (Dir() / "junk.h5").string() +
                      " --out " + (Dir() / "b3").string(),
                  "b3.log"),
            0);
  EXPECT_NE(Log("b3.log").find("junk.h5"), std::string::npos) << Log("b3.log");
  EXPECT_FALSE(fs::exists(Dir() / "b3"));
  // disc.ignore_obs outside the task's observation (Pendulum's has 3 entries)
  EXPECT_NE(Irlab("train --algo airl --env Pendulum --demos " + demos +
                      " --set eval_episodes=1 --set disc.ignore_obs=[0,3] --out " +
                      (Dir() / "b6").string(),
                  "b6.log"),
            0);
  EXPECT_NE(Log("b6.log").find("disc.ignore_obs: index 3 is outside the Pendulum observation"),
            std::string::npos)
      << Log("b6.log");
  EXPECT_FALSE(fs::exists(Dir() / "b6"));
  // ... and in an empty directory of the user's, leaves it empty
  fs::create_directories(Dir() / "b5");
  EXPECT_NE(Irlab("train --algo gail --env InvertedPendulum --demos " + demos + " --out " +
                      (Dir() / "b5").string(),
                  "b5.log"),
            0);
  EXPECT_TRUE(fs::is_directory(Dir() / "b5"));
  EXPECT_TRUE(fs::is_empty(Dir() / "b5"));
  // an existing run directory is not overwritten
  fs::create_directories(Dir() / "taken");
  ASSERT_TRUE(WriteFileAtomically(Dir() / "taken" / "keep.txt", "mine").ok());
  EXPECT_NE(Irlab("train --algo gail --env Pendulum --demos " + demos + " --out " +
                      (Dir() / "taken").string(),
                  "b4.log"),
            0);
  EXPECT_EQ(ReadFile(Dir() / "taken" / "keep.txt").value_or(""), "mine");
  EXPECT_FALSE(fs::exists(Dir() / "taken" / "config.toml"));
  // BC runs and writes an evaluated policy
  ASSERT_EQ(Irlab("train --algo bc --env Pendulum --demos " + demos +
                      " --set bc.steps=2000 --set eval_episodes=2 --out " + (Dir() / "bc").string(),
                  "bc.log"),
            0)
      << Log("bc.log");
  // BC alone reaches ~1 on Pendulum
  EXPECT_GT(FileNumber(Dir() / "bc" / "eval.json", "normalized_score"), 0.8) << Log("bc.log");
}

// The README's main job, shortened: trains, prints the three returns and the
// score, draws the learning curve; bad flags fail before any work.
TEST(DemoCommandTest, RunsShortAndReportsScoreAndCurve) {
  const fs::path run = Dir() / "demo";
  ASSERT_EQ(Irlab("demo --set total_steps=8192 --set eval_every=2 --set eval_episodes=2 --out " +
                      run.string(),
                  "demo.log"),
            0)
      << Log("demo.log");
  const std::string log = Log("demo.log");
  for (const char* line :
       {"expert (demonstrations)", "random policy", "AIRL policy", "normalised score"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
  }
  EXPECT_NEAR(FileNumber(run / "eval.json", "expert_return"), -163.85,
              0.01);  // the shipped set's mean
  const fs::path eval = run / "eval.json";
  const double random = FileNumber(eval, "random_return");
  EXPECT_DOUBLE_EQ(
      FileNumber(eval, "normalized_score"),
      (FileNumber(eval, "return_mean") - random) / (FileNumber(eval, "expert_return") - random));
  const std::string png = ReadFile(run / "learning_curve.png").value_or("");
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_TRUE(fs::exists(run / "config.toml"));

  // a missing demonstrations file, an unknown key, an existing run directory
  EXPECT_EQ(
      Irlab("demo --demos " + (Dir() / "none.h5").string() + " --out " + (Dir() / "d1").string(),
            "d1.log"),
      1);
  EXPECT_NE(Log("d1.log").find("none.h5"), std::string::npos) << Log("d1.log");
  EXPECT_FALSE(fs::exists(Dir() / "d1"));
  EXPECT_EQ(Irlab("demo --set disc.update_per_round=3 --out " + (Dir() / "d2").string(), "d2.log"),
            1);
  EXPECT_NE(Log("d2.log").find("disc.update_per_round"), std::string::npos) << Log("d2.log");
  EXPECT_NE(Irlab("demo --out " + run.string(), "d3.log"), 0);
  EXPECT_NE(Log("d3.log").find("not empty"), std::string::npos) << Log("d3.log");
}

}  // namespace
}  // namespace irlab
