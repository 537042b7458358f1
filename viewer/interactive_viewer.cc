#include "viewer/interactive_viewer.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "core/status.h"
#include "core/strings.h"
#include "viewer/overlay.h"

namespace irlab::viewer {
namespace {

constexpr double kMinSpeed = 1.0 / 16, kMaxSpeed = 16;
constexpr double kEndHoldSeconds = 1.5;  // a finished episode stays on screen this long
constexpr int kMaxStepsPerFrame = 2000;  // beyond this the viewer falls behind real time

constexpr char kHelpTitles[] = "space\nright\nup / down\nr\nn / p\nc\nmouse\nh\nesc";
constexpr char kHelpValues[] =
    "play / pause\none step\nfaster / slower\nrestart episode\nnext / previous episode\n"
    "next camera\nrotate, move, zoom\nhide help\nquit";

InteractiveViewer* Self(GLFWwindow* window) {
  return static_cast<InteractiveViewer*>(glfwGetWindowUserPointer(window));
}

}  // namespace

absl::StatusOr<std::unique_ptr<InteractiveViewer>> InteractiveViewer::Open(
    EpisodeSource& source, const ViewerOptions& options) {
  auto viewer = std::unique_ptr<InteractiveViewer>(new InteractiveViewer(source, options));
  IRLAB_ASSIGN_OR_RETURN(
      viewer->gl_, GlWindow::Create({.width = options.width,
                                     .height = options.height,
                                     .visible = true,
                                     .title = StrCat("irlab replay: ", source.env().spec().name)}));
  const int font = options.height >= 600 ? mjFONTSCALE_150 : mjFONTSCALE_100;
  IRLAB_ASSIGN_OR_RETURN(viewer->renderer_, SceneRenderer::ForEnv(source.env(), 0, 0, font));
  viewer->renderer_->UseOffscreen(false);
  GLFWwindow* window = viewer->gl_->window();
  glfwSetWindowUserPointer(window, viewer.get());
  glfwSetKeyCallback(window, OnKey);
  glfwSetMouseButtonCallback(window, OnMouseButton);
  glfwSetCursorPosCallback(window, OnCursor);
  glfwSetScrollCallback(window, OnScroll);
  viewer->last_frame_ = std::chrono::steady_clock::now();
  return viewer;
}

InteractiveViewer::InteractiveViewer(EpisodeSource& source, const ViewerOptions& options)
    : source_(source),
      options_(options),
      paused_(options.paused),
      help_(options.help),
      speed_(std::clamp(options.speed, kMinSpeed, kMaxSpeed)) {}

InteractiveViewer::~InteractiveViewer() {
  renderer_.reset();  // frees GL objects while the context exists
  gl_.reset();
}

bool InteractiveViewer::closed() const { return glfwWindowShouldClose(gl_->window()); }

absl::Status InteractiveViewer::Run() {
  while (!closed()) IRLAB_RETURN_IF_ERROR(Frame());
  return absl::OkStatus();
}

absl::Status InteractiveViewer::Frame() {
  glfwPollEvents();
  IRLAB_RETURN_IF_ERROR(error_);
  const auto now = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(now - last_frame_).count();
  last_frame_ = now;
  IRLAB_RETURN_IF_ERROR(Advance(wall));
  int width = 0, height = 0;
  Draw(width, height);
  glfwSwapBuffers(gl_->window());
  return absl::OkStatus();
}

absl::Status InteractiveViewer::Advance(double wall_seconds) {
  if (paused_) return absl::OkStatus();
  if (source_.readout().done()) {
    // hold the last state a moment, then go on to the next episode
    end_hold_ += wall_seconds;
    if (end_hold_ < kEndHoldSeconds) return absl::OkStatus();
    if (source_.readout().episode + 1 < source_.num_episodes()) {
      return GoTo(source_.readout().episode + 1);
    }
    paused_ = true;
    return absl::OkStatus();
  }
  const double dt = source_.env().spec().dt;
  sim_debt_ += wall_seconds * speed_;
  int steps = 0;
  while (sim_debt_ >= dt && !source_.readout().done() && steps < kMaxStepsPerFrame) {
    IRLAB_RETURN_IF_ERROR(source_.Step());
    sim_debt_ -= dt;
    ++steps;
  }
  if (steps == kMaxStepsPerFrame || source_.readout().done()) sim_debt_ = 0;
  return absl::OkStatus();
}

absl::Status InteractiveViewer::GoTo(int episode) {
  IRLAB_RETURN_IF_ERROR(source_.Start(episode));
  sim_debt_ = 0;
  end_hold_ = 0;
  return absl::OkStatus();
}

OverlayText InteractiveViewer::Overlay() const {
  OverlayText overlay = StepOverlay(source_);
  overlay.status = StrCat(paused_ ? "paused" : "playing", "\n",
                          absl::StrFormat("speed x%g", speed_), "\n", renderer_->CameraName());
  if (help_) {
    overlay.help_titles = kHelpTitles;
    overlay.help_values = kHelpValues;
  }
  return overlay;
}

void InteractiveViewer::Draw(int& width, int& height) {
  glfwGetFramebufferSize(gl_->window(), &width, &height);
  if (absl::Status s = renderer_->Sync(source_.env()); !s.ok() && error_.ok()) error_ = s;
  renderer_->Render({0, 0, width, height}, Overlay());
}

void InteractiveViewer::Screenshot(std::vector<uint8_t>& rgb, int& width, int& height) {
  Draw(width, height);
  renderer_->ReadPixels({0, 0, width, height}, rgb);
}

absl::Status InteractiveViewer::PressKey(int key) {
  const int episode = source_.readout().episode;
  switch (key) {
    case GLFW_KEY_SPACE:
      paused_ = !paused_;
      sim_debt_ = 0;
      // playing a finished last episode starts it again
      if (!paused_ && source_.readout().done() && episode + 1 >= source_.num_episodes()) {
        return GoTo(episode);
      }
      return absl::OkStatus();
    case GLFW_KEY_RIGHT:
    case GLFW_KEY_PERIOD:
      paused_ = true;
      return source_.Step();
    case GLFW_KEY_UP:
    case GLFW_KEY_EQUAL:
    case GLFW_KEY_KP_ADD:
      speed_ = std::min(speed_ * 2, kMaxSpeed);
      return absl::OkStatus();
    case GLFW_KEY_DOWN:
    case GLFW_KEY_MINUS:
    case GLFW_KEY_KP_SUBTRACT:
      speed_ = std::max(speed_ / 2, kMinSpeed);
      return absl::OkStatus();
    case GLFW_KEY_BACKSPACE:
    case GLFW_KEY_R:
      return GoTo(episode);
    case GLFW_KEY_N:
    case GLFW_KEY_PAGE_DOWN:
      return GoTo((episode + 1) % source_.num_episodes());
    case GLFW_KEY_P:
    case GLFW_KEY_PAGE_UP:
      return GoTo((episode + source_.num_episodes() - 1) % source_.num_episodes());
    case GLFW_KEY_C:
    case GLFW_KEY_TAB:
      renderer_->NextCamera();
      return absl::OkStatus();
    case GLFW_KEY_H:
    case GLFW_KEY_F1:
      help_ = !help_;
      return absl::OkStatus();
    case GLFW_KEY_ESCAPE:
    case GLFW_KEY_Q:
      glfwSetWindowShouldClose(gl_->window(), GLFW_TRUE);
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

void InteractiveViewer::OnKey(GLFWwindow* window, int key, int, int action, int) {
  if (action == GLFW_RELEASE) return;
  InteractiveViewer* self = Self(window);
  if (absl::Status s = self->PressKey(key); !s.ok() && self->error_.ok()) self->error_ = s;
}

void InteractiveViewer::OnMouseButton(GLFWwindow* window, int, int, int) {
  InteractiveViewer* self = Self(window);
  self->button_left_ = glfwGetMouseButton(window, GLFW_MOUSE_BUTTON_LEFT) == GLFW_PRESS;
  self->button_right_ = glfwGetMouseButton(window, GLFW_MOUSE_BUTTON_RIGHT) == GLFW_PRESS;
  glfwGetCursorPos(window, &self->cursor_x_, &self->cursor_y_);
}

void InteractiveViewer::OnCursor(GLFWwindow* window, double x, double y) {
  InteractiveViewer* self = Self(window);
  const double dx = x - self->cursor_x_, dy = y - self->cursor_y_;
  self->cursor_x_ = x;
  self->cursor_y_ = y;
  if (!self->button_left_ && !self->button_right_) return;
  int width = 0, height = 0;
  glfwGetWindowSize(window, &width, &height);
  if (height <= 0) return;
  const bool shift = glfwGetKey(window, GLFW_KEY_LEFT_SHIFT) == GLFW_PRESS ||
                     glfwGetKey(window, GLFW_KEY_RIGHT_SHIFT) == GLFW_PRESS;
  mjtMouse action;
  if (self->button_right_) {
    action = shift ? mjMOUSE_MOVE_H : mjMOUSE_MOVE_V;
  } else {
    action = shift ? mjMOUSE_ROTATE_H : mjMOUSE_ROTATE_V;
  }
  self->renderer_->MoveCamera(action, dx / height, dy / height);
}

void InteractiveViewer::OnScroll(GLFWwindow* window, double, double dy) {
  Self(window)->renderer_->MoveCamera(mjMOUSE_ZOOM, 0, -0.05 * dy);
}

}  // namespace irlab::viewer
