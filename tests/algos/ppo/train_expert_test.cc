// irlab expert evaluates periodically like irlab train: eval_return every
// eval_every rollouts and at the end, in metrics.csv (a column from the first
// evaluation on) and metrics.jsonl; eval.json holds the final one.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "algos/ppo/ppo.h"
#include "core/files.h"
#include "core/json.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

TEST(TrainExpertTest, EvaluatesEveryEvalEveryRolloutsAndAtTheEnd) {
  const fs::path dir = fs::temp_directory_path() / "irlab_ppo_periodic_eval";
  fs::remove_all(dir);
  fs::create_directories(dir);
  PpoRunConfig cfg;
  cfg.env = "InvertedPendulum";
  cfg.num_envs = 2;
  cfg.threads = 1;
  cfg.total_steps = 640;  // 5 rollouts of 2 x 64 steps
  cfg.checkpoint_every = 640;
  cfg.eval_every = 2;
  cfg.eval_episodes = 2;
  cfg.ppo.rollout_steps = 64;
  cfg.ppo.minibatches = 4;
  cfg.ppo.epochs = 1;
  ASSERT_TRUE(TrainExpert(cfg, dir, false).ok());

  // metrics.csv: rollouts 2, 4 and the last (5) carry eval_return, the others an empty cell
  std::istringstream csv(*ReadFile(dir / "metrics.csv"));
  std::string header, line;
  std::getline(csv, header);
  std::vector<std::string> columns;
  std::istringstream h(header);
  for (std::string c; std::getline(h, c, ',');) columns.push_back(c);
  const size_t col = std::find(columns.begin(), columns.end(), "eval_return") - columns.begin();
  ASSERT_LT(col, columns.size()) << header;
  std::vector<std::string> evals;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::istringstream r(line);
    for (std::string c; std::getline(r, c, ',');) cells.push_back(c);
    cells.resize(columns.size());
    evals.push_back(cells[col]);
  }
  ASSERT_EQ(evals.size(), 5u);
  EXPECT_TRUE(evals[0].empty() && evals[2].empty()) << evals[0] << " " << evals[2];
  EXPECT_FALSE(evals[1].empty() || evals[3].empty() || evals[4].empty());
  auto eval = ReadJsonFile(dir / "eval.json");
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_EQ(std::stod(evals[4]), (*eval)["return_mean"].get<double>());  // full precision both
  fs::remove_all(dir);
}

}  // namespace
}  // namespace irlab
