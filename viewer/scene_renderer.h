// Draws an environment's current state with MuJoCo's own visualisation
// (mjv scene + mjr context) into the window or the offscreen buffer, with a
// text overlay. Needs a current OpenGL context (GlWindow).
//
// The renderer keeps its own copies of the model (with an offscreen buffer of
// the requested size) and of the data, so drawing never touches the env.
// Pendulum has no MuJoCo model: it is drawn as a small pole model whose hinge
// angle is the env's theta.
#pragma once

#include <mujoco/mujoco.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "envs/env.h"

namespace irlab::viewer {

// Text drawn over the scene; lines are separated by '\n'.
struct OverlayText {
  std::string titles, values;            // top left: one title and one value per line
  std::string status;                    // top right ("paused", "speed x2")
  std::string help_titles, help_values;  // bottom right; empty hides it
};

// Which camera the scene is seen from.
enum class CameraKind {
  kModel,     // a camera defined in the model (the locomotion models' "track" follows the torso)
  kTracking,  // follows the first body, angle and distance set by the mouse
  kFree,      // moved freely with the mouse
};

class SceneRenderer {
 public:
  // A renderer for `env`'s scene with an offscreen buffer of at least
  // width x height. Errors: a task with nothing to draw.
  static absl::StatusOr<std::unique_ptr<SceneRenderer>> ForEnv(const Env& env, int width,
                                                               int height, int font_scale = 100);
  // A renderer for an arbitrary model (its default state), e.g. an empty scene.
  static std::unique_ptr<SceneRenderer> ForModel(const mjModel* model, int width, int height,
                                                 int font_scale = 100);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  // Copies `env`'s current simulation state into the drawn scene.
  absl::Status Sync(const Env& env);

  // The default view: the model's "track" camera, else its first camera, else free.
  void DefaultCamera();
  // Cycles model cameras -> tracking -> free.
  void NextCamera();
  CameraKind camera_kind() const { return kind_; }
  // "model camera 'track'", "tracking body 'torso'", "free".
  std::string CameraName() const;
  // Mouse motion (dx, dy as fractions of the viewport height). Moving a model
  // camera first switches to a tracking camera with the same view.
  void MoveCamera(mjtMouse action, double dx, double dy);

  // Draws into the window's back buffer (false) or the offscreen buffer (true).
  void UseOffscreen(bool offscreen);
  // Renders the scene and the overlay into `viewport` of the current buffer.
  void Render(const mjrRect& viewport, const OverlayText& overlay);
  // Reads `viewport` of the current buffer as RGB rows, top row first.
  void ReadPixels(const mjrRect& viewport, std::vector<uint8_t>& rgb);

  const mjModel* model() const { return model_; }
  const mjData* data() const { return data_; }
  int offscreen_width() const { return context_.offWidth; }
  int offscreen_height() const { return context_.offHeight; }

 private:
  SceneRenderer(mjModel* model, bool pole, int font_scale);
  void ModelCamera(int id);

  mjModel* model_;  // owned copy
  mjData* data_;
  bool pole_;  // Pendulum drawn as a pole: qpos[0] is theta
  mjvScene scene_;
  mjvCamera camera_;
  mjvOption option_;
  mjrContext context_;
  CameraKind kind_ = CameraKind::kFree;
};

}  // namespace irlab::viewer
