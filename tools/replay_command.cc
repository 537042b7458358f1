// irlab replay: watch a trained policy, random actions or stored
// demonstrations in a MuJoCo viewer window, render them headlessly to a video
// or PNG frames, or draw a point maze's reward heatmap.
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "algos/adversarial/learned_reward.h"
#include "algos/ppo/policy.h"
#include "algos/ppo/policy_state.h"
#include "core/config.h"
#include "core/strings.h"
#include "envs/options.h"
#include "tools/cli_util.h"
#include "viewer/episode_source.h"
#include "viewer/interactive_viewer.h"
#include "viewer/maze_heatmap.h"
#include "viewer/recorder.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;

// The learned reward of a run, when it has a reward net. Reward nets come
// with the adversarial algorithms (AIRL, GAIL): their loader plugs in here;
// until then no run has one and only the true reward is shown.
// The learned reward of an `irlab train` run (AIRL's g, GAIL's or GAN-GCL's
// reward), or nothing for runs without one (experts, BC).
viewer::DisplayedReward LearnedRewardOf(const fs::path& run) {
  auto loaded = LoadLearnedReward(run);
  if (!loaded.ok()) return {};
  auto reward = std::make_shared<irlab::LearnedReward>(std::move(*loaded));
  viewer::DisplayedReward out;
  out.label =
      reward->config.algorithm() == Algo::kAirl ? "AIRL g(s)" : reward->config.algo + " reward";
  out.reward = [reward](std::span<const float> obs, std::span<const float> action,
                        std::span<const float> next_obs) {
    std::vector<float> o(obs.begin(), obs.end()), n(next_obs.begin(), next_obs.end());
    std::vector<float> a(action.begin(), action.end());
    NormalizeObs(reward->policy, o, o);
    NormalizeObs(reward->policy, n, n);
    const float done = 0;
    float r = 0;
    reward->disc->UnshapedReward(
        {.size = 1, .obs = o.data(), .act = a.data(), .next_obs = n.data(), .done = &done}, &r);
    return double(r);
  };
  return out;
}

struct ReplayFlags {
  std::string run, env, demos, video, frames, heatmap;
  bool random = false, deterministic = false, no_overlay = false, paused = false;
  int episode = 0, episodes = 0, width = 0, height = 0, grid = 100;
  double fps = 0, speed = 1;
  int64_t seed = 0;
  std::vector<std::string> sets;
};

// Checks which flags go together; an error message or "".
std::string CheckCombination(const ReplayFlags& f) {
  const int sources = !f.run.empty() + !f.demos.empty() + f.random;
  if (!f.heatmap.empty()) {
    if (!f.demos.empty() || f.random || !f.video.empty() || !f.frames.empty()) {
      return "--heatmap takes --env and/or --run only";
    }
    if (f.run.empty() && f.env.empty()) return "--heatmap needs --env (a point maze) or --run";
    return "";
  }
  if (sources != 1) return "give one of --run RUN_DIR, --demos FILE or --random (with --env)";
  if (f.random && f.env.empty()) return "--random needs --env TASK";
  if (!f.demos.empty() && (!f.env.empty() || !f.sets.empty() || f.deterministic)) {
    return "--env, --set and --deterministic do not apply to --demos (the file names its task "
           "and env options)";
  }
  if (!f.video.empty() && !f.frames.empty()) return "give --video or --frames, not both";
  if (f.episode < 0) return "--episode must be >= 0";
  if (f.episodes < 0) return "--episodes must be >= 1";
  if (f.seed < 0) return "--seed must be >= 0";
  return "";
}

int DrawHeatmap(const ReplayFlags& f) {
  std::string task = f.env;
  viewer::DisplayedReward learned;
  if (!f.run.empty()) {
    auto policy = Policy::Load(f.run);
    if (!policy.ok()) return Fail("replay", policy.status());
    if (task.empty()) task = (*policy)->env_name();
    learned = LearnedRewardOf(f.run);
    if (!learned) {
      std::printf("%s has no learned reward: drawing the true reward only\n", f.run.c_str());
    }
  }
  auto grid = viewer::SampleMaze(task, learned, f.grid);
  if (!grid.ok()) return Fail("replay", grid.status());
  if (absl::Status s = viewer::WriteMazeHeatmap(f.heatmap, task, *grid, learned.label); !s.ok()) {
    return Fail("replay", s);
  }
  std::printf("wrote %s: %s reward over a %dx%d grid\n", f.heatmap.c_str(), task.c_str(), grid->nx,
              grid->ny);
  return 0;
}

}  // namespace

int ReplayCommand(const Args& args) {
  ReplayFlags f;
  FlagParser flags(
      "replay",
      "Shows episodes in a MuJoCo viewer window: a trained policy (--run), uniform random\n"
      "actions (--random --env TASK) or stored demonstrations (--demos, drawn from their stored\n"
      "qpos/qvel). With --video or --frames it renders offscreen instead (no window; on a\n"
      "headless machine run under `xvfb-run -a`). With --heatmap it draws a point maze's reward\n"
      "over the (x, y) plane (the true reward, and the learned one beside it when the run has\n"
      "a reward net).\n\n"
      "keys: space play/pause, right one step, up/down faster/slower, r restart, n/p next/\n"
      "previous episode, c camera (model, tracking, free), h help, esc quit; mouse drags\n"
      "rotate (left) and move (right), the wheel zooms.");
  flags.Add("run", &f.run, "run directory (its checkpoint.pt) or a checkpoint file");
  flags.Add("demos", &f.demos, "demonstration file (HDF5) to replay");
  flags.Add("random", &f.random, "uniform random actions on --env");
  flags.Add("env", &f.env, "task (default: the policy's own)");
  flags.Add("episode", &f.episode, "first episode to show (0-based)");
  flags.Add("episodes", &f.episodes,
            "episodes to show [window: 20 for policies, the rest of the file for demos; "
            "video/frames: 1]");
  flags.Add("deterministic", &f.deterministic, "act with the policy's mean instead of sampling");
  flags.Add("seed", &f.seed, "episode k starts from reset seed DeriveSeed(seed, k)");
  flags.Add("set", &f.sets, "env option override, e.g. --set horizon=200");
  flags.Add("video", &f.video, "render offscreen to this video file (.mp4, through ffmpeg)");
  flags.Add("frames", &f.frames, "render offscreen to PNG frames in this folder");
  flags.Add("width", &f.width, "frame width in pixels [video/frames 640, window 1280]");
  flags.Add("height", &f.height, "frame height in pixels [video/frames 480, window 720]");
  flags.Add("fps", &f.fps, "frames per simulated second (0: one per env step, at most 60)");
  flags.Add("no-overlay", &f.no_overlay, "no text over video frames");
  flags.Add("paused", &f.paused, "window: start paused");
  flags.Add("speed", &f.speed, "window: playback speed (1 = real time)");
  flags.Add("heatmap", &f.heatmap, "write a point maze's reward heatmap to this PNG");
  flags.Add("grid", &f.grid, "heatmap cells along the longer side");
  if (int code = ParseFlagsOrExit(flags, args); code >= 0) return code;
  if (std::string error = CheckCombination(f); !error.empty()) {
    std::fprintf(stderr, "irlab replay: %s\n", error.c_str());
    return 2;
  }
  if (!f.heatmap.empty()) return DrawHeatmap(f);

  // check the output before loading or rendering anything
  const bool record = !f.video.empty() || !f.frames.empty();
  if (f.width <= 0) f.width = record ? 640 : 1280;
  if (f.height <= 0) f.height = record ? 480 : 720;
  viewer::RecordOptions record_options{.video = f.video,
                                       .frames_dir = f.frames,
                                       .width = f.width,
                                       .height = f.height,
                                       .fps = f.fps,
                                       .overlay = !f.no_overlay};
  if (record) {
    if (absl::Status s = viewer::CheckRecordOptions(record_options); !s.ok()) {
      return Fail("replay", s);
    }
  }

  std::unique_ptr<viewer::EpisodeSource> source;
  if (!f.demos.empty()) {
    auto demos = viewer::DemoSource::Open(f.demos);
    if (!demos.ok()) return Fail("replay", demos.status());
    source = std::move(*demos);
  } else {
    viewer::PolicySourceOptions options;
    if (!f.run.empty() && f.env.empty()) {  // the task as the run had it
      if (absl::Status s = ApplyRunEnvOptions(RunDirOf(f.run), options.env_options); !s.ok()) {
        return Fail("replay", s);
      }
    }
    if (absl::Status s = LoadConfig(options.env_options, "", f.sets); !s.ok()) {
      return Fail("replay", s);
    }
    options.task = f.env;
    options.episodes = f.episode + (f.episodes > 0 ? f.episodes : record ? 1 : 20);
    options.deterministic = f.deterministic;
    options.seed = static_cast<uint64_t>(f.seed);
    std::unique_ptr<Policy> policy;
    if (!f.run.empty()) {
      std::error_code ec;
      if (!fs::exists(f.run, ec)) {
        return Fail("replay", absl::NotFoundError(StrCat("run ", f.run, " does not exist")));
      }
      auto loaded = Policy::Load(f.run);
      if (!loaded.ok()) return Fail("replay", loaded.status());
      policy = std::move(*loaded);
      options.learned = LearnedRewardOf(f.run);
    }
    // the overlay names the run by its folder (or checkpoint file)
    const fs::path run_path = fs::path(f.run).lexically_normal();
    const std::string run_name = run_path.has_filename()
                                     ? run_path.filename().string()
                                     : run_path.parent_path().filename().string();
    auto made = viewer::PolicySource::Create(std::move(policy), run_name, options);
    if (!made.ok()) return Fail("replay", made.status());
    source = std::move(*made);
  }
  const int available = source->num_episodes();
  if (f.episode >= available) {
    return Fail("replay", absl::OutOfRangeError(StrCat(
                              "--episode ", f.episode, " is out of range: ", source->description(),
                              " has ", available, " episode(s), 0 to ", available - 1)));
  }

  if (record) {
    const int count = f.episodes > 0 ? f.episodes : 1;
    if (f.episode + count > available) {
      return Fail("replay",
                  absl::OutOfRangeError(StrCat("--episode ", f.episode, " --episodes ", count,
                                               " runs past the end: ", source->description(),
                                               " has ", available, " episode(s)")));
    }
    std::vector<int> episodes;
    for (int e = f.episode; e < f.episode + count; ++e) episodes.push_back(e);
    auto summary = viewer::Record(*source, episodes, record_options, [](const auto& r) {
      std::printf("episode %3d  return %10.2f  length %5d  %s\n", r.episode, r.episode_return,
                  r.step, r.terminated ? "terminated" : "truncated");
    });
    if (!summary.ok()) return Fail("replay", summary.status());
    std::printf("wrote %s: %lld frames of %dx%d at %g fps\n",
                (f.video.empty() ? f.frames : f.video).c_str(),
                static_cast<long long>(summary->frames), f.width, f.height, summary->fps);
    return 0;
  }

  if (absl::Status s = source->Start(f.episode); !s.ok()) return Fail("replay", s);
  auto window = viewer::InteractiveViewer::Open(
      *source, {.width = f.width, .height = f.height, .paused = f.paused, .speed = f.speed});
  if (!window.ok()) return Fail("replay", window.status());
  if (absl::Status s = (*window)->Run(); !s.ok()) return Fail("replay", s);
  return 0;
}

}  // namespace irlab
