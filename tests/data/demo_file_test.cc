// DemoWriter and DemoFile: round trips, atomic writes, the checks on append,
// and the HDF5 layout other clients rely on.
#include "data/demo_file.h"

#include <hdf5.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <limits>

#include "data/demo_writer.h"
#include "data/hdf5.h"
#include "gtest/gtest.h"
#include "tests/data/test_util.h"

namespace irlab {
namespace {

namespace fs = std::filesystem;
using testing::MakeEpisode;
using testing::TestDir;
using testing::TestMetadata;

template <class T>
std::vector<T> ReadAll(const DemoFile& f, DemoField field) {
  std::vector<T> out(f.num_transitions() * f.width(field));
  EXPECT_TRUE(f.Read(field, 0, f.num_transitions(), std::span<T>(out)).ok());
  return out;
}

TEST(DemoFileTest, RoundTripGivesIdenticalArraysAndAttributes) {
  const fs::path path = TestDir() / "demos.h5";
  const DemoMetadata m = TestMetadata();
  const std::vector<int> lengths = {5, 1, 7};
  std::vector<Episode> episodes;
  {
    auto writer = DemoWriter::Create(path, m);
    ASSERT_TRUE(writer.ok()) << writer.status();
    int64_t start = 0;
    for (size_t e = 0; e < lengths.size(); ++e) {
      episodes.push_back(MakeEpisode(m, start, e, lengths[e], e == 1));
      ASSERT_TRUE((*writer)->Append(episodes.back()).ok());
      start += lengths[e];
    }
    ASSERT_TRUE((*writer)->Close().ok());
  }
  auto opened = DemoFile::Open(path);
  ASSERT_TRUE(opened.ok()) << opened.status();
  const DemoFile& f = **opened;
  ASSERT_TRUE(f.Validate().ok()) << f.Validate();

  // attributes
  const DemoMetadata& r = f.metadata();
  EXPECT_EQ(r.task, m.task);
  EXPECT_EQ(r.obs_dim, 3);
  EXPECT_EQ(r.act_dim, 2);
  EXPECT_EQ(r.nq, 2);
  EXPECT_EQ(r.nv, 2);
  EXPECT_EQ(r.dt, 0.05);
  EXPECT_EQ(r.horizon, 1000);
  EXPECT_EQ(r.act_low, m.act_low);
  EXPECT_EQ(r.act_high, m.act_high);
  EXPECT_EQ(r.env_options, m.env_options);
  EXPECT_EQ(r.policy_run, "runs/expert");
  EXPECT_EQ(r.config_hash, "0123456789abcdef");
  EXPECT_EQ(r.source, "test");
  EXPECT_EQ(r.format_version, kDemoFormatVersion);
  EXPECT_EQ(r.irlab_version, IrlabVersion());
  EXPECT_EQ(r.created.size(), 20u) << r.created;  // 2024-01-02T03:04:05Z

  // the episode table
  EXPECT_EQ(f.num_transitions(), 13);
  EXPECT_EQ(f.num_episodes(), 3);
  EXPECT_EQ(f.episodes().start, (std::vector<int64_t>{0, 5, 6}));
  EXPECT_EQ(f.episodes().length, (std::vector<int64_t>{5, 1, 7}));
  EXPECT_EQ(f.episodes().seed, (std::vector<uint64_t>{1000, 1001, 1002}));
  // returns: 0.5, 0.75, 1.0, 1.25 repeating
  EXPECT_EQ(f.episodes().ret, (std::vector<double>{0.5 + 0.75 + 1 + 1.25 + 0.5, 0.5,
                                                   0.5 + 0.75 + 1 + 1.25 + 0.5 + 0.75 + 1}));

  // every array, bit for bit
  std::vector<float> obs, act, rew, next;
  std::vector<uint8_t> term, timeout;
  std::vector<double> qpos, qvel, final_qpos, final_qvel;
  std::vector<int64_t> ids;
  for (size_t e = 0; e < episodes.size(); ++e) {
    const Episode& ep = episodes[e];
    obs.insert(obs.end(), ep.observations.begin(), ep.observations.end());
    act.insert(act.end(), ep.actions.begin(), ep.actions.end());
    rew.insert(rew.end(), ep.rewards.begin(), ep.rewards.end());
    next.insert(next.end(), ep.next_observations.begin(), ep.next_observations.end());
    term.insert(term.end(), ep.terminals.begin(), ep.terminals.end());
    timeout.insert(timeout.end(), ep.timeouts.begin(), ep.timeouts.end());
    qpos.insert(qpos.end(), ep.qpos.begin(), ep.qpos.end());
    qvel.insert(qvel.end(), ep.qvel.begin(), ep.qvel.end());
    final_qpos.insert(final_qpos.end(), ep.final_qpos.begin(), ep.final_qpos.end());
    final_qvel.insert(final_qvel.end(), ep.final_qvel.begin(), ep.final_qvel.end());
    ids.insert(ids.end(), ep.length(), static_cast<int64_t>(e));
  }
  EXPECT_EQ(ReadAll<float>(f, DemoField::kObservations), obs);
  EXPECT_EQ(ReadAll<float>(f, DemoField::kActions), act);
  EXPECT_EQ(ReadAll<float>(f, DemoField::kRewards), rew);
  EXPECT_EQ(ReadAll<float>(f, DemoField::kNextObservations), next);
  EXPECT_EQ(ReadAll<uint8_t>(f, DemoField::kTerminals), term);
  EXPECT_EQ(ReadAll<uint8_t>(f, DemoField::kTimeouts), timeout);
  EXPECT_EQ(ReadAll<int64_t>(f, DemoField::kEpisodeIds), ids);
  EXPECT_EQ(ReadAll<double>(f, DemoField::kQpos), qpos);
  EXPECT_EQ(ReadAll<double>(f, DemoField::kQvel), qvel);
  ASSERT_TRUE(f.has_final_state());
  std::vector<double> fq(6), fv(6);
  ASSERT_TRUE(f.ReadFinalState(fq, fv).ok());
  EXPECT_EQ(fq, final_qpos);
  EXPECT_EQ(fv, final_qvel);
  std::vector<float> final_obs(3 * 3);
  ASSERT_TRUE(f.ReadFinalObservations(final_obs).ok());
  for (int e = 0; e < 3; ++e) {
    const Episode& ep = episodes[e];
    EXPECT_TRUE(
        std::equal(ep.next_observations.end() - 3, ep.next_observations.end(), &final_obs[e * 3]));
  }
  // a partial read in the middle
  std::vector<float> middle(2 * 3);
  ASSERT_TRUE(f.Read(DemoField::kObservations, 4, 2, std::span<float>(middle)).ok());
  EXPECT_EQ(middle[0], 4.0f);
  EXPECT_EQ(middle[3], 5.0f);
  EXPECT_FALSE(f.Read(DemoField::kObservations, 12, 2, std::span<float>(middle)).ok());
}

TEST(DemoFileTest, FileWithoutStateOrFinalState) {
  const fs::path path = TestDir() / "nostate.h5";
  testing::WriteTestFile(path, {4, 4}, TestMetadata(3, 2, 0, 0), false);
  auto f = DemoFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_FALSE((*f)->has_state());
  EXPECT_FALSE((*f)->has_final_state());
  EXPECT_TRUE((*f)->Validate().ok());
}

TEST(DemoFileTest, WritesUnderATemporaryNameUntilClosed) {
  const fs::path dir = TestDir();
  const fs::path path = dir / "demos.h5";
  const DemoMetadata m = TestMetadata();
  auto writer = DemoWriter::Create(path, m);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(MakeEpisode(m, 0, 0, 10, false)).ok());
  EXPECT_FALSE(fs::exists(path)) << "no file under the final name before Close()";
  EXPECT_TRUE(fs::exists((*writer)->temp_path()));
  EXPECT_EQ((*writer)->temp_path().parent_path(), dir);
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists((*writer)->temp_path()));
}

TEST(DemoFileTest, AnInterruptedWriterLeavesNothing) {
  const fs::path dir = TestDir();
  const DemoMetadata m = TestMetadata();
  fs::path temp;
  {
    auto writer = DemoWriter::Create(dir / "demos.h5", m);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Append(MakeEpisode(m, 0, 0, 10, false)).ok());
    temp = (*writer)->temp_path();
  }  // destroyed without Close()
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::is_empty(dir));
}

// A writer killed with SIGKILL runs no destructor: its temporary file stays
// until the next writer of the same output removes it (a live writer's is kept).
TEST(DemoFileTest, ATemporaryFileOfAKilledWriterIsRemovedByTheNext) {
  const fs::path dir = TestDir();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);  // its pid now names no process
  const fs::path stale = dir / StrCat(".demos.h5.tmp.", child);
  const fs::path live = dir / StrCat(".demos.h5.tmp.", ::getppid());
  const fs::path other = dir / StrCat(".other.h5.tmp.", child);
  for (const fs::path& p : {stale, live, other}) testing::WriteBytes(p, "half an HDF5 file");
  const DemoMetadata m = TestMetadata();
  auto writer = DemoWriter::Create(dir / "demos.h5", m);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_FALSE(fs::exists(stale)) << "the killed writer's temporary file is still there";
  EXPECT_TRUE(fs::exists(live)) << "a running writer's temporary file was removed";
  EXPECT_TRUE(fs::exists(other));
}

// An output that cannot be created is named itself, not only by its
// temporary sibling.
TEST(DemoFileTest, AnUnwritableOutputIsNamed) {
  const fs::path path = "/proc/irlab_demos.h5";  // no one, not even root, creates files here
  auto writer = DemoWriter::Create(path, TestMetadata());
  ASSERT_FALSE(writer.ok());
  const std::string message(writer.status().message());
  EXPECT_EQ(message.rfind(path.string() + ": cannot write it: ", 0), 0u) << message;
  EXPECT_NE(message.find(".irlab_demos.h5.tmp."), std::string::npos) << message;
}

TEST(DemoFileTest, ZeroEpisodesAreNotWritten) {
  const fs::path dir = TestDir();
  auto writer = DemoWriter::Create(dir / "demos.h5", TestMetadata());
  ASSERT_TRUE(writer.ok());
  const absl::Status s = (*writer)->Close();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no episodes"), std::string::npos) << s;
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(DemoFileTest, ExistingOutputIsRefusedUnlessOverwrite) {
  const fs::path path = TestDir() / "demos.h5";
  testing::WriteTestFile(path, {3});
  const std::string before = testing::FileBytes(path);
  auto refused = DemoWriter::Create(path, TestMetadata());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(refused.status().message().find(path.string()), std::string::npos);
  EXPECT_EQ(testing::FileBytes(path), before);

  // a file appearing while writing is not replaced either
  const fs::path late = path.parent_path() / "late.h5";
  auto writer = DemoWriter::Create(late, TestMetadata());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append(MakeEpisode(TestMetadata(), 0, 0, 4, false)).ok());
  testing::WriteBytes(late, "someone else's file");
  EXPECT_EQ((*writer)->Close().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::FileBytes(late), "someone else's file");

  testing::WriteTestFile(path, {2, 2});  // WriteTestFile overwrites
  auto f = DemoFile::Open(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->num_episodes(), 2);
}

TEST(DemoFileTest, DirectoryOrMissingFolderIsRefused) {
  const fs::path dir = TestDir();
  auto as_dir = DemoWriter::Create(dir, TestMetadata(), {.overwrite = true});
  ASSERT_FALSE(as_dir.ok());
  EXPECT_NE(as_dir.status().message().find("directory"), std::string::npos);
  EXPECT_FALSE(DemoWriter::Create(dir / "missing" / "x.h5", TestMetadata()).ok());
}

TEST(DemoFileTest, AppendRejectsBadEpisodesAndKeepsTheGoodOnes) {
  const fs::path path = TestDir() / "demos.h5";
  const DemoMetadata m = TestMetadata();
  auto writer = DemoWriter::Create(path, m);
  ASSERT_TRUE(writer.ok());
  DemoWriter& w = **writer;
  ASSERT_TRUE(w.Append(MakeEpisode(m, 0, 0, 4, false)).ok());

  auto expect_rejected = [&](Episode ep, std::string_view words) {
    const absl::Status s = w.Append(ep);
    EXPECT_FALSE(s.ok()) << words;
    EXPECT_NE(std::string(s.message()).find(words), std::string::npos) << s;
  };
  Episode ep = MakeEpisode(m, 4, 1, 4, false);
  ep.observations[5] = std::numeric_limits<float>::quiet_NaN();
  expect_rejected(ep, "non-finite");
  ep = MakeEpisode(m, 4, 1, 4, false);
  ep.qvel[0] = std::numeric_limits<double>::infinity();
  expect_rejected(ep, "infos/qvel");
  ep = MakeEpisode(m, 4, 1, 4, false);
  ep.actions.pop_back();
  expect_rejected(ep, "'actions' has 7 values, expected 8");
  ep = MakeEpisode(m, 4, 1, 4, false);
  ep.timeouts[3] = 0;
  expect_rejected(ep, "last step");
  ep = MakeEpisode(m, 4, 1, 4, false);
  ep.terminals[1] = 1;
  expect_rejected(ep, "last step");
  ep = MakeEpisode(m, 4, 1, 4, false);
  ep.next_observations[0] += 1.0f;
  expect_rejected(ep, "next_observations[0] differs from observations[1]");
  ep = MakeEpisode(m, 4, 1, 4, false, /*final_state=*/false);
  expect_rejected(ep, "every episode or for none");
  expect_rejected(Episode(), "no steps");

  ASSERT_TRUE(w.Append(MakeEpisode(m, 4, 1, 3, true)).ok());
  ASSERT_TRUE(w.Close().ok());
  auto f = DemoFile::Open(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->num_transitions(), 7);
  EXPECT_TRUE((*f)->Validate().ok());
}

TEST(DemoFileTest, PlainChunkedTypesOtherClientsRead) {
  const fs::path path = TestDir() / "demos.h5";
  testing::WriteTestFile(path, {3000, 3000});
  h5::SilenceErrors();
  h5::Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  ASSERT_TRUE(file.valid());
  struct Expect {
    const char* name;
    hid_t type;
  };
  const Expect expected[] = {
      {"observations", H5T_IEEE_F32LE},
      {"actions", H5T_IEEE_F32LE},
      {"rewards", H5T_IEEE_F32LE},
      {"next_observations", H5T_IEEE_F32LE},
      {"terminals", H5T_STD_U8LE},
      {"timeouts", H5T_STD_U8LE},
      {"episode_ids", H5T_STD_I64LE},
      {"infos/qpos", H5T_IEEE_F64LE},
      {"infos/qvel", H5T_IEEE_F64LE},
      {"episodes/start", H5T_STD_I64LE},
      {"episodes/length", H5T_STD_I64LE},
      {"episodes/return", H5T_IEEE_F64LE},
      {"episodes/seed", H5T_STD_U64LE},
      {"episodes/final_observation", H5T_IEEE_F32LE},
      {"episodes/final_qpos", H5T_IEEE_F64LE},
      {"episodes/final_qvel", H5T_IEEE_F64LE},
  };
  for (const Expect& e : expected) {
    SCOPED_TRACE(e.name);
    h5::Id d(H5Dopen2(file.get(), e.name, H5P_DEFAULT));
    ASSERT_TRUE(d.valid());
    h5::Id type(H5Dget_type(d.get()));
    EXPECT_GT(H5Tequal(type.get(), e.type), 0);
    h5::Id dcpl(H5Dget_create_plist(d.get()));
    ASSERT_EQ(H5Pget_layout(dcpl.get()), H5D_CHUNKED);
    hsize_t chunk[2] = {1, 1};
    const int rank = H5Pget_chunk(dcpl.get(), 2, chunk);
    const size_t bytes = chunk[0] * (rank == 2 ? chunk[1] : 1) * H5Tget_size(type.get());
    EXPECT_GE(bytes, 10u << 10);
    EXPECT_LE(bytes, 1u << 20);
    ASSERT_EQ(H5Pget_nfilters(dcpl.get()), 3);
    auto filter = [&](unsigned index) {
      unsigned flags = 0, config = 0;
      size_t num_values = 0;
      return H5Pget_filter2(dcpl.get(), index, &flags, &num_values, nullptr, 0, nullptr, &config);
    };
    EXPECT_EQ(filter(0), H5Z_FILTER_SHUFFLE);
    EXPECT_EQ(filter(1), H5Z_FILTER_DEFLATE);
    EXPECT_EQ(filter(2), H5Z_FILTER_FLETCHER32);
  }
  // fixed-width string and int64 attributes
  h5::Id attr(H5Aopen(file.get(), "task", H5P_DEFAULT));
  h5::Id type(H5Aget_type(attr.get()));
  EXPECT_EQ(H5Tget_class(type.get()), H5T_STRING);
  EXPECT_EQ(H5Tis_variable_str(type.get()), 0);
  h5::Id version(H5Aopen(file.get(), "format_version", H5P_DEFAULT));
  h5::Id version_type(H5Aget_type(version.get()));
  EXPECT_GT(H5Tequal(version_type.get(), H5T_STD_I64LE), 0);
}

}  // namespace
}  // namespace irlab
