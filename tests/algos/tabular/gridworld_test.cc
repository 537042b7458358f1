#include "algos/tabular/gridworld.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "algos/tabular/objectworld.h"

namespace irlab::tabular {
namespace {

// P(.|s,a) as a map from next state to probability.
std::map<int, double> Row(const Mdp& mdp, int s, int a) {
  std::map<int, double> row;
  const int sa = s * mdp.num_actions + a;
  for (int k = mdp.row_begin[sa]; k < mdp.row_begin[sa + 1]; ++k) {
    row[mdp.next_state[k]] += mdp.prob[k];
  }
  return row;
}

TEST(GridWorldTest, MovesSlipToRandomNeighboursAndWallsHold) {
  GridWorldConfig config;
  config.size = 3;
  config.slip = 0.4;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok()) << task.status();
  const Mdp& mdp = task->mdp;
  EXPECT_EQ(mdp.num_states, 9);
  EXPECT_EQ(mdp.num_actions, 5);
  // centre (1,1) = 4, moving right: 0.6 + 0.1 to 5, 0.1 to each other neighbour
  const auto right = Row(mdp, 4, 0);
  EXPECT_NEAR(right.at(5), 0.7, 1e-12);
  EXPECT_NEAR(right.at(7), 0.1, 1e-12);
  EXPECT_NEAR(right.at(3), 0.1, 1e-12);
  EXPECT_NEAR(right.at(1), 0.1, 1e-12);
  EXPECT_EQ(right.size(), 4u);
  // corner (0,0), moving left hits the wall: stays with 0.6 + 0.2 (left and down slips)
  const auto left = Row(mdp, 0, 2);
  EXPECT_NEAR(left.at(0), 0.8, 1e-12);
  EXPECT_NEAR(left.at(1), 0.1, 1e-12);
  EXPECT_NEAR(left.at(3), 0.1, 1e-12);
  // stay
  EXPECT_NEAR(Row(mdp, 4, 4).at(4), 0.6, 1e-12);
  // the goal reward: 1 in the far corner only
  EXPECT_EQ(task->true_reward[8 * 5 + 2], 1.0);
  EXPECT_EQ(task->true_reward[7 * 5 + 2], 0.0);
}

TEST(GridWorldTest, BlockFeaturesAndBadBlockSizes) {
  GridWorldConfig config;
  config.size = 4;
  config.features = "blocks";
  config.block = 2;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->mdp.feature_dim, 4);
  EXPECT_EQ(task->mdp.feature(5, 0)[0], 1.0);   // (1,1) lies in block 0
  EXPECT_EQ(task->mdp.feature(15, 3)[3], 1.0);  // (3,3) lies in block 3
  config.block = 3;
  EXPECT_FALSE(MakeGridWorld(config, 0).ok());
}

TEST(ObjectWorldTest, FeaturesAreDistancesAndTheRewardFollowsThem) {
  ObjectWorldConfig config;
  config.size = 16;
  config.placement_prob = 0.1;
  auto task = MakeObjectWorld(config, 2);
  ASSERT_TRUE(task.ok()) << task.status();
  const Mdp& mdp = task->mdp;
  ASSERT_EQ(mdp.feature_dim, 4);
  int positive = 0, negative = 0;
  for (int s = 0; s < mdp.num_states; ++s) {
    const double* f = mdp.feature(s, 0);
    const double expected = f[0] < 3 ? (f[1] < 2 ? 1.0 : -1.0) : 0.0;
    ASSERT_EQ(task->true_reward[s * mdp.num_actions], expected) << "state " << s;
    positive += expected > 0;
    negative += expected < 0;
  }
  EXPECT_GT(positive, 0);
  EXPECT_GT(negative, 0);
  // each object sits at distance 0 from its own inner colour
  for (const Marker& m : task->markers) EXPECT_EQ(mdp.feature(m.cell, 0)[m.kind], 0.0);

  // the same seed, the same world; discrete features are thresholds of the same distances
  config.features = "discrete";
  auto discrete = MakeObjectWorld(config, 2);
  ASSERT_TRUE(discrete.ok());
  EXPECT_EQ(discrete->true_reward, task->true_reward);
  EXPECT_EQ(discrete->mdp.feature_dim, 2 * 2 * 15);
  config.placement_prob = 0.0;
  EXPECT_FALSE(MakeObjectWorld(config, 2).ok());
}

}  // namespace
}  // namespace irlab::tabular
