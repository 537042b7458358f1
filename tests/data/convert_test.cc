// Minari and D4RL conversion: round trips give identical arrays and
// attributes; the written layouts are the ecosystem's; foreign files (types
// and quirks as h5py writes them) are read; bad conversions are refused.
#include "data/convert.h"

#include <hdf5.h>

#include <limits>

#include "core/files.h"
#include "data/demo_file.h"
#include "data/hdf5.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using testing::FileBytes;
using testing::TestMetadata;

// Every array, the episode table and the attributes of an irlab file.
struct Everything {
  std::vector<float> obs, act, rew, next;
  std::vector<uint8_t> term, timeout;
  std::vector<double> qpos, qvel, final_qpos, final_qvel;
  EpisodeTable table;
  DemoMetadata metadata;
};

Everything ReadEverything(const fs::path& path) {
  Everything x;
  auto opened = DemoFile::Open(path);
  EXPECT_TRUE(opened.ok()) << opened.status();
  if (!opened.ok()) return x;
  const DemoFile& f = **opened;
  EXPECT_TRUE(f.Validate().ok()) << f.Validate();
  const int64_t n = f.num_transitions();
  auto read = [&](DemoField field, auto& out) {
    out.resize(n * f.width(field));
    using T = typename std::remove_reference_t<decltype(out)>::value_type;
    EXPECT_TRUE(f.Read(field, 0, n, std::span<T>(out)).ok());
  };
  read(DemoField::kObservations, x.obs);
  read(DemoField::kActions, x.act);
  read(DemoField::kRewards, x.rew);
  read(DemoField::kNextObservations, x.next);
  read(DemoField::kTerminals, x.term);
  read(DemoField::kTimeouts, x.timeout);
  if (f.has_state()) {
    read(DemoField::kQpos, x.qpos);
    read(DemoField::kQvel, x.qvel);
  }
  if (f.has_final_state()) {
    x.final_qpos.resize(f.num_episodes() * f.metadata().nq);
    x.final_qvel.resize(f.num_episodes() * f.metadata().nv);
    EXPECT_TRUE(f.ReadFinalState(x.final_qpos, x.final_qvel).ok());
  }
  x.table = f.episodes();
  x.metadata = f.metadata();
  return x;
}

void ExpectSame(const Everything& a, const Everything& b) {
  EXPECT_EQ(a.obs, b.obs);
  EXPECT_EQ(a.act, b.act);
  EXPECT_EQ(a.rew, b.rew);
  EXPECT_EQ(a.next, b.next);
  EXPECT_EQ(a.term, b.term);
  EXPECT_EQ(a.timeout, b.timeout);
  EXPECT_EQ(a.qpos, b.qpos);
  EXPECT_EQ(a.qvel, b.qvel);
  EXPECT_EQ(a.final_qpos, b.final_qpos);
  EXPECT_EQ(a.final_qvel, b.final_qvel);
  EXPECT_EQ(a.table.start, b.table.start);
  EXPECT_EQ(a.table.length, b.table.length);
  EXPECT_EQ(a.table.ret, b.table.ret);
  EXPECT_EQ(a.table.seed, b.table.seed);
  const DemoMetadata &x = a.metadata, &y = b.metadata;
  EXPECT_EQ(x.task, y.task);
  EXPECT_EQ(x.obs_dim, y.obs_dim);
  EXPECT_EQ(x.act_dim, y.act_dim);
  EXPECT_EQ(x.nq, y.nq);
  EXPECT_EQ(x.nv, y.nv);
  EXPECT_EQ(x.dt, y.dt);
  EXPECT_EQ(x.horizon, y.horizon);
  EXPECT_EQ(x.act_low, y.act_low);
  EXPECT_EQ(x.act_high, y.act_high);
  EXPECT_EQ(x.env_options, y.env_options);
  EXPECT_EQ(x.policy_run, y.policy_run);
  EXPECT_EQ(x.config_hash, y.config_hash);
  EXPECT_EQ(x.source, y.source);
  EXPECT_EQ(x.created, y.created);
}

class ConvertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TestDir();
    original_ = dir_ / "demos.h5";
    testing::WriteTestFile(original_, {12, 1, 20, 7});
    h5::SilenceErrors();
  }
  fs::path dir_, original_;
};

TEST_F(ConvertTest, MinariRoundTripIsExact) {
  for (const char* name : {"demos_minari.hdf5", "minari_dataset"}) {
    SCOPED_TRACE(name);
    const fs::path minari = dir_ / name, back = dir_ / StrCat(name, "_back.h5");
    auto there = ConvertDemos(DemoLayout::kIrlab, original_, DemoLayout::kMinari, minari, {});
    ASSERT_TRUE(there.ok()) << there.status();
    EXPECT_EQ(there->episodes, 4);
    EXPECT_EQ(there->transitions, 40);
    auto back_again = ConvertDemos(DemoLayout::kMinari, minari, DemoLayout::kIrlab, back, {});
    ASSERT_TRUE(back_again.ok()) << back_again.status();
    ExpectSame(ReadEverything(original_), ReadEverything(back));
  }
  // the folder form is a Minari dataset: data/main_data.hdf5 and metadata.json
  const fs::path folder = dir_ / "minari_dataset";
  ASSERT_TRUE(fs::is_regular_file(folder / "data" / "main_data.hdf5"));
  auto json = ReadFile(folder / "data" / "metadata.json");
  ASSERT_TRUE(json.ok());
  for (const char* key :
       {"\"dataset_id\": \"synthetic-irlab-v0\"", "\"total_episodes\": 4", "\"total_steps\": 40",
        "\"data_format\": \"hdf5\"", "\"observation_space\": \"{\\\"type\\\": \\\"Box\\\"",
        "\\\"low\\\": [-1, -1]", "\"minari_version\""}) {
    EXPECT_NE(json->find(key), std::string::npos) << key << " in " << *json;
  }
}

TEST_F(ConvertTest, MinariLayoutIsMinaris) {
  const fs::path minari = dir_ / "m.hdf5";
  ASSERT_TRUE(ConvertDemos(DemoLayout::kIrlab, original_, DemoLayout::kMinari, minari, {}).ok());
  h5::Id file(H5Fopen(minari.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  auto info = [&](const char* name) {
    h5::Id d(H5Dopen2(file.get(), name, H5P_DEFAULT));
    EXPECT_TRUE(d.valid()) << name;
    auto i = h5::Describe(d.get(), name, minari);
    return i.ok() ? *i : h5::DatasetInfo();
  };
  EXPECT_EQ(info("episode_0/observations").dims, (std::vector<int64_t>{13, 3}));  // T + 1
  EXPECT_EQ(info("episode_0/actions").dims, (std::vector<int64_t>{12, 2}));
  EXPECT_EQ(info("episode_0/rewards").dims, (std::vector<int64_t>{12}));
  EXPECT_EQ(info("episode_0/terminations").type_name, "bool");  // h5py's bool enum
  EXPECT_EQ(info("episode_3/truncations").type_name, "bool");
  EXPECT_EQ(info("episode_1/infos/qpos").dims,
            (std::vector<int64_t>{2, 2}));  // T + 1 with the final state
  h5::Id group(H5Gopen2(file.get(), "episode_2", H5P_DEFAULT));
  EXPECT_EQ(*h5::ReadIntAttribute(group.get(), "id", minari), 2);
  EXPECT_EQ(*h5::ReadIntAttribute(group.get(), "total_steps", minari), 20);
  EXPECT_EQ(*h5::ReadUint64Attribute(group.get(), "seed", minari), 1002u);
}

TEST_F(ConvertTest, D4rlRoundTripIsExactAndFlat) {
  const fs::path d4rl = dir_ / "d4rl.hdf5", back = dir_ / "back.h5";
  ASSERT_TRUE(ConvertDemos(DemoLayout::kIrlab, original_, DemoLayout::kD4rl, d4rl, {}).ok());
  auto back_again = ConvertDemos(DemoLayout::kD4rl, d4rl, DemoLayout::kIrlab, back, {});
  ASSERT_TRUE(back_again.ok()) << back_again.status();
  EXPECT_TRUE(back_again->notes.empty());
  ExpectSame(ReadEverything(original_), ReadEverything(back));

  h5::Id file(H5Fopen(d4rl.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  for (const char* name : {"observations", "actions", "rewards", "next_observations", "terminals",
                           "timeouts", "infos/qpos", "infos/qvel"}) {
    EXPECT_TRUE(h5::Exists(file.get(), name)) << name;
  }
  EXPECT_FALSE(h5::Exists(file.get(), "episodes"));
  h5::Id term(H5Dopen2(file.get(), "terminals", H5P_DEFAULT));
  EXPECT_EQ(h5::Describe(term.get(), "terminals", d4rl)->type_name, "bool");
  // an irlab reader does not mistake it for an irlab file
  EXPECT_FALSE(DemoFile::Open(d4rl).ok());
}

// A D4RL-style file as a Python script would write it: float64 observations,
// bool flags, no next_observations, no timeouts at the very end, no irlab
// attributes.
TEST_F(ConvertTest, ReadsAForeignD4rlFile) {
  const fs::path path = dir_ / "foreign_d4rl.hdf5";
  {
    h5::Id file = *h5::CreateFile(path);
    const int n = 10;
    std::vector<double> obs(n * 2);
    for (int i = 0; i < n * 2; ++i) obs[i] = 0.5 * i;
    std::vector<float> act(n), rew(n, 1.0f);
    std::vector<uint8_t> term(n, 0), timeout(n, 0);
    term[3] = 1;     // episode 0: rows 0-3, terminated
    timeout[6] = 1;  // episode 1: rows 4-6, time limit; rows 7-9 unflagged
    h5::Id b = h5::BoolEnumType();
    ASSERT_TRUE(h5::WriteArray(file.get(), "observations", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, 2,
                               /*two_dimensional=*/true, obs.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "actions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, 1,
                               /*two_dimensional=*/true, act.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "rewards", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, 1,
                               /*two_dimensional=*/false, rew.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "terminals", b.get(), b.get(), n, 1,
                               /*two_dimensional=*/false, term.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "timeouts", b.get(), b.get(), n, 1,
                               /*two_dimensional=*/false, timeout.data(), path)
                    .ok());
  }
  const std::string before = FileBytes(path);
  const fs::path out = dir_ / "out.h5";
  auto no_task = ConvertDemos(DemoLayout::kD4rl, path, DemoLayout::kIrlab, out, {});
  ASSERT_FALSE(no_task.ok());
  EXPECT_NE(no_task.status().message().find("--env"), std::string::npos);

  ConvertOptions options;
  options.task = TestMetadata(2, 1, 0, 0);
  options.task->task = "Foreign";
  auto converted = ConvertDemos(DemoLayout::kD4rl, path, DemoLayout::kIrlab, out, options);
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_EQ(FileBytes(path), before);
  // three episodes (4, 3, 3 rows), each losing its last step for want of a next obs
  EXPECT_EQ(converted->episodes, 3);
  EXPECT_EQ(converted->transitions, 3 + 2 + 2);
  // float64 observations; no next_observations; an unflagged end
  ASSERT_EQ(converted->notes.size(), 3u);
  EXPECT_EQ(converted->notes[0],
            "float64 data stored as float32 (about 7 significant digits kept): observations");
  const Everything x = ReadEverything(out);
  EXPECT_EQ(x.table.length, (std::vector<int64_t>{3, 2, 2}));
  EXPECT_EQ(x.metadata.task, "Foreign");
  EXPECT_EQ(x.obs[0], 0.0f);
  EXPECT_EQ(x.next[0], 1.0f);      // row 1's obs
  EXPECT_EQ(x.next[2 * 2], 3.0f);  // step 2 -> row 3
  EXPECT_EQ(x.obs[3 * 2], 4.0f);   // episode 1 starts at row 4
  EXPECT_EQ(x.timeout, (std::vector<uint8_t>{0, 0, 1, 0, 1, 0, 1}));

  // a task whose sizes differ is refused, naming the dataset
  options.task->obs_dim = 5;
  auto mismatch = ConvertDemos(DemoLayout::kD4rl, path, DemoLayout::kIrlab, dir_ / "x.h5", options);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("'observations' has 2 columns"), std::string::npos)
      << mismatch.status();
}

// A NaN in a flat file is reported at its row of the file (which a user can
// look up), not only at the episode and step the split at the flags gave it.
TEST_F(ConvertTest, ANonFiniteValueInAD4rlFileNamesItsRow) {
  const fs::path path = dir_ / "nan_d4rl.hdf5";
  {
    h5::Id file = *h5::CreateFile(path);
    const int n = 10;
    std::vector<float> obs(n * 2), act(n), rew(n, 1.0f);
    for (int i = 0; i < n * 2; ++i) obs[i] = 0.5f * i;
    rew[7] = std::numeric_limits<float>::quiet_NaN();  // episode 1 (rows 4-9), step 3
    std::vector<uint8_t> term(n, 0), timeout(n, 0);
    term[3] = 1;
    timeout[9] = 1;
    h5::Id b = h5::BoolEnumType();
    ASSERT_TRUE(h5::WriteArray(file.get(), "observations", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, 2,
                               /*two_dimensional=*/true, obs.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "actions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, 1,
                               /*two_dimensional=*/true, act.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "rewards", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, n, 1,
                               /*two_dimensional=*/false, rew.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "terminals", b.get(), b.get(), n, 1,
                               /*two_dimensional=*/false, term.data(), path)
                    .ok());
    ASSERT_TRUE(h5::WriteArray(file.get(), "timeouts", b.get(), b.get(), n, 1,
                               /*two_dimensional=*/false, timeout.data(), path)
                    .ok());
  }
  ConvertOptions options;
  options.task = TestMetadata(2, 1, 0, 0);
  auto converted =
      ConvertDemos(DemoLayout::kD4rl, path, DemoLayout::kIrlab, dir_ / "nan_out.h5", options);
  ASSERT_FALSE(converted.ok());
  const std::string message(converted.status().message());
  EXPECT_NE(message.find("dataset 'rewards' row 7 "), std::string::npos) << message;
  EXPECT_NE(message.find("episode 1 step 3"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "nan_out.h5"));
}

// A Minari file as Minari writes it: float64 observations and rewards, bool
// flags, seed attributes, metadata outside the HDF5 file.
TEST_F(ConvertTest, ReadsAForeignMinariFile) {
  const fs::path folder = dir_ / "pen-human-v0";
  fs::create_directories(folder / "data");
  const fs::path path = folder / "data" / "main_data.hdf5";
  {
    h5::Id file = *h5::CreateFile(path);
    h5::Id b = h5::BoolEnumType();
    for (int e = 0; e < 2; ++e) {
      const int t = 3 + e;
      const std::string g = StrCat("episode_", e);
      h5::Id group(H5Gcreate2(file.get(), g.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      std::vector<double> obs((t + 1) * 2), rew(t, -1.0);
      for (size_t i = 0; i < obs.size(); ++i) obs[i] = e * 100 + static_cast<double>(i);
      std::vector<float> act(t * 3, 0.25f);
      std::vector<uint8_t> term(t, 0), trunc(t, 0);
      if (e == 0) term[t - 1] = 1;  // episode 1 ends with neither flag
      ASSERT_TRUE(h5::WriteArray(group.get(), "observations", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                 t + 1, 2, /*two_dimensional=*/true, obs.data(), path)
                      .ok());
      ASSERT_TRUE(h5::WriteArray(group.get(), "actions", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, t, 3,
                                 /*two_dimensional=*/true, act.data(), path)
                      .ok());
      ASSERT_TRUE(h5::WriteArray(group.get(), "rewards", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t, 1,
                                 /*two_dimensional=*/false, rew.data(), path)
                      .ok());
      ASSERT_TRUE(h5::WriteArray(group.get(), "terminations", b.get(), b.get(), t, 1,
                                 /*two_dimensional=*/false, term.data(), path)
                      .ok());
      ASSERT_TRUE(h5::WriteArray(group.get(), "truncations", b.get(), b.get(), t, 1,
                                 /*two_dimensional=*/false, trunc.data(), path)
                      .ok());
      ASSERT_TRUE(h5::WriteAttribute(group.get(), "id", int64_t{e}, path).ok());
      ASSERT_TRUE(h5::WriteAttribute(group.get(), "seed", int64_t{42 + e}, path).ok());
    }
  }
  ConvertOptions options;
  options.task = TestMetadata(2, 3, 0, 0);
  const fs::path out = dir_ / "from_minari.h5";
  auto converted = ConvertDemos(DemoLayout::kMinari, folder, DemoLayout::kIrlab, out, options);
  ASSERT_TRUE(converted.ok()) << converted.status();
  EXPECT_EQ(converted->transitions, 7);
  ASSERT_EQ(converted->notes.size(), 2u);  // float64 observations and rewards; an unflagged end
  EXPECT_EQ(converted->notes[0],
            "float64 data stored as float32 (about 7 significant digits kept): "
            "episode_0/observations, episode_0/rewards");
  const Everything x = ReadEverything(out);
  EXPECT_EQ(x.table.seed, (std::vector<uint64_t>{42, 43}));
  EXPECT_EQ(x.table.ret, (std::vector<double>{-3, -4}));
  EXPECT_EQ(x.term, (std::vector<uint8_t>{0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(x.timeout, (std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(x.obs[2 * 3], 100.0f);  // episode 1's first obs
  EXPECT_EQ(x.next[2 * 2], 6.0f);   // episode 0's final obs
}

TEST_F(ConvertTest, RefusesBadConversions) {
  const std::string before = FileBytes(original_);
  const fs::path existing = dir_ / "existing.h5";
  testing::WriteBytes(existing, "keep me");
  auto refused = ConvertDemos(DemoLayout::kIrlab, original_, DemoLayout::kD4rl, existing, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(FileBytes(existing), "keep me");
  ConvertOptions overwrite;
  overwrite.overwrite = true;
  EXPECT_TRUE(
      ConvertDemos(DemoLayout::kIrlab, original_, DemoLayout::kD4rl, existing, overwrite).ok());

  // a directory as output or input
  EXPECT_FALSE(
      ConvertDemos(DemoLayout::kIrlab, original_, DemoLayout::kIrlab, dir_, overwrite).ok());
  EXPECT_FALSE(ConvertDemos(DemoLayout::kIrlab, dir_, DemoLayout::kD4rl, dir_ / "y.h5", {}).ok());
  auto not_minari = ConvertDemos(DemoLayout::kMinari, dir_, DemoLayout::kIrlab, dir_ / "z.h5", {});
  ASSERT_FALSE(not_minari.ok());
  EXPECT_NE(not_minari.status().message().find("not a Minari dataset"), std::string::npos);
  // an irlab file is not a Minari file
  EXPECT_FALSE(
      ConvertDemos(DemoLayout::kMinari, original_, DemoLayout::kIrlab, dir_ / "z.h5", {}).ok());
  // converting a file onto itself (with --overwrite) works and keeps it whole
  const fs::path copy = dir_ / "copy.h5";
  fs::copy_file(original_, copy);
  ASSERT_TRUE(ConvertDemos(DemoLayout::kIrlab, copy, DemoLayout::kIrlab, copy, overwrite).ok());
  ExpectSame(ReadEverything(original_), ReadEverything(copy));
  EXPECT_EQ(FileBytes(original_), before);
  // nothing half-written is left behind
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

TEST_F(ConvertTest, RefusesDictObservations) {
  const fs::path path = dir_ / "dict.hdf5";
  {
    h5::Id file = *h5::CreateFile(path);
    h5::Id lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    h5::Id g(H5Gcreate2(file.get(), "episode_0/observations/image", lcpl.get(), H5P_DEFAULT,
                        H5P_DEFAULT));
  }
  auto s = ConvertDemos(DemoLayout::kMinari, path, DemoLayout::kIrlab, dir_ / "o.h5", {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("'episode_0/observations' is a group"), std::string::npos)
      << s.status();
}

}  // namespace
}  // namespace irlab
