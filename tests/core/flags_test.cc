#include "core/flags.h"

#include <gtest/gtest.h>

namespace irlab {
namespace {

TEST(FlagsTest, ParsesAllKinds) {
  std::string env;
  int n = 0;
  double x = 0;
  bool det = false;
  std::vector<std::string> sets;
  FlagParser p("test", "a test");
  p.Add("env", &env, "task");
  p.Add("n", &n, "count");
  p.Add("x", &x, "value");
  p.Add("deterministic", &det, "switch");
  p.Add("set", &sets, "overrides");
  ASSERT_TRUE(p.Parse({"--env", "Hopper", "--n=3", "--x", "0.5", "--deterministic", "--set", "a=1",
                       "--set=b=2"})
                  .ok());
  EXPECT_EQ(env, "Hopper");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(x, 0.5);
  EXPECT_TRUE(det);
  EXPECT_EQ(sets, (std::vector<std::string>{"a=1", "b=2"}));
}

TEST(FlagsTest, CollectsPositionalArgumentsAmongFlags) {
  std::string reward;
  bool det = false;
  int64_t step = 0;
  std::vector<std::string> positional;
  FlagParser p("test", "a test");
  p.Add("reward", &reward, "run");
  p.Add("deterministic", &det, "switch");
  p.Add("step", &step, "step");
  p.CollectPositional(&positional);
  // a flag's value is never positional, a switch takes none, a negative number is a value
  ASSERT_TRUE(
      p.Parse({"in.h5", "--reward", "run", "--deterministic", "out.h5", "--step", "-1"}).ok());
  EXPECT_EQ(positional, (std::vector<std::string>{"in.h5", "out.h5"}));
  EXPECT_EQ(reward, "run");
  EXPECT_TRUE(det);
  EXPECT_EQ(step, -1);
}

TEST(FlagsTest, EverythingAfterADoubleDashIsPositional) {
  std::string out;
  std::vector<std::string> positional;
  FlagParser p("test", "a test");
  p.Add("out", &out, "dir");
  p.CollectPositional(&positional);
  ASSERT_TRUE(p.Parse({"a", "--out", "o", "--", "--out", "-h"}).ok());
  EXPECT_EQ(positional, (std::vector<std::string>{"a", "--out", "-h"}));
  EXPECT_EQ(out, "o");
}

TEST(FlagsTest, BadInputIsAClearError) {
  int n = 0;
  std::string out;
  FlagParser p("test", "a test");
  p.Add("n", &n, "count");
  p.Add("out", &out, "dir");
  p.Require("out");
  EXPECT_NE(p.Parse({"--n", "x", "--out", "d"}).message().find("--n: expected an integer"),
            std::string::npos);
  EXPECT_NE(p.Parse({"--bogus"}).message().find("unknown flag '--bogus'"), std::string::npos);
  EXPECT_NE(p.Parse({"--n"}).message().find("missing value"), std::string::npos);
  EXPECT_NE(p.Parse({"--n", "1"}).message().find("missing required flag --out"), std::string::npos);
  EXPECT_NE(p.Parse({"stray"}).message().find("unexpected argument"), std::string::npos);
  EXPECT_TRUE(absl::IsCancelled(p.Parse({"--help"})));
  EXPECT_NE(p.Usage().find("--out VALUE"), std::string::npos);
}

}  // namespace
}  // namespace irlab
