// irlab replay: a trained policy to video and the maze heatmap through the
// binary as a user runs them; demos to frames and clear errors for bad input
// through the command function in this process (starting the binary costs
// about a second each).
#include <filesystem>
#include <fstream>
#include <regex>

#include "algos/ppo/ppo.h"
#include "core/rng.h"
#include "data/demo_writer.h"
#include "data/task_metadata.h"
#include "envs/registry.h"
#include "gtest/gtest.h"
#include "tests/viewer/test_util.h"
#include "tools/commands.h"
#include "viewer/recorder.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;
using testing::Irlab;

// Runs `irlab replay` in this process (no binary start-up), capturing its
// output. The argument list is split at spaces.
testing::RunResult Replay(const std::string& args) {
  Args argv;
  for (size_t at = 0; at < args.size();) {
    size_t end = args.find(' ', at);
    if (end == std::string::npos) end = args.size();
    if (end > at) argv.push_back(args.substr(at, end - at));
    at = end + 1;
  }
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  testing::RunResult r;
  r.code = ReplayCommand(argv);
  r.output = ::testing::internal::GetCapturedStdout();
  r.output += ::testing::internal::GetCapturedStderr();
  return r;
}

class ReplayCommandTest : public ::testing::Test {
 protected:
  // one tiny InvertedPendulum policy and one demo file for the whole suite
  static void SetUpTestSuite() {
    dir_ = new fs::path(testing::TestDir());
    fs::create_directories(*dir_ / "run");
    PpoRunConfig cfg;
    cfg.env = "InvertedPendulum";
    cfg.total_steps = 128;
    cfg.num_envs = 2;
    cfg.threads = 1;
    cfg.ppo.rollout_steps = 64;
    cfg.ppo.minibatches = 4;
    cfg.eval_episodes = 0;
    const absl::Status trained = TrainExpert(cfg, *dir_ / "run", false);
    ASSERT_TRUE(trained.ok()) << trained;
    WriteDemos(*dir_ / "demos.h5", {12, 7, 9});
  }
  static void TearDownTestSuite() { delete dir_; }

  // Swimmer episodes of the given lengths (random actions, stored states).
  static void WriteDemos(const fs::path& path, const std::vector<int>& lengths) {
    auto env = MakeEnv("Swimmer");
    const EnvSpec& spec = (*env)->spec();
    DemoMetadata m = TaskDemoMetadata(spec);
    m.horizon = 0;  // unknown to this file
    auto writer = DemoWriter::Create(path, m);
    ASSERT_TRUE(writer.ok()) << writer.status();
    std::vector<float> obs(spec.obs_dim), next(spec.obs_dim), action(spec.act_dim);
    Rng rng(2);
    for (size_t e = 0; e < lengths.size(); ++e) {
      Episode ep;
      (*env)->Reset(e, obs);
      for (int t = 0; t < lengths[e]; ++t) {
        const EnvState before = (*env)->GetState();
        for (float& a : action) a = static_cast<float>(rng.Uniform(-1, 1));
        auto r = (*env)->Step(action, next);
        ASSERT_TRUE(r.ok());
        ep.AddStep(obs, action, static_cast<float>(r->reward), next, false, t + 1 == lengths[e],
                   before.qpos, before.qvel);
        obs = next;
      }
      ASSERT_TRUE((*writer)->Append(ep).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }

  static fs::path* dir_;
};
fs::path* ReplayCommandTest::dir_ = nullptr;

TEST_F(ReplayCommandTest, PolicyVideoHasOneFramePerStateOfEachEpisode) {
  const fs::path video = testing::TestDir() / "pendulum.mp4";
  const auto r = Irlab(StrCat("replay --run ", (*dir_ / "run").string(), " --episodes 2 ",
                              "--deterministic --set horizon=15 --width 160 --height 120 --video ",
                              video.string()));
  ASSERT_EQ(r.code, 0) << r.output;
  // "episode   0  return  ...  length    12  terminated"
  const std::regex line(R"(episode +(\d+) +return +\S+ +length +(\d+))");
  int expected = 0, episodes = 0;
  for (auto it = std::sregex_iterator(r.output.begin(), r.output.end(), line);
       it != std::sregex_iterator(); ++it) {
    expected += FramesPerEpisode(std::stoi((*it)[2]), 0.04, 25);
    ++episodes;
  }
  EXPECT_EQ(episodes, 2) << r.output;
  EXPECT_NE(r.output.find(StrCat(expected, " frames of 160x120 at 25 fps")), std::string::npos)
      << r.output;
  const testing::VideoFacts facts = testing::Probe(video);
  EXPECT_EQ(facts.frames, expected);
  EXPECT_EQ(facts.width, 160);
  EXPECT_EQ(facts.height, 120);
}

TEST_F(ReplayCommandTest, DemoFramesOfOneEpisode) {
  const fs::path frames = testing::TestDir() / "frames";
  const auto r = Replay(StrCat("--demos ", (*dir_ / "demos.h5").string(),
                               " --episode 1 --width 64 --height 48 --frames ", frames.string()));
  ASSERT_EQ(r.code, 0) << r.output;
  // episode 1 has 7 steps: 8 states at Swimmer's 25 fps (dt 0.04)
  EXPECT_NE(r.output.find("episode   1"), std::string::npos) << r.output;
  EXPECT_EQ(std::distance(fs::directory_iterator(frames), fs::directory_iterator()), 8);
}

TEST_F(ReplayCommandTest, MazeHeatmap) {
  const fs::path png = testing::TestDir() / "maze.png";
  const auto r =
      Irlab(StrCat("replay --heatmap ", png.string(), " --env PointMazeRight --grid 30"));
  ASSERT_EQ(r.code, 0) << r.output;
  std::ifstream in(png, std::ios::binary);
  std::string head(8, '\0');
  in.read(head.data(), 8);
  EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8));
  const auto bad = Replay(StrCat("--heatmap ", png.string(), " --env Hopper"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.output.find("not a point maze"), std::string::npos) << bad.output;
}

TEST_F(ReplayCommandTest, BadInputGivesClearErrors) {
  const fs::path out = testing::TestDir();
  std::ofstream(out / "file.txt") << "x";
  const std::string demos = (*dir_ / "demos.h5").string();
  const std::string run = (*dir_ / "run").string();
  struct Case {
    std::string args;
    int code;
    std::string words;
  };
  const Case cases[] = {
      {"--run /nonexistent/run --video " + (out / "a.mp4").string(), 1,
       "run /nonexistent/run does not exist"},
      {"--demos /nonexistent/demos.h5", 1, "/nonexistent/demos.h5"},
      {"--demos " + demos + " --episode 3 --video " + (out / "a.mp4").string(), 1,
       "--episode 3 is out of range: demos demos.h5 has 3 episode(s), 0 to 2"},
      {"--demos " + demos + " --episode 2 --episodes 2 --video " + (out / "a.mp4").string(), 1,
       "runs past the end"},
      {"--demos " + demos + " --episode -1", 2, "--episode must be >= 0"},
      {"--run " + run + " --video /nonexistent/dir/a.mp4", 1, "/nonexistent/dir does not exist"},
      {"--run " + run + " --video " + (out / "file.txt" / "a.mp4").string(), 1,
       "file.txt is not a folder"},
      {"--run " + run + " --frames " + (out / "file.txt").string(), 1, "is not a folder"},
      {"--run " + run + " --env HalfCheetah --video " + (out / "a.mp4").string(), 1,
       "does not fit task HalfCheetah"},
      {"--run " + run + " --video " + (out / "a.mp4").string() + " --width 99", 1,
       "even width and height"},
      {"--run " + run + " --demos " + demos, 2, "give one of --run"},
      {"--random", 2, "--random needs --env"},
      {"--random --env NoSuchTask --frames " + (out / "f").string(), 1, "unknown task"},
      {"--demos " + demos + " --env Hopper", 2, "do not apply to --demos"},
      {"--run " + run + " --video " + (out / "a.mp4").string() + " --frames " +
           (out / "f").string(),
       2, "not both"},
  };
  for (const Case& c : cases) {
    const auto r = Replay(c.args);
    EXPECT_EQ(r.code, c.code) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.words), std::string::npos) << c.args << "\n" << r.output;
  }
  // nothing was written for any of them
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace irlab::viewer
