// A demonstration file's metadata for a task: the sizes, action range, dt and
// horizon of its EnvSpec. Header-only, so data/ keeps no link dependency on
// envs/ (EnvSpec is a plain struct).
#pragma once

#include "data/demo_format.h"
#include "envs/env.h"

namespace irlab {

inline DemoMetadata TaskDemoMetadata(const EnvSpec& spec) {
  DemoMetadata m;
  m.task = spec.name;
  m.obs_dim = spec.obs_dim;
  m.act_dim = spec.act_dim;
  m.nq = spec.nq;
  m.nv = spec.nv;
  m.dt = spec.dt;
  m.horizon = spec.horizon;
  m.act_low = spec.act_low;
  m.act_high = spec.act_high;
  return m;
}

}  // namespace irlab
