#include "viewer/gl_context.h"

#include <GLFW/glfw3.h>
#include <mujoco/mujoco.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "core/strings.h"

namespace irlab::viewer {
namespace {

// The last error GLFW reported (its callback has no user pointer).
std::string& LastGlfwError() {
  static std::string error;
  return error;
}

void OnGlfwError(int code, const char* description) {
  LastGlfwError() = StrCat(description, " (GLFW error 0x", absl::Hex(code), ")");
}

// MuJoCo's default error handler waits for Enter before exiting; a broken
// renderer invariant should say what happened and stop.
void OnMujocoError(const char* message) {
  std::fprintf(stderr, "irlab: MuJoCo error: %s\n", message);
  std::exit(1);
}

constexpr char kHeadlessHint[] =
    "on a machine without a display run under a virtual X server: `xvfb-run -a irlab ...` "
    "(Debian package xvfb)";

absl::Status InitGlfwOnce() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] {
    glfwSetErrorCallback(OnGlfwError);
    mju_user_error = OnMujocoError;
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((!display || !*display) && (!wayland || !*wayland)) {
      status = absl::FailedPreconditionError(
          StrCat("no display: DISPLAY is not set, so there is no X server to open an OpenGL "
                 "context on; ",
                 kHeadlessHint));
      return;
    }
    if (glfwInit() != GLFW_TRUE) {
      status =
          absl::FailedPreconditionError(StrCat("cannot open the display '", display ? display : "",
                                               "': ", LastGlfwError(), "; ", kHeadlessHint));
      return;
    }
    std::atexit(glfwTerminate);
  });
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GlWindow>> GlWindow::Create(const GlWindowOptions& options) {
  if (absl::Status s = InitGlfwOnce(); !s.ok()) return s;
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_VISIBLE, options.visible ? GLFW_TRUE : GLFW_FALSE);
  glfwWindowHint(GLFW_SAMPLES, 4);  // multisampled window buffer
  LastGlfwError().clear();
  GLFWwindow* window =
      glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr, nullptr);
  if (!window) {
    return absl::FailedPreconditionError(
        StrCat("cannot create an OpenGL window: ", LastGlfwError(),
               "; is an OpenGL driver installed (Debian: libgl1-mesa-dri)?"));
  }
  auto gl = std::unique_ptr<GlWindow>(new GlWindow(window));
  glfwMakeContextCurrent(window);
  glfwSwapInterval(options.visible ? 1 : 0);
  const char* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  const char* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  gl->gl_description_ = StrCat(version ? version : "?", ", ", renderer ? renderer : "?");
  // MuJoCo renders into framebuffer objects: core in OpenGL 3.0, an extension before
  const int major = glfwGetWindowAttrib(window, GLFW_CONTEXT_VERSION_MAJOR);
  const int minor = glfwGetWindowAttrib(window, GLFW_CONTEXT_VERSION_MINOR);
  const bool fbo = major >= 3 || glfwExtensionSupported("GL_ARB_framebuffer_object");
  if ((major == 1 && minor < 5) || !fbo) {
    return absl::FailedPreconditionError(
        StrCat("OpenGL ", gl->gl_description_,
               " is too old for MuJoCo's renderer (needs 1.5 with framebuffer objects)"));
  }
  return gl;
}

GlWindow::~GlWindow() {
  if (glfwGetCurrentContext() == window_) glfwMakeContextCurrent(nullptr);
  glfwDestroyWindow(window_);
}

}  // namespace irlab::viewer
