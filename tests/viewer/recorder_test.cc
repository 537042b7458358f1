// Offscreen recording: videos and PNG frames have the expected count and
// size, outputs are checked before rendering, failures leave no file.
#include "viewer/recorder.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "tests/viewer/test_util.h"

namespace irlab::viewer {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<PolicySource> RandomCheetah(int horizon, int episodes) {
  PolicySourceOptions options;
  options.task = "HalfCheetah";
  options.env_options.horizon = horizon;
  options.episodes = episodes;
  options.seed = 11;
  auto source = PolicySource::Create(nullptr, "", options);
  EXPECT_TRUE(source.ok()) << source.status();
  return source.ok() ? std::move(*source) : nullptr;
}

int FilesIn(const fs::path& dir) {
  return static_cast<int>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

TEST(RecorderTest, FrameArithmetic) {
  EXPECT_EQ(DefaultFps(0.05), 20);  // HalfCheetah: one frame per step
  EXPECT_EQ(DefaultFps(0.04), 25);
  EXPECT_EQ(DefaultFps(0.02), 50);
  EXPECT_EQ(DefaultFps(0.008), 60);  // Hopper: 125 steps/s, capped
  EXPECT_EQ(DefaultFps(0.015), 60);
  EXPECT_EQ(FramesPerEpisode(30, 0.05, 20), 31);  // every state, reset included
  EXPECT_EQ(FramesPerEpisode(30, 0.05, 10), 16);  // every other state
  EXPECT_EQ(FramesPerEpisode(1000, 0.008, 60), 481);
  EXPECT_EQ(FramesPerEpisode(0, 0.05, 20), 1);
}

TEST(RecorderTest, VideoHasExpectedFramesAndSize) {
  auto source = RandomCheetah(12, 2);
  ASSERT_NE(source, nullptr);
  const fs::path dir = testing::TestDir();
  const fs::path video = dir / "cheetah.mp4";
  std::vector<int> lengths;
  auto summary = Record(*source, {0, 1}, {.video = video, .width = 160, .height = 96},
                        [&](const StepReadout& r) { lengths.push_back(r.step); });
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(lengths, (std::vector<int>{12, 12}));
  EXPECT_EQ(summary->fps, 20);
  EXPECT_EQ(summary->frames, 26);
  const testing::VideoFacts facts = testing::Probe(video);
  EXPECT_EQ(facts.frames, 26);
  EXPECT_EQ(facts.width, 160);
  EXPECT_EQ(facts.height, 96);
  EXPECT_EQ(facts.codec, "h264");
  EXPECT_EQ(FilesIn(dir), 1);  // no temporary or log file left
}

TEST(RecorderTest, FramesAtChosenFps) {
  auto source = RandomCheetah(30, 2);
  ASSERT_NE(source, nullptr);
  const fs::path frames = testing::TestDir() / "frames";
  auto summary = Record(*source, {1}, {.frames_dir = frames, .width = 96, .height = 64, .fps = 10});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->frames, 16);
  EXPECT_EQ(FilesIn(frames), 16);
  EXPECT_TRUE(fs::exists(frames / "frame_000015.png"));
  const testing::VideoFacts facts = testing::Probe(frames / "frame_000000.png");
  EXPECT_EQ(facts.width, 96);
  EXPECT_EQ(facts.height, 64);
  // the same folder is not written over
  auto again = Record(*source, {1}, {.frames_dir = frames, .width = 96, .height = 64});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();
}

TEST(RecorderTest, BadOutputsAreRefusedBeforeRendering) {
  const fs::path dir = testing::TestDir();
  std::ofstream(dir / "file.txt") << "x";
  struct Case {
    RecordOptions options;
    const char* words;
  };
  const Case cases[] = {
      {{}, "exactly one"},
      {{.video = dir / "a.mp4", .frames_dir = dir / "f"}, "exactly one"},
      {{.video = dir / "missing" / "a.mp4"}, "does not exist"},
      {{.video = dir / "file.txt" / "a.mp4"}, "file.txt is not a folder"},
      {{.video = dir}, "is a directory"},
      {{.video = dir / "a"}, "no file extension"},
      {{.video = dir / "a.mp4", .width = 321}, "even width and height"},
      {{.video = dir / "a.mp4", .width = 8}, "outside 16..8192"},
      {{.frames_dir = dir / "file.txt"}, "not a folder"},
      {{.frames_dir = dir / "file.txt" / "sub"}, "not a writable folder"},
  };
  for (const Case& c : cases) {
    const absl::Status s = CheckRecordOptions(c.options);
    EXPECT_FALSE(s.ok()) << c.words;
    EXPECT_NE(std::string(s.message()).find(c.words), std::string::npos) << s;
  }
  auto source = RandomCheetah(5, 1);
  ASSERT_NE(source, nullptr);
  auto out_of_range = Record(*source, {1}, {.video = dir / "a.mp4"});
  EXPECT_EQ(out_of_range.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(FilesIn(dir), 1);
}

TEST(RecorderTest, NewRelativeFramesFoldersAreAccepted) {
  // "frames/" and "a/b/" under the working directory do not exist yet: the
  // working directory is the folder they will be created in
  const fs::path dir = testing::TestDir() / "relative_frames";
  fs::create_directories(dir);
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  for (const char* frames : {"frames/", "frames", "a/b/", "a/b", "./c/"}) {
    const absl::Status s = CheckRecordOptions({.frames_dir = frames});
    EXPECT_TRUE(s.ok()) << frames << ": " << s;
  }
  fs::current_path(cwd);
}

TEST(RecorderTest, FfmpegFailureLeavesNoFile) {
  // ffmpeg knows no container for this extension: its own message is reported
  auto source = RandomCheetah(5, 1);
  ASSERT_NE(source, nullptr);
  const fs::path dir = testing::TestDir();
  auto summary =
      Record(*source, {0}, {.video = dir / "clip.notaformat", .width = 64, .height = 48});
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(std::string(summary.status().message()).find("clip.notaformat"), std::string::npos)
      << summary.status();
  EXPECT_NE(std::string(summary.status().message()).find("format"), std::string::npos)
      << summary.status();
  EXPECT_EQ(FilesIn(dir), 0);
}

}  // namespace
}  // namespace irlab::viewer
