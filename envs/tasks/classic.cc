// InvertedPendulum and Reacher (Gymnasium v4 semantics, facts in envs.md).
#include <cmath>

#include "envs/tasks/tasks.h"

namespace irlab::tasks {

using task_util::AddUniformNoise;
using task_util::AllFinite;
using task_util::Put;
using task_util::SquaredNorm;

MujocoTask InvertedPendulum() {
  MujocoTask t;
  t.name = "InvertedPendulum";
  t.model_file = "inverted_pendulum.xml";
  t.frame_skip = 2;
  t.position = [](const mjModel*, const mjData* d) { return std::array<double, 2>{d->qpos[0], 0}; };
  t.obs_dim = [](const mjModel* m, const EnvOptions&) { return m->nq + m->nv; };
  t.observe = [](const mjModel* m, const mjData* d, const EnvOptions&, float* obs) {
    obs = Put(obs, d->qpos, m->nq);
    Put(obs, d->qvel, m->nv);
  };
  t.reward = [](const StepContext& c, StepResult& r) {
    r.info.terms.Add("alive", 1.0);
    r.reward = 1.0;
    const bool finite = AllFinite(c.d->qpos, c.m->nq) && AllFinite(c.d->qvel, c.m->nv);
    r.terminated = !finite || std::abs(c.d->qpos[1]) > 0.2;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 0.01 * scale, rng);
    AddUniformNoise(d->qvel, m->nv, 0.01 * scale, rng);
  };
  return t;
}

MujocoTask Reacher() {
  MujocoTask t;
  t.name = "Reacher";
  t.model_file = "reacher.xml";
  t.frame_skip = 2;
  t.horizon = 50;
  t.refresh_derived = true;  // fingertip position of the new state
  t.position = [](const mjModel* m, const mjData* d) {
    const int tip = mj_name2id(m, mjOBJ_BODY, "fingertip");
    return std::array<double, 2>{d->xpos[3 * tip], d->xpos[3 * tip + 1]};
  };
  t.obs_dim = [](const mjModel*, const EnvOptions&) { return 11; };
  t.observe = [](const mjModel* m, const mjData* d, const EnvOptions&, float* obs) {
    const int tip = mj_name2id(m, mjOBJ_BODY, "fingertip");
    const int target = mj_name2id(m, mjOBJ_BODY, "target");
    for (int i = 0; i < 2; ++i) *obs++ = static_cast<float>(std::cos(d->qpos[i]));
    for (int i = 0; i < 2; ++i) *obs++ = static_cast<float>(std::sin(d->qpos[i]));
    obs = Put(obs, d->qpos + 2, 2);  // target x, y
    obs = Put(obs, d->qvel, 2);
    for (int i = 0; i < 3; ++i)
      *obs++ = static_cast<float>(d->xpos[3 * tip + i] - d->xpos[3 * target + i]);
  };
  // distance of the fingertip to the target after the step, and a control cost
  t.reward = [](const StepContext& c, StepResult& r) {
    const int tip = mj_name2id(c.m, mjOBJ_BODY, "fingertip");
    const int target = mj_name2id(c.m, mjOBJ_BODY, "target");
    double dist2 = 0;
    for (int i = 0; i < 3; ++i) {
      const double delta = c.d->xpos[3 * tip + i] - c.d->xpos[3 * target + i];
      dist2 += delta * delta;
    }
    const double ctrl = SquaredNorm(c.action);
    r.info.terms.Add("distance", -std::sqrt(dist2));
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.reward = -std::sqrt(dist2) - ctrl;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 0.1 * scale, rng);
    double gx, gy;
    do {
      gx = rng.Uniform(-0.2, 0.2);
      gy = rng.Uniform(-0.2, 0.2);
    } while (std::hypot(gx, gy) >= 0.2);
    d->qpos[m->nq - 2] = gx;
    d->qpos[m->nq - 1] = gy;
    AddUniformNoise(d->qvel, m->nv, 0.005 * scale, rng);
    d->qvel[m->nv - 2] = d->qvel[m->nv - 1] = 0.0;
  };
  return t;
}

}  // namespace irlab::tasks
