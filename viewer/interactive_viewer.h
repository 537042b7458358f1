// The interactive viewer: a GLFW window drawing an EpisodeSource in real
// time with MuJoCo's visualisation.
//
//   space        play / pause            right, .   one step (pauses)
//   up, +        faster (x2)             down, -    slower (/2)
//   backspace, r restart the episode     n, p       next / previous episode
//   c, tab       next camera (model cameras, tracking, free)
//   h, F1        help on / off           esc, q     quit
//   mouse        left drag rotates, right drag moves, wheel zooms (a model
//                camera becomes a tracking camera when moved)
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "viewer/episode_source.h"
#include "viewer/gl_context.h"
#include "viewer/scene_renderer.h"

namespace irlab::viewer {

struct ViewerOptions {
  int width = 1280, height = 720;  // window size
  bool paused = false;             // start paused
  double speed = 1.0;              // simulated seconds per wall-clock second
  bool help = true;                // show the key help
};

class InteractiveViewer {
 public:
  // Opens the window on `source` (kept by reference) at its current episode.
  // Errors: no display or OpenGL (see GlWindow), a task with nothing to draw.
  static absl::StatusOr<std::unique_ptr<InteractiveViewer>> Open(EpisodeSource& source,
                                                                 const ViewerOptions& options);
  ~InteractiveViewer();

  // Runs until the window is closed (esc, q or the close button).
  absl::Status Run();
  // One pass: handles input, advances in real time, draws, swaps buffers.
  absl::Status Frame();
  bool closed() const;

  // Acts on a key as if pressed (GLFW key code).
  absl::Status PressKey(int key);
  // Draws the current state into the window's back buffer and reads it:
  // [height, width, 3] RGB, top row first.
  void Screenshot(std::vector<uint8_t>& rgb, int& width, int& height);

  bool paused() const { return paused_; }
  double speed() const { return speed_; }
  const SceneRenderer& renderer() const { return *renderer_; }

 private:
  InteractiveViewer(EpisodeSource& source, const ViewerOptions& options);
  absl::Status Advance(double wall_seconds);
  absl::Status GoTo(int episode);
  void Draw(int& width, int& height);
  OverlayText Overlay() const;
  static void OnKey(struct GLFWwindow* window, int key, int scancode, int action, int mods);
  static void OnMouseButton(struct GLFWwindow* window, int button, int action, int mods);
  static void OnCursor(struct GLFWwindow* window, double x, double y);
  static void OnScroll(struct GLFWwindow* window, double dx, double dy);

  EpisodeSource& source_;
  ViewerOptions options_;
  std::unique_ptr<GlWindow> gl_;
  std::unique_ptr<SceneRenderer> renderer_;
  bool paused_, help_;
  double speed_;
  double sim_debt_ = 0;  // simulated seconds owed to real time
  double end_hold_ = 0;  // seconds the finished episode has been shown
  absl::Status error_;   // the first error raised inside a GLFW callback
  std::chrono::steady_clock::time_point last_frame_;
  bool button_left_ = false, button_right_ = false;
  double cursor_x_ = 0, cursor_y_ = 0;
};

}  // namespace irlab::viewer
