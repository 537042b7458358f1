#include "tools/sweep/plot.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_join.h"
#include "core/files.h"
#include "core/gnuplot.h"
#include "core/status.h"
#include "core/strings.h"
#include "tools/sweep/table.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

// matplotlib's tab10, so figures look familiar
const char* const kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

using Series = std::vector<std::pair<double, double>>;

Series Smooth(const Series& s, int window) {
  if (window <= 1) return s;
  Series out;
  double sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    sum += s[i].second;
    if (i >= static_cast<size_t>(window)) sum -= s[i - window].second;
    const size_t n = std::min(i + 1, static_cast<size_t>(window));
    out.emplace_back(s[i].first, sum / static_cast<double>(n));
  }
  return out;
}

// Linear interpolation of a series sorted by x; nullopt outside its range.
std::optional<double> Interpolate(const Series& s, double x) {
  if (s.empty() || x < s.front().first || x > s.back().first) return std::nullopt;
  auto it =
      std::lower_bound(s.begin(), s.end(), x, [](const auto& p, double v) { return p.first < v; });
  if (it->first == x || it == s.begin()) return it->second;
  const auto& [x1, y1] = *it;
  const auto& [x0, y0] = *(it - 1);
  return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

Curve Aggregate(const std::vector<Series>& runs) {
  Curve curve;
  curve.seeds = static_cast<int>(runs.size());
  bool same_x = true;
  for (const Series& s : runs) {
    same_x = same_x && s.size() == runs[0].size() &&
             std::equal(s.begin(), s.end(), runs[0].begin(),
                        [](const auto& a, const auto& b) { return a.first == b.first; });
  }
  std::vector<double> grid;
  if (same_x) {
    for (const auto& p : runs[0]) grid.push_back(p.first);
  } else {
    double lo = INFINITY, hi = -INFINITY;
    for (const Series& s : runs) {
      if (s.empty()) continue;
      lo = std::min(lo, s.front().first);
      hi = std::max(hi, s.back().first);
    }
    constexpr int kPoints = 200;
    for (int i = 0; i < kPoints && lo <= hi; ++i) {
      grid.push_back(lo + (hi - lo) * i / (kPoints - 1));
      if (lo == hi) break;
    }
  }
  for (size_t i = 0; i < grid.size(); ++i) {
    std::vector<double> values;
    for (const Series& s : runs) {
      if (same_x) {
        values.push_back(s[i].second);
      } else if (auto v = Interpolate(s, grid[i])) {
        values.push_back(*v);
      }
    }
    if (values.empty()) continue;
    auto [mean, std] = MeanStd(values);
    curve.x.push_back(grid[i]);
    curve.mean.push_back(mean);
    curve.std.push_back(std);
  }
  return curve;
}

std::string GnuplotQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A number for a gnuplot script, exactly.
std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

std::string PathSafe(std::string_view s) {
  std::string out;
  for (char c : s)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out.empty() ? "_" : out;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::vector<Curve>>>> BuildCurves(
    const std::vector<RunDir>& runs, const PlotOptions& options) {
  // figure -> configuration -> series of its seeds
  std::map<std::string, std::map<Vars, std::vector<Series>>> figures;
  std::set<std::pair<std::string, Vars>> bc_configs;
  std::map<std::string, std::vector<double>> expert_refs, random_refs;
  std::vector<std::string> figure_order;
  int read = 0;
  std::string last_error;
  for (const RunDir& run : runs) {
    auto series = ReadMetric(run.dir, options.metric);
    if (!series.ok()) {
      last_error = std::string(series.status().message());
      std::fprintf(stderr, "irlab plot: skipping %s\n", last_error.c_str());
      continue;
    }
    if (series->empty()) continue;
    std::stable_sort(series->begin(), series->end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // a sweep's own variables tell configurations apart; config.toml's may
    // hold per-run values (paths) that would split them
    Vars config = run.sweep_vars.empty() ? run.vars : run.sweep_vars;
    config.erase("seed");
    std::string figure;
    if (auto it = run.vars.find(options.figure_by); it != run.vars.end()) figure = it->second;
    config.erase(options.figure_by);
    if (!figures.count(figure)) figure_order.push_back(figure);
    if (auto algo = run.vars.find("algo"); algo != run.vars.end() && algo->second == "bc") {
      bc_configs.insert({figure, config});
    }
    figures[figure][config].push_back(Smooth(*series, options.smooth));
    ++read;
    // the references the figure's normalised scores use
    for (const auto& [key, sink] : {std::pair{"eval.json:expert_return", &expert_refs[figure]},
                                    std::pair{"eval.json:random_return", &random_refs[figure]}}) {
      if (auto ref = ReadMetric(run.dir, key); ref.ok() && !ref->empty())
        sink->push_back(ref->back().second);
    }
  }
  if (read == 0) {
    return absl::NotFoundError(StrCat("no run has values of '", options.metric, "'",
                                      last_error.empty() ? "" : StrCat(" (", last_error, ")")));
  }
  std::sort(figure_order.begin(), figure_order.end());
  std::vector<std::pair<std::string, std::vector<Curve>>> out;
  for (const auto& figure : figure_order) {
    const auto& groups = figures[figure];
    // label curves by the variables that differ between them
    std::set<std::string> varying;
    for (const auto& [config, series] : groups) {
      for (const auto& [k, v] : config) {
        for (const auto& [other, unused] : groups) {
          auto it = other.find(k);
          if (it == other.end() || it->second != v) varying.insert(k);
        }
      }
    }
    std::vector<Curve> curves;
    for (const auto& [config, series] : groups) {
      Curve curve = Aggregate(series);
      std::vector<std::string> parts;
      for (const auto& k : varying) {
        if (auto it = config.find(k); it != config.end())
          parts.push_back(StrCat(k, "=", it->second));
      }
      curve.label = parts.empty() ? options.metric : absl::StrJoin(parts, " ");
      if (bc_configs.count({figure, config}) && !curve.mean.empty()) {
        // BC's steps are gradient steps: its final value, across the env-step axis
        curve = Curve{StrCat(curve.label, ", final (no env steps)"),
                      curve.seeds,
                      {curve.x.back()},
                      {curve.mean.back()},
                      {curve.std.back()},
                      true};
      }
      curves.push_back(std::move(curve));
    }
    const std::string& m = options.metric;
    const bool score = m.find("normalized_score") != std::string::npos;
    const bool true_return =
        m == "eval_return" || m == "episode_return" || m == "eval.json:return_mean";
    const auto& experts = expert_refs[figure];
    const auto& randoms = random_refs[figure];
    if ((score || true_return) && !experts.empty() && !randoms.empty()) {
      const double expert = MeanStd(experts).first, random = MeanStd(randoms).first;
      curves.push_back({"expert (demonstrations)", 0, {0}, {score ? 1.0 : expert}, {0}, true});
      curves.push_back({"random policy", 0, {0}, {score ? 0.0 : random}, {0}, true});
    }
    out.emplace_back(figure, std::move(curves));
  }
  return out;
}

absl::StatusOr<std::vector<RunDir>> CollectRuns(const std::vector<fs::path>& dirs) {
  std::vector<RunDir> runs;
  for (const fs::path& dir : dirs) {
    IRLAB_ASSIGN_OR_RETURN(RunScan scan, FindRuns(dir));
    for (RunDir& run : scan.runs) {
      if (dirs.size() > 1) {
        run.vars["sweep"] = dir.string();
        if (!run.sweep_vars.empty()) run.sweep_vars["sweep"] = dir.string();
      }
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

absl::StatusOr<std::vector<fs::path>> PlotRuns(const std::vector<fs::path>& dirs,
                                               const PlotOptions& options) {
  // before reading any run
  if (!FindInPath("gnuplot")) return absl::FailedPreconditionError(kGnuplotMissing);
  IRLAB_ASSIGN_OR_RETURN(std::vector<RunDir> runs, CollectRuns(dirs));
  if (runs.empty()) return absl::NotFoundError("no finished runs under the given directories");
  IRLAB_ASSIGN_OR_RETURN(auto figures, BuildCurves(runs, options));

  const fs::path out = fs::absolute(options.out);
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(out.parent_path()));
  const fs::path tmp_dir = out.parent_path() / StrCat(".plot.tmp.", ::getpid());
  IRLAB_RETURN_IF_ERROR(EnsureDirectory(tmp_dir));
  std::vector<fs::path> written;
  absl::Status status;
  for (size_t f = 0; f < figures.size() && status.ok(); ++f) {
    const auto& [figure, curves] = figures[f];
    fs::path png = out;
    if (png.extension() != ".png") png += ".png";
    if (figures.size() > 1) {
      png = out.parent_path() / StrCat(png.stem().string(), "-", PathSafe(figure), ".png");
    }
    const fs::path svg = fs::path(png).replace_extension(".svg");
    std::string data;
    double x_lo = INFINITY, x_hi = -INFINITY;
    for (const Curve& c : curves) {
      if (c.flat || c.x.empty()) continue;
      x_lo = std::min(x_lo, c.x.front());
      x_hi = std::max(x_hi, c.x.back());
    }
    if (!(x_lo <= x_hi)) x_lo = 0, x_hi = 1;  // only flat curves
    if (x_lo == x_hi) x_hi = x_lo + 1;
    for (const Curve& c : curves) {
      for (size_t i = 0; i < c.x.size(); ++i) {
        char line[128];
        std::snprintf(line, sizeof(line), "%.10g %.10g %.10g\n", c.x[i], c.mean[i], c.std[i]);
        data += line;
      }
      data += "\n\n";  // gnuplot's index separator
    }
    const fs::path data_path = tmp_dir / StrCat("figure", f, ".dat");
    const fs::path tmp_png = tmp_dir / "out.png", tmp_svg = tmp_dir / "out.svg";
    std::string title = options.title;
    if (title.empty())
      title = figure.empty() ? options.metric : StrCat(figure, ": ", options.metric);
    StrAppend(&title, " (mean ± std over seeds)");

    std::string plot = "plot ";
    for (size_t i = 0; i < curves.size(); ++i) {
      const Curve& c = curves[i];
      const std::string d = GnuplotQuote(data_path.string());
      const std::string label =
          c.seeds > 0 ? StrCat(c.label, " (", c.seeds, c.seeds == 1 ? " seed)" : " seeds)")
                      : c.label;
      StrAppend(&plot, i ? ", \\\n     " : "");
      if (c.flat) {
        // a constant across the learning curves' range
        const bool reference = c.seeds == 0;
        const char* color = reference ? (i + 1 == curves.size() ? "#555555" : "#000000")
                                      : kColors[i % std::size(kColors)];
        StrAppend(&plot, Number(c.mean.back()), " with lines lw 2 dt ", reference ? "3" : "2",
                  " lc rgb \"", color, "\" title ", GnuplotQuote(label));
        continue;
      }
      const char* color = kColors[i % std::size(kColors)];
      StrAppend(&plot, d, " index ", i, " using 1:($2-$3):($2+$3) with filledcurves lc rgb \"",
                color, "\" notitle, \\\n     ", d, " index ", i, " using 1:2 ",
                c.x.size() == 1 ? "with points pt 7 ps 1.5" : "with lines lw 2", " lc rgb \"",
                color, "\" title ", GnuplotQuote(label));
    }
    const std::string script = StrCat(
        "set terminal pngcairo size ", options.width, ",", options.height,
        " enhanced font \"Sans,11\"\n"
        "set output ",
        GnuplotQuote(tmp_png.string()), "\n", "set title ", GnuplotQuote(title), " noenhanced\n",
        "set xlabel \"step\"\n"
        "set ylabel ",
        GnuplotQuote(options.metric), " noenhanced\n",
        // the key below the axes never covers a curve or its band
        "set key below noenhanced\n"
        "set grid\n"
        // a margin above and below, so that reference lines at the data's extremes
        // (the random policy's 0, the expert's 1) are not drawn on the frame
        "set offsets graph 0, 0, 0.05, 0.05\n"
        "set xrange [",
        Number(x_lo), ":", Number(x_hi),
        "]\n"
        "set format x \"%.1s%c\"\n"
        "set rmargin 6\n"
        "set style fill transparent solid 0.2 noborder\n",
        plot, "\n", "set terminal svg size ", options.width, ",", options.height,
        " dynamic enhanced font \"Sans,11\"\n"
        "set output ",
        GnuplotQuote(tmp_svg.string()), "\n",
        "replot\n"
        "unset output\n");
    const fs::path script_path = tmp_dir / StrCat("figure", f, ".gp");
    status = WriteFileAtomically(data_path, data);
    if (status.ok()) status = WriteFileAtomically(script_path, script);
    if (!status.ok()) break;
    auto result = RunGnuplot(script_path);
    if (!result.ok()) {
      status = result.status();
    } else if (result->exit_code != 0) {
      status = absl::InternalError(
          StrCat("gnuplot failed (exit ", result->exit_code, "): ", result->err));
    } else {
      std::error_code ec;
      fs::rename(tmp_png, png, ec);
      if (!ec) fs::rename(tmp_svg, svg, ec);
      if (ec) status = absl::UnavailableError(StrCat(png.string(), ": ", ec.message()));
      written.push_back(png);
      written.push_back(svg);
    }
  }
  std::error_code ec;
  fs::remove_all(tmp_dir, ec);
  if (!status.ok()) return status;
  return written;
}

}  // namespace irlab::sweep
