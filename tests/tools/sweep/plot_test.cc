#include "tools/sweep/plot.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/files.h"
#include "core/process.h"
#include "tests/util/test_util.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

void WriteRun(const fs::path& dir, const std::string& jsonl) {
  fs::create_directories(dir);
  ASSERT_TRUE(WriteFileAtomically(dir / "metrics.jsonl", jsonl).ok());
}

class PlotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TestDir();
    // two seeds logged at the same steps
    WriteRun(root_ / "a0", "{\"step\": 0, \"r\": 1}\n{\"step\": 10, \"r\": 3}\n");
    WriteRun(root_ / "a1", "{\"step\": 0, \"r\": 3}\n{\"step\": 10, \"r\": 5}\n");
    // two seeds logged at different steps
    WriteRun(root_ / "b0", "{\"step\": 0, \"r\": 0}\n{\"step\": 10, \"r\": 10}\n");
    WriteRun(root_ / "b1",
             "{\"step\": 0, \"r\": 0}\n{\"step\": 4, \"r\": 4}\n{\"step\": 10, \"r\": 10}\n");
    WriteRun(root_ / "c0", "{\"step\": 0, \"r\": 7}\n{\"step\": 1, \"r\": 9}\n");
    runs_ = {{root_ / "a0", {{"env", "Hopper"}, {"algo", "a"}, {"seed", "0"}}, {}},
             {root_ / "a1", {{"env", "Hopper"}, {"algo", "a"}, {"seed", "1"}}, {}},
             {root_ / "b0", {{"env", "Hopper"}, {"algo", "b"}, {"seed", "0"}}, {}},
             {root_ / "b1", {{"env", "Hopper"}, {"algo", "b"}, {"seed", "1"}}, {}},
             {root_ / "c0", {{"env", "Ant"}, {"algo", "a"}, {"seed", "0"}}, {}}};
  }

  fs::path root_;
  std::vector<RunDir> runs_;
};

TEST_F(PlotTest, AveragesSeedsPerConfigurationOneFigurePerTask) {
  PlotOptions options;
  options.metric = "r";
  auto figures = BuildCurves(runs_, options);
  ASSERT_TRUE(figures.ok()) << figures.status();
  ASSERT_EQ(figures->size(), 2u);
  EXPECT_EQ((*figures)[0].first, "Ant");
  const auto& hopper = (*figures)[1];
  EXPECT_EQ(hopper.first, "Hopper");
  ASSERT_EQ(hopper.second.size(), 2u);
  const Curve& a = hopper.second[0];
  EXPECT_EQ(a.label, "algo=a");
  EXPECT_EQ(a.seeds, 2);
  EXPECT_EQ(a.x, (std::vector<double>{0, 10}));
  EXPECT_EQ(a.mean, (std::vector<double>{2, 4}));
  EXPECT_EQ(a.std, (std::vector<double>{1, 1}));
  // different steps: a 200-point grid, both seeds on the same line y = x
  const Curve& b = hopper.second[1];
  EXPECT_EQ(b.label, "algo=b");
  ASSERT_EQ(b.x.size(), 200u);
  for (size_t i = 0; i < b.x.size(); ++i) {
    EXPECT_NEAR(b.mean[i], b.x[i], 1e-9);
    EXPECT_NEAR(b.std[i], 0, 1e-9);
  }
  options.smooth = 2;
  auto smoothed = BuildCurves({runs_[0], runs_[1]}, options);
  EXPECT_EQ((*smoothed)[0].second[0].mean, (std::vector<double>{2, 3}));
}

TEST_F(PlotTest, RunsOfTwoSweepsWithTheSameNamesStaySeparate) {
  // two sweep directories whose cells have the same name and variables
  for (const char* sweep : {"trials-1", "trials-2"}) {
    const fs::path out = root_ / sweep;
    const fs::path state = out / ".sweep" / "cells" / "algo-a" / "seed-0";
    fs::create_directories(state);
    ASSERT_TRUE(WriteFileAtomically(state / "sweep.log", "ok\n").ok());
    ASSERT_TRUE(WriteFileAtomically(state / "sweep.done",
                                    "command = [\"x\"]\n[vars]\n\"algo\" = \"a\"\n"
                                    "\"env\" = \"Hopper\"\n\"seed\" = \"0\"\n")
                    .ok());
    WriteRun(out / "algo-a" / "seed-0",
             std::string("{\"step\": 0, \"r\": ") + (sweep[7] == '1' ? "1" : "5") + "}\n");
  }
  auto one = CollectRuns({root_ / "trials-1"});
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].vars.count("sweep"), 0u);  // one directory: nothing added

  auto both = CollectRuns({root_ / "trials-1", root_ / "trials-2"});
  ASSERT_TRUE(both.ok()) << both.status();
  ASSERT_EQ(both->size(), 2u);
  PlotOptions options;
  options.metric = "r";
  auto figures = BuildCurves(*both, options);
  ASSERT_TRUE(figures.ok()) << figures.status();
  ASSERT_EQ(figures->size(), 1u);
  const auto& curves = (*figures)[0].second;
  ASSERT_EQ(curves.size(), 2u);  // not one curve averaging the two sweeps
  EXPECT_EQ(curves[0].label, "sweep=" + (root_ / "trials-1").string());
  EXPECT_EQ(curves[0].mean, (std::vector<double>{1}));
  EXPECT_EQ(curves[1].label, "sweep=" + (root_ / "trials-2").string());
  EXPECT_EQ(curves[1].mean, (std::vector<double>{5}));
}

TEST_F(PlotTest, BcIsFlatAndExpertAndRandomAreReferenceLines) {
  // BC logs eval_return at its last gradient step; the others at env steps
  WriteRun(root_ / "t0",
           "{\"step\": 0, \"eval_return\": 10}\n{\"step\": 1000, \"eval_return\": 50}\n");
  WriteRun(root_ / "bc0", "{\"step\": 20000, \"eval_return\": 30}\n");
  for (const char* run : {"t0", "bc0"}) {
    ASSERT_TRUE(WriteFileAtomically(root_ / run / "eval.json",
                                    "{\"expert_return\": 100, \"random_return\": 0}\n")
                    .ok());
    ASSERT_TRUE(WriteFileAtomically(root_ / run / "config.toml",
                                    std::string("env = \"Hopper\"\nalgo = \"") +
                                        (run == std::string("bc0") ? "bc" : "gail") + "\"\n")
                    .ok());
  }
  PlotOptions options;
  options.metric = "eval_return";
  auto figures = BuildCurves({{root_ / "t0", {{"env", "Hopper"}, {"algo", "gail"}}, {}},
                              {root_ / "bc0", {{"env", "Hopper"}, {"algo", "bc"}}, {}}},
                             options);
  ASSERT_TRUE(figures.ok()) << figures.status();
  const std::vector<Curve>& curves = (*figures)[0].second;
  ASSERT_EQ(curves.size(), 4u);
  EXPECT_EQ(curves[0].label, "algo=bc, final (no env steps)");
  EXPECT_TRUE(curves[0].flat);
  EXPECT_EQ(curves[0].mean, (std::vector<double>{30}));
  EXPECT_EQ(curves[1].label, "algo=gail");
  EXPECT_FALSE(curves[1].flat);
  EXPECT_EQ(curves[2].label, "expert (demonstrations)");
  EXPECT_EQ(curves[2].mean, (std::vector<double>{100}));
  EXPECT_EQ(curves[3].label, "random policy");
  EXPECT_EQ(curves[3].mean, (std::vector<double>{0}));
  // a normalised score: the references are 1 and 0
  options.metric = "eval_normalized_score";
  WriteRun(root_ / "t1", "{\"step\": 0, \"eval_normalized_score\": 0.5}\n");
  ASSERT_TRUE(WriteFileAtomically(root_ / "t1" / "eval.json",
                                  "{\"expert_return\": 100, \"random_return\": 0}\n")
                  .ok());
  auto scores = BuildCurves({{root_ / "t1", {{"env", "Hopper"}}, {}}}, options);
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ((*scores)[0].second.size(), 3u);
  EXPECT_EQ((*scores)[0].second[1].mean, (std::vector<double>{1}));
  EXPECT_EQ((*scores)[0].second[2].mean, (std::vector<double>{0}));
  // and the figure draws them, the x axis ending at the last step
  if (!FindInPath("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (gnuplot-nox)";
  options.metric = "eval_return";
  options.out = root_ / "fig.png";
  options.width = 480;
  options.height = 320;
  auto written = PlotRuns({root_ / "t0", root_ / "bc0"}, options);
  ASSERT_TRUE(written.ok()) << written.status();
  const std::string svg = *ReadFile(root_ / "fig.svg");
  EXPECT_NE(svg.find("expert (demonstrations)"), std::string::npos);
  EXPECT_NE(svg.find("random policy"), std::string::npos);
}

TEST_F(PlotTest, WritesPngAndSvgThroughGnuplot) {
  if (!FindInPath("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (gnuplot-nox)";
  // make root_ a sweep's --out whose cells are the runs
  for (const auto& run : runs_) {
    std::string marker = "command = []\n[vars]\n";
    for (const auto& [k, v] : run.vars) marker += k + " = \"" + v + "\"\n";
    const fs::path state = root_ / ".sweep/cells" / run.dir.filename();
    fs::create_directories(state);
    ASSERT_TRUE(WriteFileAtomically(state / "sweep.done", marker).ok());
    ASSERT_TRUE(WriteFileAtomically(state / "sweep.log", "").ok());
  }
  PlotOptions options;
  options.metric = "r";
  options.out = root_ / "figs/curves.png";
  options.width = 480;
  options.height = 320;
  auto written = PlotRuns({root_}, options);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(*written, (std::vector<fs::path>{
                          root_ / "figs/curves-Ant.png", root_ / "figs/curves-Ant.svg",
                          root_ / "figs/curves-Hopper.png", root_ / "figs/curves-Hopper.svg"}));
  EXPECT_EQ(ReadFile(root_ / "figs/curves-Hopper.png")->substr(0, 8), "\x89PNG\r\n\x1a\n");
  const std::string svg = *ReadFile(root_ / "figs/curves-Hopper.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("algo=b (2 seeds)"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "figs" / ".plot.tmp"));
  auto none = PlotRuns({root_}, [&] {
    PlotOptions o = options;
    o.metric = "missing";
    return o;
  }());
  EXPECT_FALSE(none.ok());
}

}  // namespace
}  // namespace irlab::sweep
