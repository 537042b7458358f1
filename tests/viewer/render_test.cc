// Drawing under a (virtual) X display: every task renders a frame that shows
// its model (many colours, unlike an empty scene), and the interactive viewer
// opens a window, draws the model and acts on its keys.
#include <GLFW/glfw3.h>

#include <chrono>
#include <cmath>

#include "envs/model_library.h"
#include "envs/registry.h"
#include "gtest/gtest.h"
#include "tests/viewer/test_util.h"
#include "viewer/episode_source.h"
#include "viewer/gl_context.h"
#include "viewer/interactive_viewer.h"
#include "viewer/png.h"
#include "viewer/scene_renderer.h"

namespace irlab::viewer {
namespace {

constexpr int kWidth = 160, kHeight = 120;

std::unique_ptr<GlWindow> HiddenWindow() {
  auto gl = GlWindow::Create({.width = 64, .height = 64, .visible = false});
  EXPECT_TRUE(gl.ok()) << gl.status();
  return gl.ok() ? std::move(*gl) : nullptr;
}

// A frame of an empty model from its default free camera.
std::vector<uint8_t> EmptyScene() {
  auto empty = CompileModel("<mujoco/>", "empty");
  EXPECT_TRUE(empty.ok());
  auto renderer = SceneRenderer::ForModel(empty->get(), kWidth, kHeight);
  renderer->UseOffscreen(true);
  std::vector<uint8_t> rgb;
  renderer->Render({0, 0, kWidth, kHeight}, {});
  renderer->ReadPixels({0, 0, kWidth, kHeight}, rgb);
  return rgb;
}

TEST(RenderTest, EveryTaskShowsItsModel) {
  auto gl = HiddenWindow();
  ASSERT_NE(gl, nullptr);
  std::printf("OpenGL %s\n", gl->gl_description().c_str());
  const std::vector<uint8_t> empty = EmptyScene();
  const auto dir = testing::TestDir();
  for (const std::string& task : EnvNames()) {
    auto env = MakeEnv(task);
    ASSERT_TRUE(env.ok()) << task;
    std::vector<float> obs((*env)->spec().obs_dim);
    (*env)->Reset(3, obs);
    auto renderer = SceneRenderer::ForEnv(**env, kWidth, kHeight);
    ASSERT_TRUE(renderer.ok()) << task << ": " << renderer.status();
    (*renderer)->UseOffscreen(true);
    (*renderer)->Render({0, 0, kWidth, kHeight}, {});
    std::vector<uint8_t> rgb;
    (*renderer)->ReadPixels({0, 0, kWidth, kHeight}, rgb);
    ASSERT_EQ(rgb.size(), size_t(kWidth * kHeight * 3));
    const int colours = testing::DistinctColors(rgb);
    const double differing = testing::FractionDiffering(rgb, empty);
    EXPECT_GT(colours, 200) << task;
    EXPECT_GT(differing, 0.3) << task;
    EXPECT_TRUE(WritePng(dir / (task + ".png"), rgb, kWidth, kHeight).ok());
    std::printf("%-18s %5d colours, %4.0f%% of pixels differ from an empty scene, camera %s\n",
                task.c_str(), colours, 100 * differing, (*renderer)->CameraName().c_str());
  }
  // the empty scene itself is nearly uniform
  EXPECT_LT(testing::DistinctColors(empty), 50);
  std::printf("frames in %s\n", dir.c_str());
}

TEST(RenderTest, StateChangesTheFrame) {
  // the drawn frame follows the env: two states of the pendulum pole differ
  auto gl = HiddenWindow();
  ASSERT_NE(gl, nullptr);
  auto env = MakeEnv("Pendulum");
  ASSERT_TRUE(env.ok());
  std::vector<float> obs(3);
  std::vector<std::vector<uint8_t>> frames;
  for (double theta : {0.0, 1.5}) {
    ASSERT_TRUE(
        (*env)->SetState({.qpos = {theta}, .qvel = {0}, .ctrl = {}, .extra = {}}, obs).ok());
    auto renderer = SceneRenderer::ForEnv(**env, kWidth, kHeight);
    ASSERT_TRUE(renderer.ok());
    (*renderer)->UseOffscreen(true);
    (*renderer)->Render({0, 0, kWidth, kHeight}, {});
    frames.emplace_back();
    (*renderer)->ReadPixels({0, 0, kWidth, kHeight}, frames.back());
  }
  EXPECT_GT(testing::FractionDiffering(frames[0], frames[1]), 0.01);
}

TEST(RenderTest, NoDisplayIsExplained) {
  // GLFW initialises once per process, so the check runs in a child
  const testing::RunResult r = testing::Run(
      StrCat("env -u DISPLAY -u WAYLAND_DISPLAY ", IRLAB_BINARY,
             " replay --random --env Hopper --frames ", testing::TestDir().string(), "/f"));
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("no display"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("xvfb-run -a"), std::string::npos) << r.output;
}

class InteractiveViewerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PolicySourceOptions options;
    options.task = "HalfCheetah";
    options.episodes = 3;
    options.seed = 5;
    auto source = PolicySource::Create(nullptr, "", options);
    ASSERT_TRUE(source.ok()) << source.status();
    source_ = std::move(*source);
  }
  std::unique_ptr<PolicySource> source_;
};

TEST_F(InteractiveViewerTest, OpensDrawsAndTakesKeys) {
  auto viewer = InteractiveViewer::Open(*source_, {.width = 640, .height = 480, .paused = true});
  ASSERT_TRUE(viewer.ok()) << viewer.status();
  InteractiveViewer& v = **viewer;
  ASSERT_TRUE(v.Frame().ok());
  std::vector<uint8_t> shot;
  int w = 0, h = 0;
  v.Screenshot(shot, w, h);
  EXPECT_EQ(w, 640);
  EXPECT_EQ(h, 480);
  EXPECT_GT(testing::DistinctColors(shot), 500);
  const auto dir = testing::TestDir();
  EXPECT_TRUE(WritePng(dir / "window.png", shot, w, h).ok());
  std::printf("window screenshot: %s\n", (dir / "window.png").c_str());

  // paused: frames do not advance the episode; a single step does
  ASSERT_TRUE(v.Frame().ok());
  EXPECT_EQ(source_->readout().step, 0);
  ASSERT_TRUE(v.PressKey(GLFW_KEY_RIGHT).ok());
  ASSERT_TRUE(v.PressKey(GLFW_KEY_RIGHT).ok());
  EXPECT_EQ(source_->readout().step, 2);
  EXPECT_TRUE(v.paused());
  // the drawn frame follows the step
  std::vector<uint8_t> after;
  v.Screenshot(after, w, h);
  EXPECT_GT(testing::FractionDiffering(shot, after, 8), 0.001);
  // speed, restart, next / previous episode, camera, quit
  ASSERT_TRUE(v.PressKey(GLFW_KEY_UP).ok());
  EXPECT_EQ(v.speed(), 2.0);
  ASSERT_TRUE(v.PressKey(GLFW_KEY_DOWN).ok());
  ASSERT_TRUE(v.PressKey(GLFW_KEY_DOWN).ok());
  EXPECT_EQ(v.speed(), 0.5);
  ASSERT_TRUE(v.PressKey(GLFW_KEY_R).ok());
  EXPECT_EQ(source_->readout().step, 0);
  ASSERT_TRUE(v.PressKey(GLFW_KEY_N).ok());
  EXPECT_EQ(source_->readout().episode, 1);
  ASSERT_TRUE(v.PressKey(GLFW_KEY_P).ok());
  ASSERT_TRUE(v.PressKey(GLFW_KEY_P).ok());
  EXPECT_EQ(source_->readout().episode, 2);  // wraps around
  const std::string camera = v.renderer().CameraName();
  EXPECT_EQ(camera, "model camera 'track'");
  ASSERT_TRUE(v.PressKey(GLFW_KEY_C).ok());
  EXPECT_EQ(v.renderer().CameraName(), "tracking 'torso'");
  ASSERT_TRUE(v.PressKey(GLFW_KEY_C).ok());
  EXPECT_EQ(v.renderer().CameraName(), "free");
  ASSERT_TRUE(v.PressKey(GLFW_KEY_SPACE).ok());
  EXPECT_FALSE(v.paused());
  EXPECT_FALSE(v.closed());
  ASSERT_TRUE(v.PressKey(GLFW_KEY_ESCAPE).ok());
  EXPECT_TRUE(v.closed());
  EXPECT_TRUE(v.Run().ok());  // returns at once: the window is closing
}

TEST_F(InteractiveViewerTest, PlaysInRealTime) {
  using Clock = std::chrono::steady_clock;
  const auto before_open = Clock::now();
  auto viewer = InteractiveViewer::Open(*source_, {.width = 200, .height = 150, .speed = 4});
  ASSERT_TRUE(viewer.ok()) << viewer.status();
  const auto after_open = Clock::now();
  // at 4x, HalfCheetah's 0.05 s steps come 80 per wall-clock second
  auto last_frame = after_open;
  while (Clock::now() - after_open < std::chrono::milliseconds(300)) {
    last_frame = Clock::now();
    ASSERT_TRUE((*viewer)->Frame().ok());
  }
  const auto end = Clock::now();
  const double most = std::chrono::duration<double>(end - before_open).count() * 80;
  const double least = std::chrono::duration<double>(last_frame - after_open).count() * 80;
  const int steps = source_->readout().step;
  EXPECT_GE(steps, std::floor(least) - 1);
  EXPECT_LE(steps, std::ceil(most) + 1);
  std::printf("%d steps in %.3f s of wall time\n", steps, most / 80);
}

}  // namespace
}  // namespace irlab::viewer
