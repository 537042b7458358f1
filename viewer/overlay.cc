#include "viewer/overlay.h"

#include "absl/strings/str_format.h"
#include "core/strings.h"

namespace irlab::viewer {

OverlayText StepOverlay(const EpisodeSource& source) {
  const EnvSpec& spec = source.env().spec();
  const StepReadout& r = source.readout();
  OverlayText o;
  auto line = [&o](std::string_view title, const std::string& value) {
    if (!o.titles.empty()) {
      o.titles += '\n';
      o.values += '\n';
    }
    o.titles += title;
    o.values += value;
  };
  line("Task", spec.name);
  line("Source", source.description());
  line("Episode", StrCat(r.episode + 1, " / ", source.num_episodes()));
  line("Step", StrCat(r.step, " / ", spec.horizon));
  line("Time", absl::StrFormat("%.2f s", r.step * spec.dt));
  line("Reward", r.step > 0 ? absl::StrFormat("%.3f", r.reward) : "-");
  line("Return", absl::StrFormat("%.2f", r.episode_return));
  if (!source.learned_label().empty()) {
    line("Learned", r.step > 0
                        ? absl::StrFormat("%.3f  (%s)", r.learned_reward, source.learned_label())
                        : "-");
    line("Learned ret", absl::StrFormat("%.2f", r.learned_return));
  }
  if (r.terminated) {
    line("Ended", "terminated");
  } else if (r.truncated) {
    line("Ended", "time limit");
  }
  return o;
}

}  // namespace irlab::viewer
