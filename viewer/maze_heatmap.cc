#include "viewer/maze_heatmap.h"

#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <system_error>

#include "core/gnuplot.h"
#include "core/status.h"
#include "core/strings.h"
#include "envs/mujoco_env.h"
#include "envs/registry.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

// `text` as a gnuplot single-quoted string ('' stands for a quote inside).
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c == '\n' ? ' ' : c;
  }
  return out + "'";
}

std::string Script(const std::string& terminal, const fs::path& out, const std::string& task,
                   const MazeGrid& g, const std::string& learned_label) {
  const bool two = !g.learned_reward.empty();
  std::string s = GnuplotDatablock("truth", g.nx, g.true_reward);
  if (two) s += GnuplotDatablock("learned", g.nx, g.learned_reward);
  StrAppend(&s, "set terminal ", terminal, " size ", two ? 1100 : 600, ",520\n", "set output ",
            Quoted(out.string()), "\n");
  StrAppend(&s, "set multiplot layout 1,", two ? 2 : 1, " title ", Quoted(task), "\n");
  StrAppend(&s, "set size ratio -1\nunset key\nset tics out\nset xlabel 'x'\nset ylabel 'y'\n",
            "set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', "
            "1 '#fde725')\n");
  const double half = g.cell / 2;
  StrAppend(&s, "set xrange [", g.x0 - half, ":", g.x0 + (g.nx - 0.5) * g.cell, "]\n");
  StrAppend(&s, "set yrange [", g.y0 - half, ":", g.y0 + (g.ny - 0.5) * g.cell, "]\n");
  // walls as thick segments; start and target as labelled points
  int tag = 1;
  for (const auto& w : g.walls) {
    StrAppend(&s, "set arrow ", tag++, " from ", w[0], ",", w[1], " to ", w[2], ",", w[3],
              " nohead front lw 6 lc rgb '#d04080'\n");
  }
  StrAppend(&s, "set label 1 'start' at ", g.start[0], ",", g.start[1],
            " front point pt 7 ps 1.5 lc rgb 'white' offset 1,0 tc rgb 'white'\n");
  StrAppend(&s, "set label 2 'target' at ", g.target[0], ",", g.target[1],
            " front point pt 9 ps 2 lc rgb 'red' offset 1,0 tc rgb 'white'\n");
  const std::string coords =
      StrCat("using (", g.x0, "+$1*", g.cell, "):(", g.y0, "+$2*", g.cell, "):3 with image");
  StrAppend(&s, "set title 'true reward'\nplot $truth matrix ", coords, "\n");
  if (two) {
    StrAppend(&s, "set title ", Quoted(StrCat("learned reward: ", learned_label)),
              "\nplot $learned matrix ", coords, "\n");
  }
  return s + "unset multiplot\n";
}

}  // namespace

absl::StatusOr<MazeGrid> SampleMaze(const std::string& task, const DisplayedReward& learned,
                                    int cells) {
  if (cells < 2 || cells > 1000) {
    return absl::InvalidArgumentError(
        StrCat("heatmap grid of ", cells, " cells is outside 2..1000"));
  }
  IRLAB_ASSIGN_OR_RETURN(auto env, MakeEnv(task));
  const auto* maze = dynamic_cast<const MujocoEnv*>(env.get());
  const mjModel* m = maze ? maze->model() : nullptr;
  const int particle = m ? mj_name2id(m, mjOBJ_BODY, "particle") : -1;
  const int target = m ? mj_name2id(m, mjOBJ_BODY, "target") : -1;
  if (particle < 0 || target < 0 || m->nq != 2) {
    return absl::InvalidArgumentError(
        StrCat("task ", task, " is not a point maze (PointMazeLeft, PointMazeRight)"));
  }
  // geometry at the initial state
  MazeGrid g;
  mjData* d = mj_makeData(m);
  mj_forward(m, d);
  g.start = {d->xpos[3 * particle], d->xpos[3 * particle + 1]};
  g.target = {d->xpos[3 * target], d->xpos[3 * target + 1]};
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
  for (int i = 0; i < m->ngeom; ++i) {
    if (m->geom_type[i] != mjGEOM_CAPSULE || m->geom_bodyid[i] != 0 || m->geom_contype[i] == 0) {
      continue;
    }
    // a capsule's segment runs along its local z axis
    const double* c = d->geom_xpos + 3 * i;
    const double* r = d->geom_xmat + 9 * i;
    const double half = m->geom_size[3 * i + 1];
    const std::array<double, 4> w = {c[0] - half * r[2], c[1] - half * r[5], c[0] + half * r[2],
                                     c[1] + half * r[5]};
    g.walls.push_back(w);
    g.wall_width = 2 * m->geom_size[3 * i];
    for (int k = 0; k < 2; ++k) {
      lo[k] = std::min({lo[k], w[k], w[k + 2]});
      hi[k] = std::max({hi[k], w[k], w[k + 2]});
    }
  }
  mj_deleteData(d);
  if (g.walls.empty()) return absl::InvalidArgumentError(StrCat("task ", task, " has no walls"));

  // cells over the arena inside the walls
  const double width = hi[0] - lo[0], height = hi[1] - lo[1];
  g.cell = std::max(width, height) / cells;
  g.nx = std::max(1, static_cast<int>(std::lround(width / g.cell)));
  g.ny = std::max(1, static_cast<int>(std::lround(height / g.cell)));
  g.x0 = lo[0] + g.cell / 2;
  g.y0 = lo[1] + g.cell / 2;
  const EnvSpec& spec = env->spec();
  std::vector<float> obs(spec.obs_dim), next_obs(spec.obs_dim), zero(spec.act_dim, 0.f);
  // qpos are the slide joints' offsets from the particle's initial position
  const double qpos0[2] = {m->qpos0[0], m->qpos0[1]};
  g.true_reward.resize(size_t(g.nx) * g.ny);
  if (learned) g.learned_reward.resize(g.true_reward.size());
  for (int iy = 0; iy < g.ny; ++iy) {
    for (int ix = 0; ix < g.nx; ++ix) {
      EnvState state;
      state.qpos = {qpos0[0] + g.x0 + ix * g.cell - g.start[0],
                    qpos0[1] + g.y0 + iy * g.cell - g.start[1]};
      state.qvel = {0, 0};
      IRLAB_RETURN_IF_ERROR(env->SetState(state, obs));
      IRLAB_ASSIGN_OR_RETURN(StepResult result, env->Step(zero, next_obs));
      g.true_reward[iy * g.nx + ix] = result.reward;
      if (learned) g.learned_reward[iy * g.nx + ix] = learned.reward(obs, zero, next_obs);
    }
  }
  return g;
}

absl::Status WriteMazeHeatmap(const fs::path& png, const std::string& task, const MazeGrid& grid,
                              const std::string& learned_label) {
  const fs::path dir = png.parent_path().empty() ? fs::path(".") : png.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(
        StrCat("cannot write ", png.string(), ": folder ", dir.string(), " does not exist"));
  }
  return DrawPng(png, [&](const std::string& terminal, const fs::path& out) {
    return Script(terminal, out, task, grid, learned_label);
  });
}

}  // namespace irlab::viewer
