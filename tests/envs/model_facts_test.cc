// The compiled models have the physical facts of envs.md.
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <cmath>
#include <numbers>

#include "envs/model_library.h"

namespace irlab {
namespace {

constexpr double kDeg = std::numbers::pi / 180;

struct JointRange {
  const char* joint;
  double lo, hi;
};

struct ModelFacts {
  const char* file;
  double timestep;
  int integrator;
  int nq, nv, nu;
  double total_mass, mass_tol;
  std::vector<double> gears;
  std::vector<JointRange> ranges;
};

void ExpectFacts(const ModelFacts& f) {
  SCOPED_TRACE(f.file);
  auto model = LoadModel(f.file);
  ASSERT_TRUE(model.ok()) << model.status();
  const mjModel* m = model->get();
  EXPECT_DOUBLE_EQ(m->opt.timestep, f.timestep);
  EXPECT_EQ(m->opt.integrator, f.integrator);
  EXPECT_EQ(m->nq, f.nq);
  EXPECT_EQ(m->nv, f.nv);
  EXPECT_EQ(m->nu, f.nu);
  EXPECT_NEAR(mj_getTotalmass(m), f.total_mass, f.mass_tol);
  ASSERT_EQ(static_cast<int>(f.gears.size()), m->nu);
  for (int i = 0; i < m->nu; ++i) EXPECT_DOUBLE_EQ(m->actuator_gear[6 * i], f.gears[i]) << i;
  for (const auto& r : f.ranges) {
    const int j = mj_name2id(m, mjOBJ_JOINT, r.joint);
    ASSERT_GE(j, 0) << r.joint;
    EXPECT_TRUE(m->jnt_limited[j]) << r.joint;
    EXPECT_NEAR(m->jnt_range[2 * j], r.lo, 1e-6) << r.joint;
    EXPECT_NEAR(m->jnt_range[2 * j + 1], r.hi, 1e-6) << r.joint;
  }
}

TEST(ModelFactsTest, HalfCheetah) {
  ExpectFacts({"half_cheetah.xml",
               0.01,
               mjINT_EULER,
               9,
               9,
               6,
               14.0,
               1e-9,
               {120, 90, 60, 120, 60, 30},
               {{"bthigh", -0.52, 1.05},
                {"bshin", -0.785, 0.785},
                {"bfoot", -0.4, 0.785},
                {"fthigh", -1, 0.7},
                {"fshin", -1.2, 0.87},
                {"ffoot", -0.5, 0.5}}});
  auto m = *LoadModel("half_cheetah.xml");
  const struct {
    const char* joint;
    double stiffness, damping;
  } springs[] = {{"bthigh", 240, 6},   {"bshin", 180, 4.5}, {"bfoot", 120, 3},
                 {"fthigh", 180, 4.5}, {"fshin", 120, 3},   {"ffoot", 60, 1.5}};
  for (const auto& s : springs) {
    const int j = mj_name2id(m.get(), mjOBJ_JOINT, s.joint);
    EXPECT_DOUBLE_EQ(m->jnt_stiffness[j], s.stiffness) << s.joint;
    EXPECT_DOUBLE_EQ(m->dof_damping[m->jnt_dofadr[j]], s.damping) << s.joint;
    EXPECT_DOUBLE_EQ(m->dof_armature[m->jnt_dofadr[j]], 0.1) << s.joint;
  }
}

TEST(ModelFactsTest, Hopper) {
  ExpectFacts({"hopper.xml",
               0.002,
               mjINT_RK4,
               6,
               6,
               3,
               15.82,
               0.01,
               {200, 200, 200},
               {{"thigh_joint", -150 * kDeg, 0},
                {"leg_joint", -150 * kDeg, 0},
                {"foot_joint", -45 * kDeg, 45 * kDeg}}});
}

TEST(ModelFactsTest, Walker2d) {
  ExpectFacts({"walker2d.xml",
               0.002,
               mjINT_RK4,
               9,
               9,
               6,
               23.68,
               0.01,
               {100, 100, 100, 100, 100, 100},
               {{"thigh_joint", -150 * kDeg, 0},
                {"leg_joint", -150 * kDeg, 0},
                {"foot_joint", -45 * kDeg, 45 * kDeg},
                {"thigh_left_joint", -150 * kDeg, 0},
                {"leg_left_joint", -150 * kDeg, 0},
                {"foot_left_joint", -45 * kDeg, 45 * kDeg}}});
}

TEST(ModelFactsTest, Ant) {
  ExpectFacts({"ant.xml",
               0.01,
               mjINT_RK4,
               15,
               14,
               8,
               0.911,
               0.005,
               std::vector<double>(8, 150),
               {{"hip_1", -30 * kDeg, 30 * kDeg},
                {"ankle_1", 30 * kDeg, 70 * kDeg},
                {"hip_2", -30 * kDeg, 30 * kDeg},
                {"ankle_2", -70 * kDeg, -30 * kDeg},
                {"hip_3", -30 * kDeg, 30 * kDeg},
                {"ankle_3", -70 * kDeg, -30 * kDeg},
                {"hip_4", -30 * kDeg, 30 * kDeg},
                {"ankle_4", 30 * kDeg, 70 * kDeg}}});
  EXPECT_EQ((*LoadModel("ant.xml"))->nbody, 14);  // cfrc_ext in obs is 14 x 6 = 84
}

TEST(ModelFactsTest, Swimmer) {
  auto m = *LoadModel("swimmer.xml");
  EXPECT_DOUBLE_EQ(m->opt.viscosity, 0.1);
  ExpectFacts({"swimmer.xml",
               0.01,
               mjINT_RK4,
               5,
               5,
               2,
               106.8,
               0.1,
               {150, 150},
               {{"motor1_rot", -100 * kDeg, 100 * kDeg}, {"motor2_rot", -100 * kDeg, 100 * kDeg}}});
}

TEST(ModelFactsTest, TransferAnts) {
  auto custom = *LoadModel("custom_ant.xml");
  auto disabled = *LoadModel("disabled_ant.xml");
  for (const mjModel* m : {custom.get(), disabled.get()}) {
    EXPECT_EQ(m->nq, 15);
    EXPECT_EQ(m->nv, 14);
    EXPECT_EQ(m->nu, 8);
    EXPECT_EQ(m->nbody, 14);
  }
  for (int i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(custom->actuator_gear[6 * i], 30);
  // two legs crippled: their four actuators have gear 1, the others keep 30
  int weak = 0;
  for (int i = 0; i < 8; ++i) weak += disabled->actuator_gear[6 * i] == 1;
  EXPECT_EQ(weak, 4);
  EXPECT_LT(mj_getTotalmass(disabled.get()), mj_getTotalmass(custom.get()));  // shorter legs
}

TEST(ModelFactsTest, OtherModels) {
  auto ip = *LoadModel("inverted_pendulum.xml");
  EXPECT_DOUBLE_EQ(ip->opt.timestep, 0.02);
  EXPECT_EQ(ip->nq, 2);
  auto reacher = *LoadModel("reacher.xml");
  EXPECT_DOUBLE_EQ(reacher->opt.timestep, 0.01);
  EXPECT_EQ(reacher->nq, 4);
  auto humanoid = *LoadModel("humanoid.xml");
  EXPECT_DOUBLE_EQ(humanoid->opt.timestep, 0.003);
  EXPECT_EQ(humanoid->nq, 24);
  EXPECT_EQ(humanoid->nv, 23);
  EXPECT_EQ(humanoid->nu, 17);
  EXPECT_EQ(humanoid->nbody, 14);
  for (const char* file : {"point_maze_left.xml", "point_maze_right.xml"}) {
    auto m = *LoadModel(file);
    EXPECT_DOUBLE_EQ(m->opt.timestep, 0.01) << file;
    EXPECT_EQ(m->opt.integrator, mjINT_EULER) << file;
    EXPECT_EQ(m->opt.gravity[2], 0.0) << file;
    EXPECT_EQ(m->nq, 2) << file;
  }
}

TEST(ModelLibraryTest, BadMjcfIsAClearError) {
  auto bad = CompileModel(
      "<mujoco><worldbody><body><geom type='nonsense'/></body></worldbody></mujoco>", "broken.xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("broken.xml"), std::string::npos) << bad.status();
  EXPECT_FALSE(LoadModel("missing.xml").ok());
}

}  // namespace
}  // namespace irlab
