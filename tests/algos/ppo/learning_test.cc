// PPO solves InvertedPendulum on a small budget (the end-to-end check).
#include <gtest/gtest.h>

#include <filesystem>

#include "algos/ppo/policy.h"
#include "algos/ppo/ppo.h"

namespace irlab {
namespace {

TEST(PpoLearningTest, SolvesInvertedPendulum) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_ppo_learning";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ExpertConfig cfg;
  cfg.env = "InvertedPendulum";
  cfg.seed = 1;
  cfg.num_envs = 8;
  cfg.total_steps = 100000;
  cfg.eval_episodes = 0;
  cfg.ppo.rollout_steps = 256;
  cfg.ppo.minibatches = 8;
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  auto policy = Policy::Load(dir);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto eval = EvaluatePolicy(**policy, "InvertedPendulum", {}, 10, true, 99, 2);
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_GE(eval->mean_return, 900.0);
  std::filesystem::remove_all(dir);
}

// The same with the rollout collected during the update (one update behind).
TEST(PpoLearningTest, SolvesInvertedPendulumWithOverlap) {
  const auto dir = std::filesystem::temp_directory_path() / "irlab_ppo_learning_overlap";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ExpertConfig cfg;
  cfg.env = "InvertedPendulum";
  cfg.seed = 1;
  cfg.num_envs = 8;
  cfg.threads = 1;
  cfg.overlap = true;
  cfg.total_steps = 100000;
  cfg.eval_episodes = 0;
  cfg.ppo.rollout_steps = 256;
  cfg.ppo.minibatches = 8;
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());
  auto policy = Policy::Load(dir);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto eval = EvaluatePolicy(**policy, "InvertedPendulum", {}, 10, true, 99, 2);
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_GE(eval->mean_return, 900.0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace irlab
