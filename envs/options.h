// Options an experiment may set on any task.
#pragma once

#include "core/config.h"

namespace irlab {

struct EnvOptions {
  int horizon = 0;                 // steps per episode; 0 keeps the task's own
  double reset_noise_scale = 1.0;  // multiplies the task's reset noise
  bool contact_forces = false;     // Ant: clipped cfrc_ext in obs (+84) and the contact cost;
                                   // Humanoid: the contact cost

  void Bind(ConfigBinder& b) {
    b.Field("horizon", horizon, "steps per episode; 0 keeps the task's own").Range(0, 1e7);
    b.Field("reset_noise_scale", reset_noise_scale, "multiplies the task's reset noise").Range(0, 100);
    b.Field("contact_forces", contact_forces, "Ant: contact forces in obs and contact cost");
  }
};

}  // namespace irlab
