// irlab inspect and irlab convert run as a user runs them: exit codes,
// messages naming the file, outputs refused or written whole.
#include <sys/wait.h>

#include <cstdio>
#include <limits>

#include "data/demo_file.h"
#include "data/hdf5.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using testing::FileBytes;

struct CommandResult {
  int code = -1;
  std::string output;  // stdout and stderr
};

CommandResult Irlab(const std::string& args) {
  CommandResult run;
  const std::string command = StrCat(IRLAB_BINARY, " ", args, " 2>&1");
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

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
  const CommandResult run = Irlab(StrCat("inspect ", good_.string()));
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
    const CommandResult run = Irlab(StrCat("inspect ", path.string()));
    EXPECT_EQ(run.code, 1) << name << ": " << run.output;
    EXPECT_NE(run.output.find(path.string()), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(words), std::string::npos) << words << " in " << run.output;
    EXPECT_EQ(run.output.find("HDF5-DIAG"), std::string::npos) << "HDF5's own spew leaked";
  }
  EXPECT_EQ(Irlab("inspect").code, 2);
}

TEST_F(CommandsTest, ConvertRoundTripsAndRefusesToClobber) {
  const fs::path minari = dir_ / "hopper_minari", back = dir_ / "back.h5", d4rl = dir_ / "d.hdf5";
  CommandResult run =
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
