#include "algos/tabular/heatmap.h"

#include "core/gnuplot.h"
#include "core/strings.h"

namespace irlab::tabular {
namespace {

namespace fs = std::filesystem;

std::string Script(const std::string& terminal, const fs::path& out, const std::string& title,
                   const std::string& caption, int width, const std::vector<Marker>& markers,
                   const std::vector<double>& true_reward,
                   const std::vector<double>& learned_reward) {
  const int height = static_cast<int>(true_reward.size()) / width;
  std::string s = GnuplotDatablock("truth", width, true_reward) +
                  GnuplotDatablock("learned", width, learned_reward) + "$markers << EOD\n";
  for (const Marker& m : markers)
    StrAppend(&s, m.cell % width, " ", m.cell / width, " ", m.kind, "\n");
  StrAppend(&s, "EOD\n");
  StrAppend(&s, "set terminal ", terminal, " size 1100,520\n", "set output '", out.string(), "'\n");
  StrAppend(&s, "set label 1 '", caption, "' at screen 0.5, 0.04 center\n");
  StrAppend(&s, "set multiplot layout 1,2 title '", title, "' margins 0.05, 0.95, 0.14, 0.86\n");
  StrAppend(&s, "set size ratio -1\nunset key\nset tics out\n",
            "set palette defined (0 '#30123b', 0.25 '#4686fb', 0.5 '#1ae4b6', 0.75 '#faba39', "
            "1 '#7a0403')\n");
  StrAppend(&s, "set xrange [-0.5:", width - 0.5, "]\nset yrange [-0.5:", height - 0.5, "]\n");
  const std::string dots =
      markers.empty() ? "" : ", $markers using 1:2:($3+1) with points pt 7 ps 0.6 lc variable";
  StrAppend(&s, "set title 'true reward'\nplot $truth matrix with image", dots, "\n");
  StrAppend(&s, "set title 'learned reward'\nplot $learned matrix with image", dots, "\n");
  StrAppend(&s, "unset multiplot\n");
  return s;
}

}  // namespace

std::vector<double> StateReward(const Mdp& mdp, const std::vector<double>& reward) {
  std::vector<double> out(mdp.num_states, 0.0);
  for (int s = 0; s < mdp.num_states; ++s) {
    for (int a = 0; a < mdp.num_actions; ++a) {
      out[s] += reward[s * mdp.num_actions + a] / mdp.num_actions;
    }
  }
  return out;
}

absl::Status WriteRewardHeatmaps(const fs::path& png, const std::string& title,
                                 const std::string& caption, int width,
                                 const std::vector<Marker>& markers,
                                 const std::vector<double>& true_reward,
                                 const std::vector<double>& learned_reward) {
  if (width < 1 || true_reward.size() != learned_reward.size() || true_reward.size() % width != 0) {
    return absl::InvalidArgumentError(StrCat(png.string(), ": rewards do not fit a grid"));
  }
  for (const std::string& text : {png.string(), title, caption}) {
    if (text.find_first_of("'\"\\\n") != std::string::npos) {
      return absl::InvalidArgumentError(StrCat(png.string(), ": quotes are not allowed in '", text,
                                               "' (it goes into a gnuplot script)"));
    }
  }
  return DrawPng(png, [&](const std::string& terminal, const fs::path& out) {
    return Script(terminal, out, title, caption, width, markers, true_reward, learned_reward);
  });
}

}  // namespace irlab::tabular
