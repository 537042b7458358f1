#include "core/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace irlab {
namespace {

struct Inner {
  double lr = 3e-4;  // step size
  std::vector<int> hidden = {64, 64};
  void Bind(ConfigBinder& b) {
    b.Field("lr", lr, "step size").Range(0, 1);
    b.Field("hidden", hidden, "layer widths").Range(1, 4096);
  }
};

struct Outer {
  int num_envs = 8;
  int64_t steps = 1000000;
  bool normalize = true;
  std::string env = "HalfCheetah";
  std::string mode = "fast";
  Inner inner;
  void Bind(ConfigBinder& b) {
    b.Field("num_envs", num_envs, "envs").Range(1, 1024);
    b.Field("steps", steps, "env steps").Min(1);
    b.Field("normalize", normalize, "normalise obs");
    b.Field("env", env, "task");
    b.Field("mode", mode, "speed").OneOf({"fast", "full"});
    b.Section("inner", inner);
  }
};

absl::Status Apply(Outer& c, const std::string& text) {
  return ConfigSchema::For(c).ApplyText(text, "test.toml");
}

TEST(ConfigTest, TomlOverridesDefaults) {
  Outer c;
  ASSERT_TRUE(Apply(c, "num_envs = 4\n[inner]\nlr = 1e-3\nhidden = [32, 16]\n").ok());
  EXPECT_EQ(c.num_envs, 4);
  EXPECT_DOUBLE_EQ(c.inner.lr, 1e-3);
  EXPECT_EQ(c.inner.hidden, (std::vector<int>{32, 16}));
  EXPECT_EQ(c.steps, 1000000);  // untouched
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndSuggests) {
  Outer c;
  absl::Status s = Apply(c, "num_envs = 4\n\nnum_env = 2\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("test.toml:3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'num_env'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("did you mean 'num_envs'"), std::string::npos) << s.message();
}

TEST(ConfigTest, UnknownSectionIsAnError) {
  Outer c;
  absl::Status s = Apply(c, "[nope]\nx = 1\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown section"), std::string::npos) << s.message();
}

TEST(ConfigTest, WrongTypeIsAnError) {
  Outer c;
  absl::Status s = Apply(c, "num_envs = \"four\"\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("expected integer"), std::string::npos) << s.message();
  EXPECT_FALSE(Apply(c, "normalize = 1\n").ok());
  EXPECT_FALSE(Apply(c, "num_envs = 2.5\n").ok());
  EXPECT_TRUE(Apply(c, "inner.lr = 1\n").ok());  // integers are fine for numbers
}

TEST(ConfigTest, OutOfRangeIsAnError) {
  Outer c;
  absl::Status s = Apply(c, "num_envs = 0\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outside"), std::string::npos) << s.message();
  EXPECT_FALSE(Apply(c, "inner.hidden = [0]\n").ok());
  EXPECT_FALSE(Apply(c, "inner.lr = nan\n").ok());
  EXPECT_FALSE(Apply(c, "mode = \"slow\"\n").ok());
  EXPECT_EQ(c.num_envs, 8);
}

TEST(ConfigTest, MalformedTomlNamesFileAndLine) {
  Outer c;
  absl::Status s = Apply(c, "num_envs = 4\nsteps = = 3\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("test.toml:2"), std::string::npos) << s.message();
}

// Integers too big for TOML (64 bits) are parse errors: they name the key as
// well as the line; too big for an int field, the key and the value.
TEST(ConfigTest, IntegerOverflowNamesTheKey) {
  Outer c;
  absl::Status s = Apply(c, "num_envs = 4\nsteps = 99999999999999999999\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("test.toml:2"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("key 'steps'"), std::string::npos) << s.message();
  s = Apply(c, "[inner]\n# a comment\nlr = -99999999999999999999\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("test.toml:3"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("key 'inner.lr'"), std::string::npos) << s.message();
  s = ConfigSchema::For(c).ApplyOverride("steps=1e999999");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--set steps=1e999999: key 'steps'"), std::string::npos)
      << s.message();
  struct Wide {
    int n = 1;
    void Bind(ConfigBinder& b) { b.Field("n", n, "n").Min(0); }
  } w;
  s = ConfigSchema::For(w).ApplyText("n = 3000000000\n", "w.toml");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("w.toml:1: key 'n': value 3000000000 does not fit a 32-bit integer"),
            std::string::npos)
      << s.message();
}

// A section given a value is named as a section, with one of its keys, and
// far-off keys get no "did you mean" (ppo is not env).
TEST(ConfigTest, ASectionGivenAValueIsNamedAsASection) {
  Outer c;
  absl::Status s = Apply(c, "inner = 5\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'inner' is a section, not a value; set its keys, e.g. inner.hidden"),
            std::string::npos)
      << s.message();
  s = Apply(c, "ppo = 5\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown key"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("did you mean"), std::string::npos) << s.message();
}

// A command's own flag applied as an override is named as the flag.
TEST(ConfigTest, FlagOverridesNameTheFlag) {
  Outer c;
  absl::Status s = LoadConfig(c, "", {"num_envs=2"}, {{"--mode slow", "mode=slow"}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--mode slow: key 'mode': 'slow' is not one of fast, full"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("--set"), std::string::npos) << s.message();
  ASSERT_TRUE(LoadConfig(c, "", {"mode=full"}, {{"--env Hopper", "env=Hopper"}}).ok());
  EXPECT_EQ(c.env, "Hopper");
  EXPECT_EQ(c.mode, "full");
}

TEST(ConfigTest, SetOverrides) {
  Outer c;
  ConfigSchema schema = ConfigSchema::For(c);
  ASSERT_TRUE(schema.ApplyOverride("inner.lr=0.5").ok());
  ASSERT_TRUE(schema.ApplyOverride("env=Hopper").ok());  // bare word string
  ASSERT_TRUE(schema.ApplyOverride("normalize=false").ok());
  EXPECT_DOUBLE_EQ(c.inner.lr, 0.5);
  EXPECT_EQ(c.env, "Hopper");
  EXPECT_FALSE(c.normalize);
  absl::Status s = schema.ApplyOverride("inner.lrr=1");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--set inner.lrr=1"), std::string::npos) << s.message();
  EXPECT_FALSE(schema.ApplyOverride("novalue").ok());
}

TEST(ConfigTest, ResolvedTomlRoundTrips) {
  Outer a;
  a.inner.lr = 0.1 + 0.2;  // needs all 17 digits
  a.env = "with \"quotes\"";
  a.steps = 123456789012;
  Outer b;
  b.num_envs = 1;
  ASSERT_TRUE(Apply(b, ConfigSchema::For(a).ToToml()).ok()) << ConfigSchema::For(a).ToToml();
  EXPECT_EQ(ConfigSchema::For(a).ToToml(), ConfigSchema::For(b).ToToml());
  EXPECT_EQ(b.inner.lr, a.inner.lr);
  EXPECT_EQ(b.env, a.env);
  EXPECT_EQ(ConfigSchema::For(a).Hash(), ConfigSchema::For(b).Hash());
}

TEST(ConfigTest, MissingFileIsAnError) {
  Outer c;
  absl::Status s = LoadConfig(c, "/nonexistent/x.toml", {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/x.toml"), std::string::npos);
}

}  // namespace
}  // namespace irlab
