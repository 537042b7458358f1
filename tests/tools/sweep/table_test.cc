#include "tools/sweep/table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/files.h"
#include "tests/util/test_util.h"
#include "tools/sweep/run_data.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

// A finished sweep cell: metrics.jsonl in <out>/<id>, the marker with its
// [vars] in <out>/.sweep/cells/<id>.
void WriteCell(const fs::path& out, const std::string& id, const Vars& vars,
               const std::string& jsonl) {
  fs::create_directories(out / id);
  fs::create_directories(out / ".sweep/cells" / id);
  std::string marker = "command = []\ncell = \"x\"\nbackend = \"local\"\n[vars]\n";
  for (const auto& [k, v] : vars) marker += k + " = \"" + v + "\"\n";
  ASSERT_TRUE(WriteFileAtomically(out / ".sweep/cells" / id / "sweep.done", marker).ok());
  ASSERT_TRUE(WriteFileAtomically(out / ".sweep/cells" / id / "sweep.log", "").ok());
  ASSERT_TRUE(WriteFileAtomically(out / id / "metrics.jsonl", jsonl).ok());
}

class TableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::TestDir();
    const fs::path train = root_ / "train";
    WriteCell(train, "algo-gail_env-Hopper/seed-0",
              {{"algo", "gail"}, {"env", "Hopper"}, {"seed", "0"}},
              "{\"step\": 1, \"eval/return\": 100}\n{\"step\": 2, \"eval/return\": 400, \"loss\": "
              "null}\n");
    WriteCell(train, "algo-gail_env-Hopper/seed-1",
              {{"algo", "gail"}, {"env", "Hopper"}, {"seed", "1"}},
              "{\"step\": 1, \"eval/return\": 200}\n{\"step\": 2, \"eval/return\": 800}\n");
    WriteCell(train, "algo-bc_env-Hopper/seed-0",
              {{"algo", "bc"}, {"env", "Hopper"}, {"seed", "0"}},
              "{\"step\": 5, \"eval/return\": 100}\n");
    WriteCell(train, "algo-gail_env-Ant/seed-0", {{"algo", "gail"}, {"env", "Ant"}, {"seed", "0"}},
              "{\"step\": 5, \"eval/return\": 50}\n");
    // an interrupted cell: a log, no marker
    fs::create_directories(train / "algo-gail_env-Ant/seed-1");
    fs::create_directories(train / ".sweep/cells/algo-gail_env-Ant/seed-1");
    ASSERT_TRUE(
        WriteFileAtomically(train / ".sweep/cells/algo-gail_env-Ant/seed-1/sweep.log", "x").ok());
    ASSERT_TRUE(WriteFileAtomically(train / "algo-gail_env-Ant/seed-1/metrics.jsonl",
                                    "{\"step\": 5, \"eval/return\": 99999}\n")
                    .ok());
    // a run made by hand (no sweep): variables from config.toml, values from metrics.csv
    const fs::path manual = root_ / "by_hand/airl-run";
    fs::create_directories(manual);
    ASSERT_TRUE(
        WriteFileAtomically(manual / "config.toml",
                            "algo = \"airl\"\nenv = \"Hopper\"\nseed = 5\n[ppo]\nlr = 0.5\n")
            .ok());
    ASSERT_TRUE(
        WriteFileAtomically(manual / "metrics.csv", "step,eval/return\n1,300\n2,600\n").ok());

    WriteCell(root_ / "random", "env-Hopper/seed-0", {{"env", "Hopper"}, {"seed", "0"}},
              "{\"step\": 1, \"episode_return\": -10}\n{\"step\": 2, \"episode_return\": 10}\n");
    // the expert's figure from its eval.json summary
    WriteCell(root_ / "experts", "env-Hopper/seed-0", {{"env", "Hopper"}, {"seed", "0"}},
              "{\"step\": 1, \"episode_return\": 1}\n");
    ASSERT_TRUE(
        WriteFileAtomically(root_ / "experts/env-Hopper/seed-0/eval.json",
                            "{\"env\": \"Hopper\", \"return_mean\": 1000, \"return_std\": 5}\n")
            .ok());

    ASSERT_TRUE(WriteFileAtomically(root_ / "published.toml", R"(
[demo]
source = "Paper 2020, Table 1"
entries = [
  { env = "Hopper", algo = "gail", mean = 700, std = 10 },
  { env = "Ant", algo = "gail", mean = 40 },
  { env = "Ant", algo = "gail", n = 4, mean = 1 },  # a variable this table lacks: never matches
]
expert = { Hopper = 1000 }
random = { Hopper = 0 }
)")
                    .ok());
    ASSERT_TRUE(WriteFileAtomically(root_ / "table.toml", R"(
title = "Demo table"
rows = ["env"]
column = "algo"
metric = "eval/return"
last = 1
min_seeds = 2
published = "demo"
published_file = "published.toml"
[vars]
root = "set-by-the-test"
[labels]
env = "task"
gail = "GAIL"
bc = "BC"
[order]
algo = ["bc", "gail"]
[[source]]
runs = "{root}/train"
[[source]]
runs = "{root}/by_hand"
[normalise]
by = "env"
expert = { runs = "{root}/experts", metric = "eval.json:return_mean" }
random = { runs = "{root}/random", metric = "episode_return", last = 0 }
)")
                    .ok());
  }

  fs::path root_;
};

TEST_F(TableTest, AggregatesSeedsNormalisesAndPutsThePaperBeside) {
  auto table = BuildTable(root_ / "table.toml", {"root=" + root_.string()}, {"Budget: small."});
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string& md = table->markdown;
  EXPECT_EQ(md.rfind("# Demo table\n", 0), 0u) << md;
  EXPECT_NE(md.find("\n| task | BC | GAIL | GAIL (paper) | airl |\n|---|---|---|---|---|\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("\n| Hopper | 100 ± 0 [0.10 ± 0.00] (n=1) | 600 ± 200 [0.60 ± 0.20] | "
                    "700 ± 10 [0.70] | 600 ± 0 [0.60 ± 0.00] (n=1) |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("\n| Ant | — | 50.0 ± 0.0 (n=1) | 40.0 | — |\n"), std::string::npos) << md;
  EXPECT_NE(md.find("Hopper 1000 / 0.00."), std::string::npos) << md;
  // the reference sources are named with their variables expanded
  EXPECT_NE(md.find("(from `" + (root_ / "experts").string() + "` and `" +
                    (root_ / "random").string() + "`)"),
            std::string::npos)
      << md;
  EXPECT_EQ(md.find("{root}"), std::string::npos) << md;
  EXPECT_NE(md.find("(Paper 2020, Table 1)"), std::string::npos) << md;
  EXPECT_NE(md.find("\nBudget: small.\n"), std::string::npos) << md;
  // the interrupted cell's 99999 is left out, with a note
  EXPECT_EQ(md.find("99999"), std::string::npos);
  bool noted = false;
  for (const auto& w : table->warnings) noted |= w.find("1 unfinished cells") != std::string::npos;
  EXPECT_TRUE(noted);

  const std::vector<std::string> lines = absl::StrSplit(table->csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 4u) << table->csv;
  EXPECT_EQ(lines[0],
            "env,algo,seeds,mean,std,normalised_mean,normalised_std,paper_mean,paper_std,paper_"
            "normalised");
  const std::vector<std::string> gail = absl::StrSplit(lines[2], ',');
  ASSERT_EQ(gail.size(), 10u) << lines[2];
  EXPECT_EQ(gail[0], "Hopper");
  EXPECT_EQ(gail[1], "gail");
  EXPECT_EQ(gail[2], "2");
  const double expected[] = {600, 200, 0.6, 0.2, 700, 10, 0.7};
  for (int i = 0; i < 7; ++i) {
    double v;
    ASSERT_TRUE(absl::SimpleAtod(gail[3 + i], &v)) << gail[3 + i];
    EXPECT_NEAR(v, expected[i], 1e-12) << "column " << 3 + i;
  }
  EXPECT_EQ(lines[4], "Ant,gail,1,50,0,,,40,,");
}

TEST_F(TableTest, SpecErrorsNameTheFileLineAndKey) {
  ASSERT_TRUE(
      WriteFileAtomically(root_ / "bad.toml", "rows = [\"env\"]\ncolumn = \"algo\"\ncolums = 1\n")
          .ok());
  auto bad = BuildTable(root_ / "bad.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.toml:3: key 'colums': unknown key"), std::string::npos)
      << bad.status();
  auto var = BuildTable(root_ / "table.toml", {"rot=/x"});
  EXPECT_NE(var.status().message().find("no [vars] entry 'rot'"), std::string::npos);
}

// `reach`: per run, the first step whose trailing mean of `last` values gets
// there; per cell, the mean and std of those steps and how many runs did.
TEST(TableReachTest, TabulatesStepsToReachPerCell) {
  const fs::path root = testing::TestDir();
  // windows of 2: (0.2, 1.0) = 0.6, (1.0, 0.9) = 0.95 -> step 300
  WriteCell(root / "runs", "algo-airl/seed-1", {{"algo", "airl"}, {"seed", "1"}},
            "{\"step\": 100, \"s\": 0.2}\n{\"step\": 200, \"s\": 1.0}\n{\"step\": 300, \"s\": "
            "0.9}\n{\"step\": 400, \"s\": 0.95}\n");
  // windows 0.5, -0.0625, 0.90625: reaches at its last step
  WriteCell(root / "runs", "algo-airl/seed-2", {{"algo", "airl"}, {"seed", "2"}},
            "{\"step\": 1000000, \"s\": 2.0}\n{\"step\": 1100000, \"s\": -1.0}\n"
            "{\"step\": 1200000, \"s\": 0.875}\n{\"step\": 1300000, \"s\": 0.9375}\n");
  // the window (5, -5) averages 0: never reaches
  WriteCell(root / "runs", "algo-gail/seed-1", {{"algo", "gail"}, {"seed", "1"}},
            "{\"step\": 100, \"s\": 5}\n{\"step\": 200, \"s\": -5}\n");
  // one value (as BC logs) is shorter than the window: n/a, not "never", though
  // its value counts in the table above
  WriteCell(root / "runs", "algo-bc/seed-1", {{"algo", "bc"}, {"seed", "1"}},
            "{\"step\": 100, \"s\": 1.0}\n");
  WriteCell(root / "runs", "algo-bc/seed-2", {{"algo", "bc"}, {"seed", "2"}},
            "{\"step\": 100, \"s\": 0.5}\n");
  // a second task: an airl run, and for gail only a published figure
  WriteCell(root / "runs2", "algo-airl/seed-1", {{"algo", "airl"}, {"seed", "1"}},
            "{\"step\": 1000, \"s\": 1}\n{\"step\": 2000, \"s\": 1}\n");
  ASSERT_TRUE(
      WriteFileAtomically(root / "pub.toml",
                          "[p]\nentries = [{ algo = \"gail\", env = \"Task2\", mean = 1 }]\n")
          .ok());
  ASSERT_TRUE(WriteFileAtomically(root / "t.toml", R"(
published = "p"
published_file = "pub.toml"
rows = ["algo"]
column = "env"
metric = "s"
last = 2
min_seeds = 2
reach = 0.9
[[source]]
runs = "runs"
set = { env = "Task" }
[[source]]
runs = "runs2"
set = { env = "Task2" }
[order]
algo = ["airl", "gail", "bc"]
env = ["Task", "Task2"]
)")
                  .ok());
  const fs::path cwd = fs::current_path();
  fs::current_path(root);
  auto table = BuildTable(root / "t.toml");
  fs::current_path(cwd);
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string& md = table->markdown;
  EXPECT_NE(md.find("Steps to reach 0.9: per run, the first logged step at which the mean of its "
                    "last 2 values of `s` is ≥ 0.9"),
            std::string::npos)
      << md;
  // the paper-only cell has no runs to reach anything: "—"
  EXPECT_NE(md.find("\n| algo | Task | Task2 |\n|---|---|---|\n| airl | 650k ± 650k (2/2) | 2k ± "
                    "0k (1/1) |\n| gail | never (0/1) | — |\n| bc | n/a (2) | — |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| bc | 0.75 ± 0.25 | — |"), std::string::npos) << md;
  EXPECT_NE(md.find("n/a: runs that logged fewer than 2 values"), std::string::npos) << md;
  const std::vector<std::string> lines = absl::StrSplit(table->csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 6u) << table->csv;
  EXPECT_EQ(lines[0].substr(lines[0].size() - 39), ",reached,reach_step_mean,reach_step_std");
  EXPECT_EQ(lines[1].substr(lines[1].size() - 16), ",2,650150,649850");
  EXPECT_EQ(lines[2].substr(lines[2].size() - 9), ",1,2000,0");
  EXPECT_EQ(lines[3].substr(lines[3].size() - 4), ",0,,");
  EXPECT_EQ(lines[4].substr(lines[4].size() - 4), ",0,,");  // gail on Task2: the paper only
  EXPECT_EQ(lines[5].substr(0, 12), "bc,Task,2,0.");        // bc's value counts; no reach
  EXPECT_EQ(lines[5].substr(lines[5].size() - 3), ",,,");   // n/a: not "0 reached"
  EXPECT_EQ(FirstStepReaching({{1, 0.9}}, 1, 0.9), 1);
  EXPECT_EQ(FirstStepReaching({{1, 0.9}}, 2, 0.9), std::nullopt);
}

TEST(RunDataTest, SweepCellsAreCompletedFromTheirConfig) {
  const fs::path out = testing::TestDir();
  WriteCell(out, "algo-maxent/seed-0", {{"algo", "maxent"}, {"seed", "0"}},
            "{\"step\": 1, \"x\": 2}\n");
  ASSERT_TRUE(WriteFileAtomically(out / "algo-maxent/seed-0/config.toml",
                                  "env = \"GridWorld\"\nalgo = \"other\"\n[mdp]\nsize = 10\n")
                  .ok());
  auto scan = FindRuns(out);
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_EQ(scan->runs.size(), 1u);
  EXPECT_EQ(scan->runs[0].vars,
            (Vars{{"algo", "maxent"}, {"env", "GridWorld"}, {"mdp.size", "10"}, {"seed", "0"}}));
  EXPECT_EQ(scan->runs[0].sweep_vars, (Vars{{"algo", "maxent"}, {"seed", "0"}}));
  // a run directory named directly is still known as its sweep's cell
  auto direct = FindRuns(out / "algo-maxent/seed-0");
  ASSERT_TRUE(direct.ok());
  ASSERT_EQ(direct->runs.size(), 1u);
  EXPECT_EQ(direct->runs[0].sweep_vars.at("algo"), "maxent");
}

TEST(RunDataTest, ParsesMetricsLinesAndAverages) {
  std::vector<std::pair<std::string, double>> out;
  ASSERT_TRUE(
      ParseJsonScalars("{\"step\": 3, \"a/b\": -1.5e2, \"s\": \"x,}\", \"n\": null, \"t\": true, "
                       "\"caf\\u00e9\": 2}",
                       out));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0], (std::pair<std::string, double>{"step", 3}));
  EXPECT_EQ(out[1], (std::pair<std::string, double>{"a/b", -150}));
  EXPECT_EQ(out[2].first, "n");  // irlab writes non-finite numbers as null
  EXPECT_TRUE(std::isnan(out[2].second));
  EXPECT_EQ(out[3], (std::pair<std::string, double>{"t", 1}));
  EXPECT_EQ(out[4], (std::pair<std::string, double>{"caf\xc3\xa9", 2}));  // \u escapes decoded
  EXPECT_FALSE(ParseJsonScalars("{\"step\": 3, \"a\": ", out));           // a torn last line
  // nested values (irlab transfer --restarts lists its restarts) are skipped, top-level numbers
  // kept
  ASSERT_TRUE(
      ParseJsonScalars("{\"r\": [{\"return_mean\": 5, \"s\": \"]}\"}, {\"x\": [1, 2]}], "
                       "\"return_mean\": 7, \"o\": {}}",
                       out));
  EXPECT_EQ(out, (std::vector<std::pair<std::string, double>>{{"return_mean", 7}}));
  EXPECT_FALSE(ParseJsonScalars("{\"r\": [{\"a\": 1}, \"return_mean\": 7}", out));  // unbalanced
  EXPECT_DOUBLE_EQ(MeanOfLast({{0, 1}, {1, 2}, {2, 6}}, 2), 4);
  EXPECT_DOUBLE_EQ(MeanOfLast({{0, 1}, {1, 2}, {2, 6}}, 0), 3);
}

TEST(TableMathTest, MeanStdIsThePopulationStd) {
  auto [mean, std] = MeanStd({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(mean, 5);
  EXPECT_DOUBLE_EQ(std, 2);
}

}  // namespace
}  // namespace irlab::sweep
