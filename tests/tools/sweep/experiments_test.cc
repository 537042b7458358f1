// The committed experiment files parse and expand: every sweep of
// experiments/reproduce/*/ under every budget its pipeline defines, the sweeps
// of experiments/sweeps/ and experiments/adversarial/, and every table against
// an empty run root (so a typo fails here, not hours into a reproduction).
#include <gtest/gtest.h>
#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "tests/util/test_util.h"
#include "tools/sweep/sweep_file.h"
#include "tools/sweep/table.h"

namespace irlab::sweep {
namespace {

namespace fs = std::filesystem;

const fs::path kExperiments = fs::path(IRLAB_SOURCE_DIR) / "experiments";

// The [budget.NAME] sections of a sweep file.
std::set<std::string> Budgets(const fs::path& file) {
  toml::table t = toml::parse_file(file.string());
  std::set<std::string> names;
  if (const toml::table* b = t.get_as<toml::table>("budget")) {
    for (const auto& [name, section] : *b) names.insert(std::string(name.str()));
  }
  return names;
}

// Every cell gets its own run directory, and its --config files exist
// (relative ones in the source tree, where sweeps are run from).
void ExpectCellsRunnable(const std::vector<Cell>& cells, const fs::path& file) {
  EXPECT_FALSE(cells.empty()) << file;
  std::set<fs::path> dirs;
  for (const Cell& c : cells) {
    dirs.insert(c.run_dir);
    for (size_t i = 0; i + 1 < c.argv.size(); ++i) {
      if (c.argv[i] != "--config") continue;
      const fs::path config =
          fs::path(IRLAB_SOURCE_DIR) / c.argv[i + 1];  // absolute stays absolute
      EXPECT_TRUE(fs::exists(config)) << config;
    }
  }
  EXPECT_EQ(dirs.size(), cells.size()) << file;
}

// A path a cell reads under the pipeline's root must be an earlier stage's run
// directory or lie inside one (`{root}/demos/env-Hopper/seed-0/demos.h5`): a
// stage that names its cells differently from what a later stage reads fails here,
// not hours into a reproduction.
void ExpectReadsFromEarlierStages(const Cell& cell, const fs::path& root, const fs::path& own_out,
                                  const std::vector<fs::path>& earlier, const fs::path& file) {
  const std::string prefix = root.string() + "/";
  for (const std::string& arg : cell.argv) {
    if (!arg.starts_with(prefix)) continue;
    const fs::path path = fs::path(arg).lexically_normal();
    auto under = [&](const fs::path& dir) {
      const auto rel = path.lexically_relative(dir);
      return !rel.empty() && *rel.begin() != "..";
    };
    if (under(own_out)) continue;  // its own --out
    EXPECT_TRUE(std::any_of(earlier.begin(), earlier.end(), under))
        << file << ": cell " << cell.id << " reads " << arg
        << ", which no earlier stage's cell writes";
  }
}

TEST(ExperimentsTest, ReproduceSweepsExpandUnderEveryBudget) {
  const fs::path root = testing::TestDir();
  const std::vector<std::string> vars = {"root=" + root.string(),
                                         "experiments=" + kExperiments.string()};
  int pipelines = 0;
  for (const auto& dir : fs::directory_iterator(kExperiments / "reproduce")) {
    const fs::path pipeline = dir.path() / "pipeline.toml";
    toml::table t = toml::parse_file(pipeline.string());
    const toml::array* stages = t.get_as<toml::array>("stage");
    ASSERT_TRUE(stages && !stages->empty()) << pipeline;
    ASSERT_TRUE(fs::exists(dir.path() / t["table"].value_or(std::string("?")))) << pipeline;
    ++pipelines;
    std::vector<std::pair<std::string, fs::path>> stage_files;  // name, sweep file
    for (const auto& stage : *stages) {
      const toml::table& st = *stage.as_table();
      stage_files.emplace_back(st["name"].value_or(std::string("?")),
                               dir.path() / st["sweep"].value_or(std::string("?")));
    }
    // `irlab reproduce --budget NAME` needs [budget.NAME] in every stage file
    const std::set<std::string> budgets = Budgets(stage_files[0].second);
    for (const auto& [name, file] : stage_files) {
      EXPECT_EQ(Budgets(file), budgets)
          << file << ": budgets differ from the pipeline's first stage";
      EXPECT_TRUE(budgets.count("small") && budgets.count("full")) << file;
    }
    for (const std::string& budget : budgets) {
      // run directories of the stages before, as reproduce runs them
      std::vector<fs::path> earlier;
      for (const auto& [name, file] : stage_files) {
        auto spec = LoadSweepFile(file, budget, vars);
        ASSERT_TRUE(spec.ok()) << spec.status();
        const fs::path out = root / name;  // irlab reproduce: <root>/<stage name>
        auto cells = ExpandSweep(*spec, out);
        ASSERT_TRUE(cells.ok()) << cells.status();
        ExpectCellsRunnable(*cells, file);
        for (const Cell& c : *cells) ExpectReadsFromEarlierStages(c, root, out, earlier, file);
        for (const Cell& c : *cells) earlier.push_back(c.run_dir.lexically_normal());
      }
    }
  }
  EXPECT_EQ(pipelines, 4);  // gail-table, airl-imitation, airl-transfer, ppo-experts
}

TEST(ExperimentsTest, TablesReadTheirPublishedFiguresWithNoRunsYet) {
  const fs::path root = testing::TestDir();
  for (const auto& dir : fs::directory_iterator(kExperiments / "reproduce")) {
    auto table = BuildTable(dir.path() / "table.toml",
                            {"root=" + root.string(), "experiments=" + kExperiments.string()});
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_NE(table->markdown.find("(no finished runs yet)"), std::string::npos);
  }
  auto demo =
      BuildTable(kExperiments / "sweeps/rollout_demo_table.toml", {"root=" + root.string()});
  EXPECT_TRUE(demo.ok()) << demo.status();
}

TEST(ExperimentsTest, ExampleSweepsParse) {
  for (const auto& file : fs::directory_iterator(kExperiments / "sweeps")) {
    if (file.path().string().find("_table") != std::string::npos) continue;
    auto spec = LoadSweepFile(file.path());
    ASSERT_TRUE(spec.ok()) << spec.status();
    EXPECT_TRUE(ExpandSweep(*spec, "/tmp/x").ok());
  }
}

// Issue 21: the from-scratch table (5 tasks x 5 methods x 5 seeds, each task's
// config), its table with the imitation library's figures, and the trial rounds.
TEST(ExperimentsTest, FromScratchImitationTableAndTrialsExpand) {
  const fs::path dir = kExperiments / "imitation";
  auto spec = LoadSweepFile(dir / "table.toml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto cells = ExpandSweep(*spec, "/tmp/x");
  ASSERT_TRUE(cells.ok()) << cells.status();
  EXPECT_EQ(cells->size(), 5u * 5u * 5u);
  ExpectCellsRunnable(*cells, dir / "table.toml");
  auto table = BuildTable(dir / "table_spec.toml", {"root=/nonexistent"});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_NE(table->markdown.find("(no finished runs yet)"), std::string::npos);
  const std::pair<const char*, unsigned> trials[] = {
      {"halfcheetah_1.toml", 18}, {"halfcheetah_2.toml", 18}, {"tasks_3.toml", 42},
      {"walker_4.toml", 18},      {"swimmer_5.toml", 18},     {"halfcheetah_fixed_6.toml", 18},
      {"long_7.toml", 4},         {"hopper_8.toml", 9}};
  for (const auto& [name, count] : trials) {
    auto trial = LoadSweepFile(dir / "trials" / name);
    ASSERT_TRUE(trial.ok()) << trial.status();
    auto trial_cells = ExpandSweep(*trial, "/tmp/x");
    ASSERT_TRUE(trial_cells.ok()) << trial_cells.status();
    EXPECT_EQ(trial_cells->size(), count) << name;
    ExpectCellsRunnable(*trial_cells, dir / "trials" / name);
  }
  for (const char* name :
       {"trials_table.toml", "tasks_table.toml", "logstd_table.toml", "variants_table.toml"}) {
    auto t = BuildTable(dir / "trials" / name, {"root=/nonexistent"});
    EXPECT_TRUE(t.ok()) << name << ": " << t.status();
  }
}

// Every trial round of issues 21 and 22 (experiments/imitation/trials/, and a
// pipeline's trials/ directory) still expands to runnable cells, and every trial table
// builds: a round recorded in experiments/results/ reruns as written.
TEST(ExperimentsTest, EveryTrialRoundExpandsAndEveryTrialTableBuilds) {
  std::vector<fs::path> dirs = {kExperiments / "imitation" / "trials"};
  for (const auto& dir : fs::directory_iterator(kExperiments / "reproduce")) {
    if (fs::is_directory(dir.path() / "trials")) dirs.push_back(dir.path() / "trials");
  }
  int rounds = 0, tables = 0;
  for (const fs::path& dir : dirs) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const fs::path& file = entry.path();
      if (file.extension() != ".toml") continue;
      if (file.stem().string().ends_with("_table")) {
        auto t = BuildTable(file, {"root=/nonexistent"});
        EXPECT_TRUE(t.ok()) << file << ": " << t.status();
        ++tables;
        continue;
      }
      auto spec = LoadSweepFile(file);
      ASSERT_TRUE(spec.ok()) << spec.status();
      auto cells = ExpandSweep(*spec, "/tmp/x");
      ASSERT_TRUE(cells.ok()) << file << ": " << cells.status();
      ExpectCellsRunnable(*cells, file);
      ++rounds;
    }
  }
  EXPECT_GE(rounds, 26);
  EXPECT_GE(tables, 5);
}

// The adversarial imitation table: its sweep and its table.
TEST(ExperimentsTest, ImitationTableSweepExpands) {
  const fs::path file = kExperiments / "adversarial/imitation.toml";
  auto spec = LoadSweepFile(file);
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto cells = ExpandSweep(*spec, "/tmp/x");
  ASSERT_TRUE(cells.ok()) << cells.status();
  EXPECT_EQ(cells->size(), 6u * 5u * 3u);  // tasks x methods x seeds
  ExpectCellsRunnable(*cells, file);
  auto table = BuildTable(kExperiments / "adversarial/imitation_table.toml", {"root=/nonexistent"});
  EXPECT_TRUE(table.ok()) << table.status();

  // the same table with BC warm-started generators: no BC or GAN-GCL rows
  const fs::path warm = kExperiments / "adversarial/imitation_warm.toml";
  auto warm_spec = LoadSweepFile(warm);
  ASSERT_TRUE(warm_spec.ok()) << warm_spec.status();
  auto warm_cells = ExpandSweep(*warm_spec, "/tmp/x");
  ASSERT_TRUE(warm_cells.ok()) << warm_cells.status();
  EXPECT_EQ(warm_cells->size(), 6u * 3u * 3u);
  ExpectCellsRunnable(*warm_cells, warm);
  for (const auto& cell : *warm_cells) {
    EXPECT_NE(std::find(cell.argv.begin(), cell.argv.end(), "bc.warm_start=true"), cell.argv.end());
  }
  // the follow-ups: hold the policy (Swimmer and Pendulum), then also freeze its normaliser (all
  // six)
  const std::pair<const char*, unsigned> follow_ups[] = {{"imitation_warm_hold.toml", 2},
                                                         {"imitation_warm_frozen.toml", 6}};
  for (const auto& [name, tasks] : follow_ups) {
    const fs::path file = kExperiments / "adversarial" / name;
    auto spec = LoadSweepFile(file);
    ASSERT_TRUE(spec.ok()) << spec.status();
    auto cells = ExpandSweep(*spec, "/tmp/x");
    ASSERT_TRUE(cells.ok()) << cells.status();
    EXPECT_EQ(cells->size(), tasks * 3u * 3u) << name;
    ExpectCellsRunnable(*cells, file);
  }
  auto warm_table =
      BuildTable(kExperiments / "adversarial/imitation_warm_table.toml", {"root=/nonexistent"});
  EXPECT_TRUE(warm_table.ok()) << warm_table.status();
}

}  // namespace
}  // namespace irlab::sweep
