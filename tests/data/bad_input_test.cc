// Every bad input of the issue: a clear error naming the file and the
// dataset, never a crash, never a modified input. Bad files are made by
// tampering with a copy of a good one through HDF5's C API.
#include <hdf5.h>

#include <cmath>
#include <functional>
#include <limits>

#include "data/demo_file.h"
#include "data/expert_store.h"
#include "data/hdf5.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using testing::FileBytes;

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TestDir();
    good_ = dir_ / "good.h5";
    testing::WriteTestFile(good_, {20, 30, 25});
    h5::SilenceErrors();
  }

  // A copy of the good file changed by `edit` (given the open file).
  fs::path Tampered(const std::string& name, const std::function<void(hid_t)>& edit) {
    const fs::path path = dir_ / name;
    fs::copy_file(good_, path, fs::copy_options::overwrite_existing);
    h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    EXPECT_TRUE(file.valid());
    edit(file.get());
    return path;
  }

  // Replaces dataset `name` by a new one of the given type and shape, filled
  // with zeros.
  static void Replace(hid_t file, const char* name, hid_t type, std::vector<hsize_t> dims) {
    ASSERT_GE(H5Ldelete(file, name, H5P_DEFAULT), 0);
    h5::Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    h5::Id d(H5Dcreate2(file, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    ASSERT_TRUE(d.valid());
    size_t n = 1;
    for (hsize_t x : dims) n *= x;
    std::vector<char> zeros(n * H5Tget_size(type), 0);
    ASSERT_GE(H5Dwrite(d.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros.data()), 0);
  }

  // Writes one element of a 1-D or 2-D dataset.
  static void Poke(hid_t file, const char* name, hsize_t row, hsize_t col, hid_t mem_type,
                   const void* value) {
    h5::Id d(H5Dopen2(file, name, H5P_DEFAULT));
    h5::Id space(H5Dget_space(d.get()));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hsize_t start[2] = {row, col}, count[2] = {1, 1};
    H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr);
    h5::Id mem(H5Screate_simple(rank, count, nullptr));
    ASSERT_GE(H5Dwrite(d.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, value), 0);
  }

  static void SetIntAttribute(hid_t file, const char* name, int64_t value) {
    h5::Id attr(H5Aopen(file, name, H5P_DEFAULT));
    ASSERT_GE(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), 0);
  }

  // Opening `path` fails with a message naming the file and every one of
  // `words`, whatever the problem (structure or values): Open validates; the
  // file is unchanged; the expert store refuses it at Open too, in memory and
  // in stream mode, before any work (every reader opens through DemoFile).
  static void ExpectRejected(const fs::path& path, std::vector<std::string> words,
                             const DemoOpenOptions& options = {}) {
    const std::string before = fs::is_regular_file(path) ? FileBytes(path) : "";
    auto file = DemoFile::Open(path, options);
    const absl::Status status = file.status();
    EXPECT_FALSE(status.ok()) << path;
    const std::string message(status.message());
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    for (const std::string& w : words) EXPECT_NE(message.find(w), std::string::npos) << message;
    if (fs::is_regular_file(path)) {
      EXPECT_EQ(FileBytes(path), before) << "input modified";
    }
    for (const char* mode : {"memory", "stream"}) {
      ExpertStoreConfig config;
      config.mode = mode;
      auto store =
          ExpertStore::Open(path, config, 0, options.expected_obs_dim, options.expected_act_dim);
      ASSERT_FALSE(store.ok()) << mode << " store opened " << path;
      EXPECT_EQ(store.status().message(), message) << mode;
    }
  }

  fs::path dir_, good_;
};

TEST_F(BadInputTest, TheGoodFileIsGood) {
  auto f = DemoFile::Open(good_);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->Validate().ok());
}

TEST_F(BadInputTest, TruncatedFile) {
  const std::string bytes = FileBytes(good_);
  for (size_t keep : {bytes.size() / 2, bytes.size() - 1, size_t{100}, size_t{0}}) {
    SCOPED_TRACE(keep);
    const fs::path path = dir_ / StrCat("truncated_", keep, ".h5");
    testing::WriteBytes(path, bytes.substr(0, keep));
    ExpectRejected(path, {});
  }
}

TEST_F(BadInputTest, NotAnHdf5File) {
  const fs::path path = dir_ / "notes.h5";
  testing::WriteBytes(path, "observations,actions\n1,2\n");
  ExpectRejected(path, {"not an HDF5 file"});
}

TEST_F(BadInputTest, MissingDataset) {
  ExpectRejected(Tampered("no_actions.h5", [](hid_t f) { H5Ldelete(f, "actions", H5P_DEFAULT); }),
                 {"'actions'", "missing"});
  ExpectRejected(Tampered("no_qpos.h5", [](hid_t f) { H5Ldelete(f, "infos/qpos", H5P_DEFAULT); }),
                 {"'infos/qpos'", "missing"});
  ExpectRejected(
      Tampered("no_table.h5", [](hid_t f) { H5Ldelete(f, "episodes/length", H5P_DEFAULT); }),
      {"'episodes/length'", "missing"});
}

TEST_F(BadInputTest, MissingAttribute) {
  ExpectRejected(Tampered("no_task.h5", [](hid_t f) { H5Adelete(f, "task"); }),
                 {"attribute 'task'"});
  ExpectRejected(Tampered("no_format.h5", [](hid_t f) { H5Adelete(f, "format"); }),
                 {"not an irlab demonstration file"});
  ExpectRejected(Tampered("future.h5", [](hid_t f) { SetIntAttribute(f, "format_version", 99); }),
                 {"format_version 99"});
}

TEST_F(BadInputTest, WrongDtype) {
  ExpectRejected(
      Tampered("f64_rewards.h5", [](hid_t f) { Replace(f, "rewards", H5T_IEEE_F64LE, {75}); }),
      {"'rewards'", "float64", "expected float32"});
  ExpectRejected(Tampered("int_obs.h5",
                          [](hid_t f) {
                            Replace(f, "observations", H5T_STD_I32LE, {75, 3});
                          }),
                 {"'observations'", "int32"});
}

TEST_F(BadInputTest, WrongRank) {
  ExpectRejected(Tampered("rank2_rewards.h5",
                          [](hid_t f) {
                            Replace(f, "rewards", H5T_IEEE_F32LE, {75, 1});
                          }),
                 {"'rewards'", "rank 2"});
  ExpectRejected(
      Tampered("rank1_actions.h5", [](hid_t f) { Replace(f, "actions", H5T_IEEE_F32LE, {150}); }),
      {"'actions'", "rank 1"});
}

TEST_F(BadInputTest, InconsistentLengths) {
  ExpectRejected(Tampered("short_actions.h5",
                          [](hid_t f) {
                            Replace(f, "actions", H5T_IEEE_F32LE, {74, 2});
                          }),
                 {"'actions'", "74 rows, expected 75"});
  ExpectRejected(Tampered("wide_obs.h5",
                          [](hid_t f) {
                            Replace(f, "next_observations", H5T_IEEE_F32LE, {75, 4});
                          }),
                 {"'next_observations'", "4 columns, expected 3"});
  // the episode table no longer adds up
  ExpectRejected(Tampered("bad_lengths.h5",
                          [](hid_t f) {
                            const int64_t v = 21;
                            Poke(f, "episodes/length", 0, 0, H5T_NATIVE_INT64, &v);
                          }),
                 {"episode 1", "'episodes/start'"});
  ExpectRejected(
      Tampered("more_episodes.h5", [](hid_t f) { SetIntAttribute(f, "num_episodes", 4); }),
      {"'episodes/start'", "3 rows, expected 4"});
}

// Counts from attributes are checked against the datasets' real extents
// before anything is sized from them: a small file claiming 1e12 episodes is
// refused by name, not with std::bad_alloc (or gigabytes allocated first).
TEST_F(BadInputTest, HugeCountsInAttributesAllocateNothing) {
  const int64_t huge = 1000000000000;
  ExpectRejected(Tampered("huge_counts.h5",
                          [&](hid_t f) {
                            SetIntAttribute(f, "num_episodes", huge);
                            SetIntAttribute(f, "num_transitions", huge);
                          }),
                 {"'observations'", "75 rows, expected 1000000000000"});
  // a consistent transition count, an episode count the table cannot hold
  ExpectRejected(
      Tampered("huge_episodes.h5", [&](hid_t f) { SetIntAttribute(f, "num_episodes", 75); }),
      {"'episodes/start'", "3 rows, expected 75"});
}

TEST_F(BadInputTest, NanAndInfValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  ExpectRejected(Tampered("nan_obs.h5",
                          [&](hid_t f) { Poke(f, "observations", 42, 1, H5T_NATIVE_FLOAT, &nan); }),
                 {"'observations'", "row 42", "non-finite"});
  ExpectRejected(
      Tampered("nan_reward.h5", [&](hid_t f) { Poke(f, "rewards", 3, 0, H5T_NATIVE_FLOAT, &nan); }),
      {"'rewards'", "row 3"});
  ExpectRejected(Tampered("inf_qvel.h5",
                          [&](hid_t f) { Poke(f, "infos/qvel", 74, 1, H5T_NATIVE_DOUBLE, &inf); }),
                 {"'infos/qvel'", "row 74", "inf"});
  ExpectRejected(
      Tampered("inf_return.h5",
               [&](hid_t f) { Poke(f, "episodes/return", 2, 0, H5T_NATIVE_DOUBLE, &inf); }),
      {"'episodes/return'"});
}

TEST_F(BadInputTest, InconsistentValues) {
  const uint8_t two = 2, one = 1;
  ExpectRejected(
      Tampered("flag_two.h5", [&](hid_t f) { Poke(f, "terminals", 5, 0, H5T_NATIVE_UINT8, &two); }),
      {"'terminals'", "row 5", "neither 0 nor 1"});
  ExpectRejected(Tampered("early_flag.h5",
                          [&](hid_t f) { Poke(f, "timeouts", 5, 0, H5T_NATIVE_UINT8, &one); }),
                 {"'timeouts'", "row 5", "before the episode's last step"});
  const float moved = 1234.0f;
  ExpectRejected(
      Tampered("jump.h5",
               [&](hid_t f) { Poke(f, "next_observations", 30, 2, H5T_NATIVE_FLOAT, &moved); }),
      {"'next_observations' row 30", "observations row 31"});
  ExpectRejected(Tampered("final_obs.h5",
                          [&](hid_t f) {
                            Poke(f, "episodes/final_observation", 1, 0, H5T_NATIVE_FLOAT, &moved);
                          }),
                 {"'episodes/final_observation' row 1", "next_observations row 49"});
  const int64_t wrong = 0;
  ExpectRejected(
      Tampered("wrong_id.h5",
               [&](hid_t f) { Poke(f, "episode_ids", 60, 0, H5T_NATIVE_INT64, &wrong); }),
      {"'episode_ids'", "row 60"});
  const double bad_return = 1e6;
  ExpectRejected(
      Tampered("wrong_return.h5",
               [&](hid_t f) { Poke(f, "episodes/return", 1, 0, H5T_NATIVE_DOUBLE, &bad_return); }),
      {"'episodes/return'", "episode 1"});
}

TEST_F(BadInputTest, DimensionsThatDoNotMatchTheTask) {
  DemoOpenOptions options;
  options.expected_obs_dim = 17;
  ExpectRejected(good_, {"'observations'", "3 columns", "obs_dim is 17"}, options);
  options.expected_obs_dim = 3;
  options.expected_act_dim = 6;
  ExpectRejected(good_, {"'actions'", "act_dim is 6"}, options);
}

TEST_F(BadInputTest, ZeroEpisodes) {
  ExpectRejected(Tampered("empty.h5",
                          [](hid_t f) {
                            SetIntAttribute(f, "num_episodes", 0);
                            SetIntAttribute(f, "num_transitions", 0);
                          }),
                 {"zero episodes", "'episodes/start'"});
}

TEST_F(BadInputTest, DirectoryInsteadOfAFile) {
  ExpectRejected(dir_, {"is a directory"});
  ExpectRejected(dir_ / "missing.h5", {"no such file"});
}

}  // namespace
}  // namespace irlab
