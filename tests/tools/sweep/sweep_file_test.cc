#include "tools/sweep/sweep_file.h"

#include <gtest/gtest.h>

namespace irlab::sweep {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(SweepFileTest, ExpandsGridTimesSeedsInFileOrder) {
  auto spec = ParseSweep(R"(
command = "irlab rollout --env {env} --policy {policy} --seed {seed} --out {out}"
seeds = [3, 7]
[grid]
policy = ["random", "sine"]   # written first: the outer loop, though it sorts last
env = ["Hopper", "Ant"]
)",
                         "demo.toml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->name, "demo");
  EXPECT_EQ(spec->keys, (std::vector<std::string>{"policy", "env"}));
  auto cells = ExpandSweep(*spec, "/runs/demo");
  ASSERT_TRUE(cells.ok()) << cells.status();
  ASSERT_EQ(cells->size(), 2u * 2u * 2u);
  std::vector<std::string> ids;
  for (const auto& c : *cells) ids.push_back(c.id);
  EXPECT_EQ(ids, (std::vector<std::string>{
                     "policy-random_env-Hopper/seed-3", "policy-random_env-Hopper/seed-7",
                     "policy-random_env-Ant/seed-3", "policy-random_env-Ant/seed-7",
                     "policy-sine_env-Hopper/seed-3", "policy-sine_env-Hopper/seed-7",
                     "policy-sine_env-Ant/seed-3", "policy-sine_env-Ant/seed-7"}));
  const Cell& c = (*cells)[5];
  EXPECT_EQ(c.run_dir, "/runs/demo/policy-sine_env-Hopper/seed-7");
  EXPECT_EQ(c.argv, (std::vector<std::string>{"irlab", "rollout", "--env", "Hopper", "--policy",
                                              "sine", "--seed", "7", "--out",
                                              "/runs/demo/policy-sine_env-Hopper/seed-7"}));
  EXPECT_EQ(c.vars, (Vars{{"env", "Hopper"}, {"policy", "sine"}, {"seed", "7"}}));
}

TEST(SweepFileTest, GridsAndCellsFormAUnionWithoutRepeats) {
  auto spec = ParseSweep(R"(
command = ["sh", "-c", "echo {n} > {out}/x"]
seeds = 2
[[grid]]
n = [4, 25]
lr = 0.5
[[grid]]
n = [80]
lr = [0.5, 1e-3]
[[cells]]
n = 4
lr = 0.5
[[cells]]
n = 11
)",
                         "u.toml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->seeds, (std::vector<int64_t>{0, 1}));
  std::vector<std::string> points;
  for (const auto& p : spec->points) {
    points.push_back(p.at("n") + (p.count("lr") ? "/" + p.at("lr") : ""));
  }
  // {n=4, lr=0.5} comes from the first grid and again from [[cells]]: kept once
  EXPECT_EQ(points, (std::vector<std::string>{"4/0.5", "25/0.5", "80/0.5", "80/0.001", "11"}));
  auto cells = ExpandSweep(*spec, "/r");
  ASSERT_TRUE(cells.ok()) << cells.status();
  EXPECT_EQ(cells->size(), 10u);
  EXPECT_EQ((*cells)[6].id, "n-80_lr-0.001/seed-0");
  // a cell without lr cannot fill {lr}
  EXPECT_EQ((*cells)[8].id, "n-11/seed-0");
  auto bad = ParseSweep(R"(
command = "run {n} {lr}"
[[cells]]
n = 11
)",
                        "missing.toml");
  ASSERT_TRUE(bad.ok());
  auto expanded = ExpandSweep(*bad, "/r");
  ASSERT_FALSE(expanded.ok());
  EXPECT_NE(Message(expanded.status())
                .find("missing.toml: command, cell n-11/seed-0: unknown "
                      "placeholder {lr}"),
            std::string::npos)
      << expanded.status();
}

TEST(SweepFileTest, VarsBudgetsAndOverrides) {
  const char* text = R"(
command = "irlab train --env {env} --steps {steps} --demos {demos} --out {out}"
seeds = [0, 1, 2, 3, 4]
[grid]
env = ["Hopper", "Walker2d", "Ant"]
[vars]
root = "runs/x"
steps = 1000000
demos = "{root}/demos/env-{env}/seed-0/demos.h5"
[budget.small]
seeds = [0, 1]
grid = { env = ["Hopper"] }
vars = { steps = 20000 }
[budget.full]
)";
  auto full = ParseSweep(text, "t.toml", "full");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->seeds.size(), 5u);
  EXPECT_EQ(full->points.size(), 3u);
  auto small = ParseSweep(text, "t.toml", "small", {"root=/abs/root"});
  ASSERT_TRUE(small.ok()) << small.status();
  auto cells = ExpandSweep(*small, "/abs/root/train");
  ASSERT_TRUE(cells.ok()) << cells.status();
  ASSERT_EQ(cells->size(), 2u);
  EXPECT_EQ((*cells)[1].argv,
            (std::vector<std::string>{"irlab", "train", "--env", "Hopper", "--steps", "20000",
                                      "--demos", "/abs/root/demos/env-Hopper/seed-0/demos.h5",
                                      "--out", "/abs/root/train/env-Hopper/seed-1"}));
  auto unknown_budget = ParseSweep(text, "t.toml", "tiny");
  EXPECT_EQ(Message(unknown_budget.status()),
            "t.toml: no [budget.tiny] (budgets here: full, small)");
  auto unknown_var = ParseSweep(text, "t.toml", "", {"rot=/x"});
  EXPECT_NE(Message(unknown_var.status()).find("has no [vars] entry 'rot'"), std::string::npos);
}

TEST(SweepFileTest, ErrorsNameFileLineAndKey) {
  auto unknown = ParseSweep("command = \"x\"\nseed = [1]\n", "f.toml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(Message(unknown.status()).find("f.toml:2: key 'seed': unknown key"), std::string::npos)
      << unknown.status();
  auto slurm = ParseSweep("command = \"x\"\n[slurm]\ntime = \"1:00\"\ncpus = 2\n", "s.toml");
  EXPECT_NE(Message(slurm.status()).find("s.toml:4: key 'slurm.cpus': unknown key"),
            std::string::npos)
      << slurm.status();
  auto reserved = ParseSweep("command = \"x\"\n[grid]\nseed = [1, 2]\n", "r.toml");
  EXPECT_NE(Message(reserved.status()).find("r.toml:3: key 'seed': is reserved"), std::string::npos)
      << reserved.status();
  auto empty = ParseSweep("command = \"x\"\n[grid]\nenv = []\n", "e.toml");
  EXPECT_NE(Message(empty.status()).find("e.toml:3: key 'grid.env': empty list"),
            std::string::npos);
  auto malformed = ParseSweep("command = \n", "m.toml");
  EXPECT_NE(Message(malformed.status()).find("m.toml:1"), std::string::npos);
  EXPECT_EQ(Message(ParseSweep("seeds = [1]\n", "c.toml").status()),
            "c.toml: missing key 'command'");
  auto twice = ParseSweep("command = \"x\"\nseeds = [1, 1]\n", "d.toml");
  EXPECT_NE(Message(twice.status()).find("seed 1 is listed twice"), std::string::npos);
}

TEST(SweepFileTest, ClashingDirectoryNamesGetAHash) {
  auto spec =
      ParseSweep("command = \"x {tag}\"\n[grid]\ntag = [\"a/b\", \"a_b\", \"c\"]\n", "h.toml");
  ASSERT_TRUE(spec.ok());
  auto cells = ExpandSweep(*spec, "/r");
  ASSERT_TRUE(cells.ok());
  EXPECT_EQ((*cells)[0].id.substr(0, 8), "tag-a_b~");
  EXPECT_EQ((*cells)[1].id.substr(0, 8), "tag-a_b~");
  EXPECT_NE((*cells)[0].id, (*cells)[1].id);
  EXPECT_EQ((*cells)[2].id, "tag-c/seed-0");
  // stable: the same file gives the same ids
  EXPECT_EQ(ExpandSweep(*spec, "/r")->at(0).id, (*cells)[0].id);
}

TEST(SweepFileTest, NameByPicksTheVariablesThatNameDirectories) {
  auto spec = ParseSweep(R"(
command = "irlab expert --config {cfg}.toml --env {env} --out {out}"
name_by = ["env"]
[[cells]]
env = "Hopper"
cfg = "ppo/hopper"
[[cells]]
env = "Pendulum"
cfg = "ppo/pendulum"
)",
                         "n.toml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  auto cells = ExpandSweep(*spec, "/r");
  ASSERT_TRUE(cells.ok());
  EXPECT_EQ((*cells)[1].id, "env-Pendulum/seed-0");
  EXPECT_EQ((*cells)[1].vars.at("cfg"), "ppo/pendulum");  // still a variable of the cell
  EXPECT_EQ((*cells)[1].argv[3], "ppo/pendulum.toml");
  auto bad = ParseSweep("command = \"x\"\nname_by = [\"env\"]\n[grid]\nalgo = [1]\n", "b.toml");
  EXPECT_NE(
      Message(bad.status()).find("b.toml:2: key 'name_by': 'env' is not a grid or cells variable"),
      std::string::npos)
      << bad.status();
}

TEST(SweepFileTest, SplitsAndSubstitutes) {
  EXPECT_EQ(*SplitCommand("a  'b c' \"d \\\" e\" f\\ g"),
            (std::vector<std::string>{"a", "b c", "d \" e", "f g"}));
  EXPECT_FALSE(SplitCommand("a 'b").ok());
  EXPECT_EQ(*Substitute("{{x}} {x}-{y}", {{"x", "1"}}, {{"y", "{x}{x}"}}), "{x} 1-11");
  EXPECT_FALSE(Substitute("{a}", {}, {{"a", "{b}"}, {"b", "{a}"}}).ok());  // a cycle
  EXPECT_FALSE(Substitute("{a", {{"a", "1"}}, {}).ok());
}

TEST(SweepFileTest, NoGridMeansOneCellPerSeed) {
  auto spec = ParseSweep(
      "command = \"run --seed {seed} --out {out} --in {sweep_out}\"\nseeds = 2\n", "n.toml");
  ASSERT_TRUE(spec.ok());
  auto cells = ExpandSweep(*spec, "/r/x");
  ASSERT_TRUE(cells.ok());
  ASSERT_EQ(cells->size(), 2u);
  EXPECT_EQ((*cells)[1].id, "seed-1");
  EXPECT_EQ((*cells)[1].argv, (std::vector<std::string>{"run", "--seed", "1", "--out",
                                                        "/r/x/seed-1", "--in", "/r/x"}));
}

}  // namespace
}  // namespace irlab::sweep
