// An OpenGL context for MuJoCo's renderer: a GLFW window, shown for the
// interactive viewer or hidden for offscreen rendering. Creating one explains
// what is missing when there is no display or no usable OpenGL.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct GLFWwindow;

namespace irlab::viewer {

struct GlWindowOptions {
  int width = 1280, height = 720;  // window size in screen coordinates
  bool visible = true;             // false: a hidden window whose context renders offscreen
  std::string title = "irlab";
};

class GlWindow {
 public:
  // Initialises GLFW (once per process), opens the window and makes its
  // context current on this thread. Errors: no X display (DISPLAY unset or
  // unreachable; run under `xvfb-run -a` on a headless machine), or an OpenGL
  // older than MuJoCo's renderer needs (1.5 with framebuffer objects).
  static absl::StatusOr<std::unique_ptr<GlWindow>> Create(const GlWindowOptions& options);
  ~GlWindow();
  GlWindow(const GlWindow&) = delete;
  GlWindow& operator=(const GlWindow&) = delete;

  GLFWwindow* window() const { return window_; }
  // "4.5 (Compatibility Profile) Mesa 22.3.6, llvmpipe (...)".
  const std::string& gl_description() const { return gl_description_; }

 private:
  explicit GlWindow(GLFWwindow* window) : window_(window) {}
  GLFWwindow* window_;
  std::string gl_description_;
};

}  // namespace irlab::viewer
