#include "viewer/scene_renderer.h"

#include <algorithm>
#include <cmath>

#include "core/status.h"
#include "core/strings.h"
#include "envs/model_library.h"
#include "envs/mujoco_env.h"

namespace irlab::viewer {
namespace {

// Pendulum (closed form, theta from upright) drawn as a unit pole on a hinge.
constexpr char kPoleXml[] = R"(
<mujoco model="irlab_pendulum_view">
  <asset>
    <texture name="sky" type="skybox" builtin="gradient" rgb1="0.4 0.5 0.6" rgb2="0 0 0"
             width="64" height="64"/>
    <texture name="grid" type="2d" builtin="checker" rgb1="0.2 0.3 0.4" rgb2="0.1 0.2 0.3"
             width="64" height="64"/>
    <material name="grid" texture="grid" texrepeat="4 4" reflectance="0.2"/>
  </asset>
  <worldbody>
    <light pos="0 -2 3" dir="0 0.5 -1" diffuse="0.8 0.8 0.8"/>
    <camera name="front" pos="0 -3.5 0" xyaxes="1 0 0 0 0 1"/>
    <geom name="floor" type="plane" pos="0 0 -1.3" size="3 3 0.1" material="grid"/>
    <geom name="pivot" type="cylinder" fromto="0 -0.08 0 0 0.08 0" size="0.07" rgba="0.5 0.5 0.5 1"/>
    <body name="pole">
      <joint name="theta" type="hinge" axis="0 1 0"/>
      <geom name="pole" type="capsule" fromto="0 0 0 0 0 1" size="0.05" rgba="0.8 0.4 0.2 1"/>
    </body>
  </worldbody>
</mujoco>
)";

}  // namespace

absl::StatusOr<std::unique_ptr<SceneRenderer>> SceneRenderer::ForEnv(const Env& env, int width,
                                                                     int height, int font_scale) {
  if (const auto* mujoco_env = dynamic_cast<const MujocoEnv*>(&env)) {
    auto renderer = ForModel(mujoco_env->model(), width, height, font_scale);
    IRLAB_RETURN_IF_ERROR(renderer->Sync(env));
    return renderer;
  }
  if (env.spec().name == "Pendulum") {
    IRLAB_ASSIGN_OR_RETURN(auto pole, CompileModel(kPoleXml, "pendulum view"));
    auto renderer = ForModel(pole.get(), width, height, font_scale);
    renderer->pole_ = true;
    IRLAB_RETURN_IF_ERROR(renderer->Sync(env));
    return renderer;
  }
  return absl::UnimplementedError(StrCat("task ", env.spec().name, " has no MuJoCo model to draw"));
}

std::unique_ptr<SceneRenderer> SceneRenderer::ForModel(const mjModel* model, int width, int height,
                                                       int font_scale) {
  mjModel* copy = mj_copyModel(nullptr, model);
  IRLAB_CHECK(copy != nullptr, "mj_copyModel failed");
  // the offscreen buffer is sized from the model's visual settings
  copy->vis.global.offwidth = std::max(copy->vis.global.offwidth, width);
  copy->vis.global.offheight = std::max(copy->vis.global.offheight, height);
  return std::unique_ptr<SceneRenderer>(new SceneRenderer(copy, false, font_scale));
}

SceneRenderer::SceneRenderer(mjModel* model, bool pole, int font_scale)
    : model_(model), data_(mj_makeData(model)), pole_(pole) {
  mj_forward(model_, data_);
  mjv_defaultScene(&scene_);
  mjv_defaultCamera(&camera_);
  mjv_defaultOption(&option_);
  mjr_defaultContext(&context_);
  mjv_makeScene(model_, &scene_, 2000);
  mjr_makeContext(model_, &context_, font_scale);
  DefaultCamera();
}

SceneRenderer::~SceneRenderer() {
  mjr_freeContext(&context_);
  mjv_freeScene(&scene_);
  mj_deleteData(data_);
  mj_deleteModel(model_);
}

absl::Status SceneRenderer::Sync(const Env& env) {
  if (pole_) {
    const EnvState state = env.GetState();
    if (state.qpos.size() != 1) {
      return absl::InvalidArgumentError(StrCat(env.spec().name, ": expected one angle to draw"));
    }
    data_->qpos[0] = state.qpos[0];
    data_->qvel[0] = state.qvel.empty() ? 0.0 : state.qvel[0];
    mj_forward(model_, data_);
    return absl::OkStatus();
  }
  const auto* mujoco_env = dynamic_cast<const MujocoEnv*>(&env);
  if (!mujoco_env || mujoco_env->model()->nq != model_->nq ||
      mujoco_env->model()->nbody != model_->nbody) {
    return absl::InvalidArgumentError(
        StrCat(env.spec().name, ": not the model this renderer was made for"));
  }
  // the whole data, derived quantities included (camera poses, contacts)
  mj_copyData(data_, mujoco_env->model(), mujoco_env->data());
  return absl::OkStatus();
}

void SceneRenderer::ModelCamera(int id) {
  kind_ = CameraKind::kModel;
  camera_.type = mjCAMERA_FIXED;
  camera_.fixedcamid = id;
}

void SceneRenderer::DefaultCamera() {
  const int track = mj_name2id(model_, mjOBJ_CAMERA, "track");
  if (track >= 0) {
    ModelCamera(track);
  } else if (model_->ncam > 0) {
    ModelCamera(0);
  } else {
    kind_ = CameraKind::kFree;
    mjv_defaultFreeCamera(model_, &camera_);
  }
}

void SceneRenderer::NextCamera() {
  if (kind_ == CameraKind::kModel && camera_.fixedcamid + 1 < model_->ncam) {
    ModelCamera(camera_.fixedcamid + 1);
  } else if (kind_ == CameraKind::kModel && model_->nbody > 1) {
    kind_ = CameraKind::kTracking;
    mjv_defaultFreeCamera(model_, &camera_);
    camera_.type = mjCAMERA_TRACKING;
    camera_.trackbodyid = 1;
  } else if (kind_ != CameraKind::kFree) {
    kind_ = CameraKind::kFree;
    mjv_defaultFreeCamera(model_, &camera_);
  } else if (model_->ncam > 0) {
    ModelCamera(0);
  } else if (model_->nbody > 1) {
    kind_ = CameraKind::kTracking;
    camera_.type = mjCAMERA_TRACKING;
    camera_.trackbodyid = 1;
  }
}

std::string SceneRenderer::CameraName() const {
  switch (kind_) {
    case CameraKind::kModel: {
      const char* name = mj_id2name(model_, mjOBJ_CAMERA, camera_.fixedcamid);
      return StrCat("model camera '", name ? name : StrCat(camera_.fixedcamid), "'");
    }
    case CameraKind::kTracking: {
      const char* name = mj_id2name(model_, mjOBJ_BODY, camera_.trackbodyid);
      return StrCat("tracking '", name ? name : StrCat(camera_.trackbodyid), "'");
    }
    case CameraKind::kFree:
      break;
  }
  return "free";
}

void SceneRenderer::MoveCamera(mjtMouse action, double dx, double dy) {
  if (kind_ == CameraKind::kModel) {
    // take over the model camera's view as a tracking camera the mouse can move
    mjv_updateScene(model_, data_, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
    const mjvGLCamera view = mjv_averageCamera(scene_.camera, scene_.camera + 1);
    mjv_defaultFreeCamera(model_, &camera_);
    camera_.type = model_->nbody > 1 ? mjCAMERA_TRACKING : mjCAMERA_FREE;
    camera_.trackbodyid = 1;
    kind_ = model_->nbody > 1 ? CameraKind::kTracking : CameraKind::kFree;
    // look along the model camera's direction from the same distance
    const double* target = data_->xpos + 3 * camera_.trackbodyid;
    double dist = 0;
    for (int i = 0; i < 3; ++i) dist += (view.pos[i] - target[i]) * (view.pos[i] - target[i]);
    camera_.distance = std::max(std::sqrt(dist), 0.1);
    const double f[3] = {view.forward[0], view.forward[1], view.forward[2]};
    camera_.azimuth = std::atan2(f[1], f[0]) * 180 / mjPI;
    camera_.elevation = std::atan2(f[2], std::sqrt(f[0] * f[0] + f[1] * f[1])) * 180 / mjPI;
  }
  mjv_moveCamera(model_, action, dx, dy, &scene_, &camera_);
}

void SceneRenderer::UseOffscreen(bool offscreen) {
  mjr_setBuffer(offscreen ? mjFB_OFFSCREEN : mjFB_WINDOW, &context_);
}

void SceneRenderer::Render(const mjrRect& viewport, const OverlayText& overlay) {
  mjv_updateScene(model_, data_, &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
  mjr_render(viewport, &scene_, &context_);
  if (!overlay.titles.empty()) {
    mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, viewport, overlay.titles.c_str(),
                overlay.values.c_str(), &context_);
  }
  if (!overlay.status.empty()) {
    mjr_overlay(mjFONT_NORMAL, mjGRID_TOPRIGHT, viewport, overlay.status.c_str(), nullptr,
                &context_);
  }
  if (!overlay.help_titles.empty()) {
    mjr_overlay(mjFONT_NORMAL, mjGRID_BOTTOMRIGHT, viewport, overlay.help_titles.c_str(),
                overlay.help_values.c_str(), &context_);
  }
}

void SceneRenderer::ReadPixels(const mjrRect& viewport, std::vector<uint8_t>& rgb) {
  const size_t row = size_t(viewport.width) * 3;
  rgb.resize(row * viewport.height);
  mjr_readPixels(rgb.data(), nullptr, viewport, &context_);
  // OpenGL reads bottom-up; images are stored top-down
  std::vector<uint8_t> swap(row);
  for (int y = 0; y < viewport.height / 2; ++y) {
    uint8_t* a = rgb.data() + y * row;
    uint8_t* b = rgb.data() + (viewport.height - 1 - y) * row;
    std::copy_n(a, row, swap.data());
    std::copy_n(b, row, a);
    std::copy_n(swap.data(), row, b);
  }
}

}  // namespace irlab::viewer
