// PPO solves InvertedPendulum on a small budget (the end-to-end check).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"

namespace irlab {
namespace {

// Trains InvertedPendulum for 100k steps and returns the deterministic return.
double TrainAndEvaluate(const std::string& name, bool overlap) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  PpoRunConfig cfg;
  cfg.env = "InvertedPendulum";
  cfg.seed = 1;
  cfg.num_envs = 8;
  cfg.total_steps = 100000;
  cfg.eval_episodes = 0;
  cfg.ppo.rollout_steps = 256;
  cfg.ppo.minibatches = 8;
  if (overlap) {
    cfg.overlap = true;
    cfg.threads = 1;
  }
  EXPECT_TRUE(TrainExpert(cfg, dir, false).ok());
  auto policy = Policy::Load(dir);
  EXPECT_TRUE(policy.ok()) << policy.status();
  if (!policy.ok()) return NAN;
  auto eval = EvaluatePolicy((*policy)->state(), "InvertedPendulum", {}, 10, true, 99, 2);
  EXPECT_TRUE(eval.ok()) << eval.status();
  std::filesystem::remove_all(dir);
  return eval.ok() ? eval->mean_return : NAN;
}

TEST(PpoLearningTest, SolvesInvertedPendulum) {
  EXPECT_GE(TrainAndEvaluate("irlab_ppo_learning", false), 900.0);
}

// The same with the rollout collected during the update (one update behind).
TEST(PpoLearningTest, SolvesInvertedPendulumWithOverlap) {
  EXPECT_GE(TrainAndEvaluate("irlab_ppo_learning_overlap", true), 900.0);
}

}  // namespace
}  // namespace irlab
