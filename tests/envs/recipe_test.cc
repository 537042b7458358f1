// The README's recipe for a task options cannot express, verbatim: one
// function returning a MujocoTask (here with an inline model instead of a file
// in assets/mjcf), run by the same driver as every built-in task.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "envs/model_library.h"
#include "envs/mujoco_env.h"

namespace irlab {
namespace {

// A slider pushed towards x = 1: reward -|x - 1| - 0.01 |a|^2, done within 5 cm.
constexpr char kSliderXml[] = R"(
<mujoco model="slider">
  <option timestep="0.01"/>
  <worldbody>
    <body name="cart">
      <joint name="x" type="slide" axis="1 0 0" damping="1"/>
      <geom type="box" size="0.1 0.1 0.1" mass="1"/>
    </body>
  </worldbody>
  <actuator><motor joint="x" gear="5" ctrlrange="-1 1" ctrllimited="true"/></actuator>
</mujoco>)";

MujocoTask SliderToOne() {
  MujocoTask t;
  t.name = "SliderToOne";
  t.model_file = "slider.xml";  // assets/mjcf/slider.xml in a real task
  t.frame_skip = 5;
  t.horizon = 200;
  t.position = [](const mjModel*, const mjData* d) {
    return std::array<double, 2>{d->qpos[0], 0.0};
  };
  t.obs_dim = [](const mjModel* m, const EnvOptions&) { return m->nq + m->nv; };
  t.observe = [](const mjModel* m, const mjData* d, const EnvOptions&, float* obs) {
    obs = task_util::Put(obs, d->qpos, m->nq);
    task_util::Put(obs, d->qvel, m->nv);
  };
  t.reward = [](const StepContext& c, StepResult& r) {
    const double distance = std::abs(c.d->qpos[0] - 1.0);
    const double ctrl = 0.01 * task_util::SquaredNorm(c.action);
    r.info.terms.Add("distance", -distance);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.reward = -distance - ctrl;
    r.terminated = distance < 0.05;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    task_util::AddUniformNoise(d->qpos, m->nq, 0.1 * scale, rng);
  };
  return t;
}

TEST(RecipeTest, ANewTaskRunsInTheDriver) {
  auto model = CompileModel(kSliderXml, "slider.xml");
  ASSERT_TRUE(model.ok()) << model.status();
  MujocoEnv env(SliderToOne(), *model, {});
  EXPECT_EQ(env.spec().obs_dim, 2);
  EXPECT_EQ(env.spec().act_dim, 1);
  EXPECT_EQ(env.spec().horizon, 200);
  EXPECT_DOUBLE_EQ(env.spec().dt, 0.05);
  std::vector<float> obs(2);
  env.Reset(1, obs);
  EXPECT_LT(std::abs(obs[0]), 0.1f);
  // pushing right reaches x = 1 and ends the episode there (terminated, not truncated)
  bool terminated = false;
  int steps = 0;
  double last_reward = -10;
  for (; steps < 200 && !terminated; ++steps) {
    const float push = std::clamp(3.0f * (1.0f - obs[0]) - obs[1], -1.0f, 1.0f);  // a PD controller
    auto r = env.Step(std::vector<float>{push}, obs);
    ASSERT_TRUE(r.ok());
    terminated = r->terminated;
    EXPECT_FALSE(r->truncated);
    last_reward = r->reward;
  }
  EXPECT_TRUE(terminated) << "x = " << obs[0];
  EXPECT_GT(last_reward, -0.1);
}

}  // namespace
}  // namespace irlab
