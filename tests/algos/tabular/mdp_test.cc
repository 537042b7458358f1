// Bad input: clear errors, never a crash.
#include "algos/tabular/mdp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "algos/tabular/deep_maxent_irl.h"
#include "algos/tabular/demos.h"
#include "algos/tabular/gridworld.h"
#include "algos/tabular/max_margin.h"
#include "algos/tabular/maxent_irl.h"
#include "algos/tabular/projection.h"

namespace irlab::tabular {
namespace {

// Whether the error message of `status` contains `text`.
bool Mentions(const absl::Status& status, const std::string& text) {
  return std::string(status.message()).find(text) != std::string::npos;
}

const std::vector<double> kGoodTransition = {1.0, 0.0, 0.0, 1.0,   // s = 0
                                             1.0, 0.0, 0.0, 1.0};  // s = 1

TEST(MdpTest, BuildsSparseRowsFromADenseMatrix) {
  auto mdp = MdpFromDense(2, 2, 3, kGoodTransition, {0.5, 0.5}, 1, {0, 0, 1, 1});
  ASSERT_TRUE(mdp.ok()) << mdp.status();
  EXPECT_EQ(mdp->row_begin, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(mdp->next_state, (std::vector<int>{0, 1, 0, 1}));
  std::vector<double> reward;
  LinearReward(*mdp, {2.0}, &reward);
  EXPECT_EQ(reward, (std::vector<double>{0, 0, 2, 2}));
  EXPECT_EQ(FeatureExpectation(*mdp, {1, 0, 0, 3}), (std::vector<double>{3.0}));
}

TEST(MdpTest, RejectsRowsThatDoNotSumToOne) {
  std::vector<double> bad = kGoodTransition;
  bad[2 * 2 + 1] = 0.9;  // P(.|s=1, a=0) sums to 1.9
  auto mdp = MdpFromDense(2, 2, 3, bad, {0.5, 0.5}, 1, {0, 0, 1, 1});
  ASSERT_FALSE(mdp.ok());
  EXPECT_EQ(mdp.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Mentions(mdp.status(), "P(.|s=1,a=0) sums to 1.9")) << mdp.status();

  bad = kGoodTransition;
  bad[0] = -0.5;
  bad[1] = 1.5;
  EXPECT_FALSE(MdpFromDense(2, 2, 3, bad, {0.5, 0.5}, 1, {0, 0, 1, 1}).ok());
  EXPECT_FALSE(MdpFromDense(2, 2, 3, kGoodTransition, {0.5, 0.6}, 1, {0, 0, 1, 1}).ok());
  EXPECT_FALSE(MdpFromDense(2, 2, 3, {1.0, 0.0}, {0.5, 0.5}, 1, {0, 0, 1, 1}).ok());
  EXPECT_FALSE(MdpFromDense(2, 2, 3, kGoodTransition, {0.5, 0.5}, 1, {0, 0, 1}).ok());
  EXPECT_FALSE(MdpFromDense(2, 2, 3, kGoodTransition, {0.5, 0.5}, 1, {0, 0, NAN, 1}).ok());
}

TEST(MdpTest, RejectsAHorizonOfZero) {
  auto mdp = MdpFromDense(2, 2, 0, kGoodTransition, {0.5, 0.5}, 1, {0, 0, 1, 1});
  ASSERT_FALSE(mdp.ok());
  EXPECT_TRUE(Mentions(mdp.status(), "horizon must be >= 1, got 0")) << mdp.status();
}

TEST(MdpTest, RejectsSuccessorsOutOfRange) {
  GridWorldConfig config;
  config.size = 3;
  auto task = MakeGridWorld(config, 0);
  ASSERT_TRUE(task.ok());
  Mdp mdp = task->mdp;
  mdp.next_state[4] = 9;
  EXPECT_TRUE(Mentions(ValidateMdp(mdp), "outside [0, 9)")) << ValidateMdp(mdp);
}

class BadDemosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GridWorldConfig config;
    config.size = 3;
    config.horizon = 3;
    config.slip = 0.0;
    auto task = MakeGridWorld(config, 0);
    ASSERT_TRUE(task.ok());
    mdp_ = task->mdp;
    // (0,0) -right-> (1,0) -up-> (1,1), then stay
    good_ = {{0, 1, 4}, {0, 1, 4}};
  }

  // Every algorithm refuses `demos` with an error containing `message`.
  void ExpectRejected(const std::vector<Trajectory>& demos, const std::string& message) {
    const absl::Status status = ValidateDemos(mdp_, demos);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Mentions(status, message)) << status;
    EXPECT_EQ(MaxEntIrl(mdp_, demos, {}).status(), status);
    EXPECT_EQ(DeepMaxEntIrl(mdp_, demos, {}, 0).status(), status);
    EXPECT_EQ(ProjectionIrl(mdp_, demos, {}).status(), status);
    EXPECT_EQ(MaxMarginIrl(mdp_, demos, {}).status(), status);
  }

  Mdp mdp_;
  Trajectory good_;
};

TEST_F(BadDemosTest, AcceptsAValidDemo) { EXPECT_TRUE(ValidateDemos(mdp_, {good_}).ok()); }

TEST_F(BadDemosTest, RejectsOutOfRangeStates) {
  Trajectory bad = good_;
  bad.states[2] = 9;
  ExpectRejected({good_, bad}, "demo 1 step 2: state 9 outside [0, 9)");
  bad.states[2] = -1;
  ExpectRejected({bad}, "state -1 outside");
}

TEST_F(BadDemosTest, RejectsOutOfRangeActions) {
  Trajectory bad = good_;
  bad.actions[0] = 5;
  ExpectRejected({bad}, "demo 0 step 0: action 5 outside [0, 5)");
  bad.actions[0] = -2;
  ExpectRejected({bad}, "action -2 outside");
}

TEST_F(BadDemosTest, RejectsWrongLengthsImpossibleMovesAndNoDemos) {
  Trajectory short_demo = good_;
  short_demo.actions.pop_back();
  ExpectRejected({short_demo}, "want the horizon 3");
  Trajectory teleport = good_;
  teleport.states[1] = 8;
  ExpectRejected({teleport}, "state 0 action 0 cannot lead to state 8");
  ExpectRejected({}, "there are none");
}

}  // namespace
}  // namespace irlab::tabular
