// Task descriptions for the MuJoCo driver. Each returns a plain MujocoTask.
// `fixed_horizon` gives the seals-style variant: x (and y) position kept in
// the observation, no early termination, the same dynamics.
#pragma once

#include "envs/mujoco_env.h"

namespace irlab::tasks {

MujocoTask HalfCheetah(bool fixed_horizon);
MujocoTask Hopper(bool fixed_horizon);
MujocoTask Walker2d(bool fixed_horizon);
MujocoTask Ant(bool fixed_horizon);
MujocoTask Swimmer(bool fixed_horizon);
MujocoTask Humanoid(bool fixed_horizon);
MujocoTask InvertedPendulum();
MujocoTask Reacher();
// The AIRL transfer tasks.
MujocoTask CustomAnt();
MujocoTask DisabledAnt();
MujocoTask PointMaze(bool right);

}  // namespace irlab::tasks
