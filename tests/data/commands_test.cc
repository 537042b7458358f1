// irlab inspect and irlab convert run as a user runs them: exit codes,
// messages naming the file, outputs refused or written whole.
#include <cstdio>
#include <functional>
#include <limits>

#include "data/demo_file.h"
#include "data/hdf5.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using testing::FileBytes;
using testing::Irlab;
using testing::RunResult;

// Hopper's sizes, so the registry check passes.
DemoMetadata Hopper() {
  DemoMetadata m = testing::TestMetadata(11, 3, 6, 6);
  m.task = "Hopper";
  return m;
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TestDir();
    good_ = dir_ / "hopper.h5";
    testing::WriteTestFile(good_, {30, 12, 40}, Hopper());
  }
  fs::path dir_, good_;
};

TEST_F(CommandsTest, InspectSummarisesAndValidates) {
  const RunResult run = Irlab(StrCat("inspect ", good_.string()));
  EXPECT_EQ(run.code, 0) << run.output;
  for (const char* words : {"task          Hopper", "obs 11, act 3, nq 6, nv 6",
                            "episodes      3 (1 terminated, 2 truncated)", "steps         82",
                            "policy run    runs/expert", "valid: every value checked"}) {
    EXPECT_NE(run.output.find(words), std::string::npos) << words << " in\n" << run.output;
  }
}

TEST_F(CommandsTest, InspectFailsOnEveryKindOfBadFile) {
  const std::string bytes = FileBytes(good_);
  testing::WriteBytes(dir_ / "truncated.h5", bytes.substr(0, bytes.size() / 2));
  fs::create_directory(dir_ / "folder.h5");
  testing::WriteTestFile(dir_ / "synthetic.h5", {5});  // task 'Synthetic' is not registered
  DemoMetadata wrong = Hopper();
  wrong.obs_dim = 12;
  testing::WriteTestFile(dir_ / "wrong_dims.h5", {5}, wrong);
  const fs::path nan = dir_ / "nan.h5";
  fs::copy_file(good_, nan);
  {
    h5::SilenceErrors();
    h5::Id f(H5Fopen(nan.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    h5::Id d(H5Dopen2(f.get(), "actions", H5P_DEFAULT));
    std::vector<float> act(82 * 3, std::numeric_limits<float>::quiet_NaN());
    ASSERT_GE(H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, act.data()), 0);
  }
  // (each kind is tested in depth in bad_input_test; here: exit codes and messages)
  const std::pair<const char*, const char*> cases[] = {
      {"truncated.h5", "truncated"},    {"folder.h5", "is a directory"},
      {"synthetic.h5", "unknown task"}, {"wrong_dims.h5", "'observations' has 12 columns"},
      {"nan.h5", "'actions' row 0"},
  };
  for (const auto& [name, words] : cases) {
    const fs::path path = dir_ / name;
    const RunResult run = Irlab(StrCat("inspect ", path.string()));
    EXPECT_EQ(run.code, 1) << name << ": " << run.output;
    EXPECT_NE(run.output.find(path.string()), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(words), std::string::npos) << words << " in " << run.output;
    EXPECT_EQ(run.output.find("HDF5-DIAG"), std::string::npos) << "HDF5's own spew leaked";
  }
  EXPECT_EQ(Irlab("inspect").code, 2);
}

// Writes one value of a 1-D or 2-D dataset of `path`.
template <class T>
void Poke(const fs::path& path, const char* name, hsize_t row, hsize_t col, hid_t mem_type,
          T value) {
  h5::SilenceErrors();
  h5::Id f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  h5::Id d(H5Dopen2(f.get(), name, H5P_DEFAULT));
  h5::Id space(H5Dget_space(d.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  const hsize_t start[2] = {row, col}, count[2] = {1, 1};
  H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
  h5::Id mem(H5Screate_simple(rank, count, nullptr));
  ASSERT_GE(H5Dwrite(d.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, &value), 0);
}

// train reads its demonstrations through the same validation as inspect, in
// memory and in stream mode, before any work: every bad value is refused with
// the file and the dataset named, and no run directory is left behind.
TEST_F(CommandsTest, TrainRefusesEveryFileInspectRefuses) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    const char* name;
    std::function<void(const fs::path&)> edit;
    const char* words;
  };
  // good_: episodes of 30 (terminated), 12 and 40 (timed out) steps
  const Case cases[] = {
      {"nan_reward.h5", [&](const fs::path& p) { Poke(p, "rewards", 3, 0, H5T_NATIVE_FLOAT, nan); },
       "'rewards' row 3"},
      {"inf_action.h5", [&](const fs::path& p) { Poke(p, "actions", 5, 2, H5T_NATIVE_FLOAT, inf); },
       "'actions' row 5"},
      {"nan_obs.h5",
       [&](const fs::path& p) { Poke(p, "observations", 7, 0, H5T_NATIVE_FLOAT, nan); },
       "'observations' row 7"},
      {"no_flag.h5",
       [&](const fs::path& p) {
         Poke(p, "timeouts", 41, 0, H5T_NATIVE_UINT8, uint8_t{0});
         Poke(p, "terminals", 41, 0, H5T_NATIVE_UINT8, uint8_t{0});
       },
       "row 41 (episode 1, step 11): the episode's last step has neither flag set"},
      {"wrong_id.h5",
       [&](const fs::path& p) { Poke(p, "episode_ids", 35, 0, H5T_NATIVE_INT64, int64_t{0}); },
       "'episode_ids' row 35"},
      {"jump.h5",
       [&](const fs::path& p) { Poke(p, "next_observations", 10, 1, H5T_NATIVE_FLOAT, 99.0f); },
       "'next_observations' row 10 differs from observations row 11"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const fs::path path = dir_ / c.name;
    fs::copy_file(good_, path);
    c.edit(path);
    for (const char* algo_mode : {"airl --set demos.mode=stream", "bc --set demos.mode=memory"}) {
      const fs::path out = dir_ / StrCat("run_", i++);
      const RunResult run =
          Irlab(StrCat("train --env Hopper --demos ", path.string(), " --out ", out.string(),
                       " --set total_steps=1024 --set num_envs=2 --set ppo.rollout_steps=64 "
                       "--set bc.steps=10 --set eval_episodes=1 --algo ",
                       algo_mode));
      SCOPED_TRACE(StrCat(c.name, " ", algo_mode));
      EXPECT_EQ(run.code, 1) << run.output;
      EXPECT_NE(run.output.find(StrCat(path.string(), ": dataset")), std::string::npos)
          << run.output;
      EXPECT_NE(run.output.find(c.words), std::string::npos) << c.words << " in " << run.output;
      EXPECT_EQ(run.output.find("expert transitions"), std::string::npos)
          << "work started: " << run.output;
      EXPECT_FALSE(fs::exists(out)) << "a run directory was left behind";
    }
  }
}

TEST_F(CommandsTest, ConvertRoundTripsAndRefusesToClobber) {
  const fs::path minari = dir_ / "hopper_minari", back = dir_ / "back.h5", d4rl = dir_ / "d.hdf5";
  RunResult run =
      Irlab(StrCat("convert --from irlab --to minari ", good_.string(), " ", minari.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_NE(run.output.find("3 episodes, 82 transitions"), std::string::npos) << run.output;
  EXPECT_TRUE(fs::exists(minari / "data" / "metadata.json"));
  run = Irlab(StrCat("convert --from minari --to d4rl ", minari.string(), " ", d4rl.string()));
  ASSERT_EQ(run.code, 0) << run.output;
  run = Irlab(StrCat("convert ", d4rl.string(), " ", back.string(), " --from=d4rl --to irlab"));
  ASSERT_EQ(run.code, 0) << run.output;
  EXPECT_EQ(Irlab(StrCat("inspect ", back.string())).code, 0);

  // an existing output is refused, and left alone, unless --overwrite
  const std::string before = FileBytes(back);
  run = Irlab(StrCat("convert --from irlab --to irlab ", good_.string(), " ", back.string()));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("--overwrite"), std::string::npos) << run.output;
  EXPECT_EQ(FileBytes(back), before);
  run = Irlab(
      StrCat("convert --from irlab --to irlab --overwrite ", good_.string(), " ", back.string()));
  EXPECT_EQ(run.code, 0) << run.output;

  // a foreign file needs --env, whose sizes must fit
  const fs::path foreign = dir_ / "foreign.hdf5";
  ASSERT_EQ(
      Irlab(StrCat("convert --from irlab --to d4rl ", good_.string(), " ", foreign.string())).code,
      0);
  {
    h5::SilenceErrors();
    h5::Id f(H5Fopen(foreign.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    H5Adelete(f.get(), "task");
  }
  run = Irlab(
      StrCat("convert --from d4rl --to irlab ", foreign.string(), " ", (dir_ / "f.h5").string()));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("--env"), std::string::npos) << run.output;
  run = Irlab(StrCat("convert --from d4rl --to irlab --env HalfCheetah ", foreign.string(), " ",
                     (dir_ / "f.h5").string()));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.output.find("has 11 columns but task HalfCheetah has obs_dim 17"),
            std::string::npos)
      << run.output;
  run = Irlab(StrCat("convert --from d4rl --to irlab --env Hopper ", foreign.string(), " ",
                     (dir_ / "f.h5").string()));
  EXPECT_EQ(run.code, 0) << run.output;

  EXPECT_EQ(Irlab(StrCat("convert --from irlab --to irlab ", good_.string())).code, 2);
}

}  // namespace
}  // namespace irlab
