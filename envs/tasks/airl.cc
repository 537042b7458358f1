// The AIRL paper's transfer tasks: CustomAnt / DisabledAnt and the point-mass
// mazes (facts in envs.md, from the original AIRL code).
#include <cmath>

#include "envs/tasks/tasks.h"

namespace irlab::tasks {
namespace {

using task_util::AddNormalNoise;
using task_util::AddUniformNoise;
using task_util::Put;
using task_util::PutClipped;
using task_util::SquaredNorm;

MujocoTask AirlAnt(std::string name, std::string file) {
  MujocoTask t;
  t.name = std::move(name);
  t.model_file = std::move(file);
  t.frame_skip = 5;
  t.horizon = 500;  // the paper's scripts; the original registration allows 1000
  t.needs_contact_forces = [](const EnvOptions&) { return true; };
  t.position = [](const mjModel*, const mjData* d) {
    return std::array<double, 2>{d->qpos[0], d->qpos[1]};
  };
  t.obs_dim = [](const mjModel* m, const EnvOptions&) {
    return (m->nq - 2) + m->nv + 6 * m->nbody;
  };
  t.observe = [](const mjModel* m, const mjData* d, const EnvOptions&, float* obs) {
    obs = Put(obs, d->qpos + 2, m->nq - 2);
    obs = Put(obs, d->qvel, m->nv);
    PutClipped(obs, d->cfrc_ext, 6 * m->nbody, 1.0);
  };
  // no early termination: a flipped ant pays -1 per step instead
  t.reward = [](const StepContext& c, StepResult& r) {
    const double forward = (c.xy_after[0] - c.xy_before[0]) / c.dt;
    const double ctrl = 0.01 * SquaredNorm(c.action);
    double contact = 0;
    for (int i = 0; i < 6 * c.m->nbody; ++i) {
      const double f = std::clamp(c.d->cfrc_ext[i], -1.0, 1.0);
      contact += 0.5e-3 * f * f;
    }
    const double flipped = c.d->qpos[2] < 0.2 ? -1.0 : 0.0;
    r.info.terms.Add("forward", forward);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.info.terms.Add("contact_cost", -contact);
    r.info.terms.Add("flipped", flipped);
    r.reward = forward - ctrl - contact + flipped;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 0.1 * scale, rng);
    AddNormalNoise(d->qvel, m->nv, 0.1 * scale, rng);
  };
  return t;
}

}  // namespace

MujocoTask CustomAnt() { return AirlAnt("CustomAnt", "custom_ant.xml"); }
MujocoTask DisabledAnt() { return AirlAnt("DisabledAnt", "disabled_ant.xml"); }

MujocoTask PointMaze(bool right) {
  MujocoTask t;
  t.name = right ? "PointMazeRight" : "PointMazeLeft";
  t.model_file = right ? "point_maze_right.xml" : "point_maze_left.xml";
  t.frame_skip = 5;
  t.horizon = 100;
  t.refresh_derived = true;  // body positions of the new state
  t.position = [](const mjModel* m, const mjData* d) {
    const int p = mj_name2id(m, mjOBJ_BODY, "particle");
    return std::array<double, 2>{d->xpos[3 * p], d->xpos[3 * p + 1]};
  };
  t.obs_dim = [](const mjModel*, const EnvOptions&) { return 3; };
  t.observe = [](const mjModel* m, const mjData* d, const EnvOptions&, float* obs) {
    Put(obs, d->xpos + 3 * mj_name2id(m, mjOBJ_BODY, "particle"), 3);
  };
  t.reward = [](const StepContext& c, StepResult& r) {
    const double* p = c.d->xpos + 3 * mj_name2id(c.m, mjOBJ_BODY, "particle");
    const double* g = c.d->xpos + 3 * mj_name2id(c.m, mjOBJ_BODY, "target");
    const double dist = std::sqrt((p[0] - g[0]) * (p[0] - g[0]) + (p[1] - g[1]) * (p[1] - g[1]) +
                                  (p[2] - g[2]) * (p[2] - g[2]));
    const double ctrl = 1e-3 * SquaredNorm(c.action);
    r.info.terms.Add("distance", -dist);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.reward = -dist - ctrl;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qvel, m->nv, 0.01 * scale, rng);
  };
  return t;
}

}  // namespace irlab::tasks
