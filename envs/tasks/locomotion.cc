// HalfCheetah, Hopper, Walker2d, Ant, Swimmer and Humanoid with Gymnasium v4
// semantics, and their fixed-horizon variants. The reward weights, healthy
// ranges, termination and observed positions are Gymnasium v5's options
// (EnvOptions), each defaulting to the task's own value written here.
#include <cmath>

#include "envs/tasks/tasks.h"

namespace irlab::tasks {
namespace {

using task_util::AddNormalNoise;
using task_util::AddUniformNoise;
using task_util::AllFinite;
using task_util::Put;
using task_util::PutClipped;
using task_util::SquaredNorm;

// An option's value, or the task's own when it is unset.
double Or(const std::optional<double>& value, double task_default) {
  return value ? *value : task_default;
}
double Lo(const std::vector<double>& range, double task_default) {
  return range.empty() ? task_default : range[0];
}
double Hi(const std::vector<double>& range, double task_default) {
  return range.empty() ? task_default : range[1];
}

// Position entries left out of the observation: `root` (x, or x and y) unless
// the variant has a fixed horizon or exclude_current_positions_from_observation is off.
int Skip(bool fixed_horizon, int root, const EnvOptions& o) {
  return fixed_horizon || !o.exclude_current_positions_from_observation ? 0 : root;
}

const std::vector<std::string> kWalkerParameters = {"forward_reward_weight",
                                                    "ctrl_cost_weight",
                                                    "healthy_reward",
                                                    "terminate_when_unhealthy",
                                                    "healthy_z_range",
                                                    "healthy_angle_range",
                                                    "exclude_current_positions_from_observation"};

std::array<double, 2> RootXZ(const mjModel*, const mjData* d) { return {d->qpos[0], 0.0}; }
std::array<double, 2> RootXY(const mjModel*, const mjData* d) { return {d->qpos[0], d->qpos[1]}; }

// Observation of the planar walkers: qpos without x (unless fixed horizon),
// then qvel, clipped to ±vel_clip when vel_clip > 0.
MujocoTask PlanarWalker(std::string name, std::string file, int frame_skip, bool fixed_horizon,
                        double vel_clip) {
  MujocoTask t;
  t.name = std::move(name);
  t.model_file = std::move(file);
  t.frame_skip = frame_skip;
  t.position = RootXZ;
  t.obs_dim = [fixed_horizon](const mjModel* m, const EnvOptions& o) {
    return m->nq - Skip(fixed_horizon, 1, o) + m->nv;
  };
  t.observe = [fixed_horizon, vel_clip](const mjModel* m, const mjData* d, const EnvOptions& o,
                                        float* obs) {
    const int skip = Skip(fixed_horizon, 1, o);
    obs = Put(obs, d->qpos + skip, m->nq - skip);
    if (vel_clip > 0) {
      PutClipped(obs, d->qvel, m->nv, vel_clip);
    } else {
      Put(obs, d->qvel, m->nv);
    }
  };
  return t;
}

// When Hopper and Walker2d are healthy (the task's own ranges, which
// healthy_z_range and healthy_angle_range override).
struct HealthyRanges {
  std::array<double, 2> z, angle;  // torso height and angle, open intervals
  bool bounded_state = false;      // and every qpos but x and z, and qvel, below 100 in magnitude
};

// Hopper and Walker2d: an alive bonus while healthy, forward velocity and a
// control cost; they end when unhealthy (unless fixed horizon or
// terminate_when_unhealthy is off). Reset noise uniform ±5e-3.
MujocoTask HoppingWalker(std::string name, std::string file, bool fixed_horizon, HealthyRanges h) {
  MujocoTask t = PlanarWalker(std::move(name), std::move(file), 4, fixed_horizon, 10.0);
  t.parameters = kWalkerParameters;
  t.reward = [fixed_horizon, h](const StepContext& c, StepResult& r) {
    const mjData* d = c.d;
    const EnvOptions& o = c.options;
    const double z = d->qpos[1], angle = d->qpos[2];
    bool healthy = z > Lo(o.healthy_z_range, h.z[0]) && z < Hi(o.healthy_z_range, h.z[1]) &&
                   angle > Lo(o.healthy_angle_range, h.angle[0]) &&
                   angle < Hi(o.healthy_angle_range, h.angle[1]);
    if (h.bounded_state) {
      for (int i = 2; i < c.m->nq; ++i) healthy &= std::abs(d->qpos[i]) < 100;
      for (int i = 0; i < c.m->nv; ++i) healthy &= std::abs(d->qvel[i]) < 100;
    }
    const double forward =
        Or(o.forward_reward_weight, 1.0) * ((c.xy_after[0] - c.xy_before[0]) / c.dt);
    const double ctrl = Or(o.ctrl_cost_weight, 1e-3) * SquaredNorm(c.action);
    const double alive = healthy ? Or(o.healthy_reward, 1.0) : 0.0;
    r.info.terms.Add("healthy", alive);
    r.info.terms.Add("forward", forward);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.reward = alive + forward - ctrl;
    r.terminated = !healthy && !fixed_horizon && o.terminate_when_unhealthy;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 5e-3 * scale, rng);
    AddUniformNoise(d->qvel, m->nv, 5e-3 * scale, rng);
  };
  return t;
}

}  // namespace

MujocoTask HalfCheetah(bool fixed_horizon) {
  MujocoTask t = PlanarWalker(fixed_horizon ? "HalfCheetahFixed" : "HalfCheetah",
                              "half_cheetah.xml", 5, fixed_horizon, 0);
  t.parameters = {"forward_reward_weight", "ctrl_cost_weight",
                  "exclude_current_positions_from_observation"};
  t.reward = [](const StepContext& c, StepResult& r) {
    const double forward =
        Or(c.options.forward_reward_weight, 1.0) * ((c.xy_after[0] - c.xy_before[0]) / c.dt);
    const double ctrl = Or(c.options.ctrl_cost_weight, 0.1) * SquaredNorm(c.action);
    r.info.terms.Add("forward", forward);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.reward = forward - ctrl;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 0.1 * scale, rng);
    AddNormalNoise(d->qvel, m->nv, 0.1 * scale, rng);
  };
  return t;
}

MujocoTask Hopper(bool fixed_horizon) {
  return HoppingWalker(fixed_horizon ? "HopperFixed" : "Hopper", "hopper.xml", fixed_horizon,
                       {.z = {0.7, INFINITY}, .angle = {-0.2, 0.2}, .bounded_state = true});
}

MujocoTask Walker2d(bool fixed_horizon) {
  return HoppingWalker(fixed_horizon ? "Walker2dFixed" : "Walker2d", "walker2d.xml", fixed_horizon,
                       {.z = {0.8, 2.0}, .angle = {-1.0, 1.0}});
}

MujocoTask Ant(bool fixed_horizon) {
  MujocoTask t;
  t.name = fixed_horizon ? "AntFixed" : "Ant";
  t.model_file = "ant.xml";
  t.frame_skip = 5;
  t.position = RootXY;  // the torso is a sphere centred on the free joint
  t.needs_contact_forces = [](const EnvOptions& o) { return o.contact_forces; };
  t.parameters = {"forward_reward_weight",
                  "ctrl_cost_weight",
                  "contact_cost_weight",
                  "healthy_reward",
                  "terminate_when_unhealthy",
                  "healthy_z_range",
                  "exclude_current_positions_from_observation"};
  t.obs_dim = [fixed_horizon](const mjModel* m, const EnvOptions& o) {
    return m->nq - Skip(fixed_horizon, 2, o) + m->nv + (o.contact_forces ? 6 * m->nbody : 0);
  };
  t.observe = [fixed_horizon](const mjModel* m, const mjData* d, const EnvOptions& o, float* obs) {
    const int skip = Skip(fixed_horizon, 2, o);
    obs = Put(obs, d->qpos + skip, m->nq - skip);
    obs = Put(obs, d->qvel, m->nv);
    if (o.contact_forces) PutClipped(obs, d->cfrc_ext, 6 * m->nbody, 1.0);
  };
  t.reward = [fixed_horizon](const StepContext& c, StepResult& r) {
    const EnvOptions& o = c.options;
    const double z = c.d->qpos[2];
    const bool healthy = AllFinite(c.d->qpos, c.m->nq) && AllFinite(c.d->qvel, c.m->nv) &&
                         z >= Lo(o.healthy_z_range, 0.2) && z <= Hi(o.healthy_z_range, 1.0);
    const double forward =
        Or(o.forward_reward_weight, 1.0) * ((c.xy_after[0] - c.xy_before[0]) / c.dt);
    const double ctrl = Or(o.ctrl_cost_weight, 0.5) * SquaredNorm(c.action);
    double contact = 0;
    if (o.contact_forces) {
      const double weight = Or(o.contact_cost_weight, 5e-4);
      for (int i = 0; i < 6 * c.m->nbody; ++i) {
        const double f = std::clamp(c.d->cfrc_ext[i], -1.0, 1.0);
        contact += weight * f * f;
      }
    }
    const double alive = healthy ? Or(o.healthy_reward, 1.0) : 0.0;
    r.info.terms.Add("healthy", alive);
    r.info.terms.Add("forward", forward);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.info.terms.Add("contact_cost", -contact);
    r.reward = alive + forward - ctrl - contact;
    r.terminated = !healthy && !fixed_horizon && o.terminate_when_unhealthy;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 0.1 * scale, rng);
    AddNormalNoise(d->qvel, m->nv, 0.1 * scale, rng);
  };
  return t;
}

MujocoTask Swimmer(bool fixed_horizon) {
  MujocoTask t;
  t.name = fixed_horizon ? "SwimmerFixed" : "Swimmer";
  t.model_file = "swimmer.xml";
  t.frame_skip = 4;
  t.position = RootXY;
  t.parameters = {"forward_reward_weight", "ctrl_cost_weight",
                  "exclude_current_positions_from_observation"};
  t.obs_dim = [fixed_horizon](const mjModel* m, const EnvOptions& o) {
    return m->nq - Skip(fixed_horizon, 2, o) + m->nv;
  };
  t.observe = [fixed_horizon](const mjModel* m, const mjData* d, const EnvOptions& o, float* obs) {
    const int skip = Skip(fixed_horizon, 2, o);
    obs = Put(obs, d->qpos + skip, m->nq - skip);
    Put(obs, d->qvel, m->nv);
  };
  t.reward = [](const StepContext& c, StepResult& r) {
    const double forward =
        Or(c.options.forward_reward_weight, 1.0) * ((c.xy_after[0] - c.xy_before[0]) / c.dt);
    const double ctrl = Or(c.options.ctrl_cost_weight, 1e-4) * SquaredNorm(c.action);
    r.info.terms.Add("forward", forward);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.reward = forward - ctrl;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 0.1 * scale, rng);
    AddUniformNoise(d->qvel, m->nv, 0.1 * scale, rng);
  };
  return t;
}

MujocoTask Humanoid(bool fixed_horizon) {
  MujocoTask t;
  t.name = fixed_horizon ? "HumanoidFixed" : "Humanoid";
  t.model_file = "humanoid.xml";
  t.frame_skip = 5;
  t.refresh_derived = true;  // com, cinert, cvel of the new state
  t.needs_contact_forces = [](const EnvOptions&) { return true; };  // cfrc_ext is in obs
  t.position = task_util::CenterOfMass;
  t.parameters = {"forward_reward_weight",
                  "ctrl_cost_weight",
                  "contact_cost_weight",
                  "healthy_reward",
                  "terminate_when_unhealthy",
                  "healthy_z_range",
                  "exclude_current_positions_from_observation"};
  t.obs_dim = [fixed_horizon](const mjModel* m, const EnvOptions& o) {
    return (m->nq - Skip(fixed_horizon, 2, o)) + m->nv + 10 * m->nbody + 6 * m->nbody + m->nv +
           6 * m->nbody;
  };
  t.observe = [fixed_horizon](const mjModel* m, const mjData* d, const EnvOptions& o, float* obs) {
    const int skip = Skip(fixed_horizon, 2, o);
    obs = Put(obs, d->qpos + skip, m->nq - skip);
    obs = Put(obs, d->qvel, m->nv);
    obs = Put(obs, d->cinert, 10 * m->nbody);
    obs = Put(obs, d->cvel, 6 * m->nbody);
    obs = Put(obs, d->qfrc_actuator, m->nv);
    Put(obs, d->cfrc_ext, 6 * m->nbody);
  };
  t.reward = [fixed_horizon](const StepContext& c, StepResult& r) {
    const EnvOptions& o = c.options;
    const double z = c.d->qpos[2];
    const bool healthy = z > Lo(o.healthy_z_range, 1.0) && z < Hi(o.healthy_z_range, 2.0);
    const double forward =
        Or(o.forward_reward_weight, 1.25) * ((c.xy_after[0] - c.xy_before[0]) / c.dt);
    const double ctrl = Or(o.ctrl_cost_weight, 0.1) * SquaredNorm(c.action);
    double contact = 0;
    if (o.contact_forces) {
      for (int i = 0; i < 6 * c.m->nbody; ++i) contact += c.d->cfrc_ext[i] * c.d->cfrc_ext[i];
      contact = std::min(Or(o.contact_cost_weight, 5e-7) * contact, 10.0);
    }
    const double alive = healthy ? Or(o.healthy_reward, 5.0) : 0.0;
    r.info.terms.Add("healthy", alive);
    r.info.terms.Add("forward", forward);
    r.info.terms.Add("ctrl_cost", -ctrl);
    r.info.terms.Add("contact_cost", -contact);
    r.reward = alive + forward - ctrl - contact;
    r.terminated = !healthy && !fixed_horizon && o.terminate_when_unhealthy;
  };
  t.reset = [](const mjModel* m, mjData* d, double scale, Rng& rng) {
    AddUniformNoise(d->qpos, m->nq, 1e-2 * scale, rng);
    AddUniformNoise(d->qvel, m->nv, 1e-2 * scale, rng);
  };
  return t;
}

}  // namespace irlab::tasks
