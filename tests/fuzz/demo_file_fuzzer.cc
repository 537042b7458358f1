// libFuzzer target: the demonstration reader and validator. Any bytes as an
// HDF5 demonstration file: DemoFile::Open (with the full validation) either
// refuses it with an error naming the file, or the file holds what the format
// promises, checked here independently of the validator (every value finite,
// flags 0/1 and set exactly on each episode's last step, episode ids, next
// observations continuing and ending on the final observation), and the
// expert store opens it in memory and stream mode and samples from it.
#include <cmath>
#include <cstring>
#include <vector>

#include "data/demo_file.h"
#include "data/expert_store.h"
#include "data/hdf5.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/hdf5_fuzz_util.h"

using namespace irlab;

namespace {

template <typename T>
bool ReadAll(const DemoFile& file, DemoField field, std::vector<T>& out) {
  out.resize(static_cast<size_t>(file.num_transitions() * file.width(field)));
  return file.Read(field, 0, file.num_transitions(), std::span<T>(out)).ok();
}

template <typename T>
void ExpectFinite(const std::vector<T>& values) {
  for (T x : values) {
    if (!std::isfinite(x)) fuzz::Finding("a validated file holds a non-finite value");
  }
}

// What the format promises of an accepted file, checked without the validator.
void CheckAccepted(const DemoFile& file) {
  std::vector<float> obs, act, rew, next;
  std::vector<uint8_t> terminals, timeouts;
  std::vector<int64_t> ids;
  if (!ReadAll(file, DemoField::kObservations, obs) || !ReadAll(file, DemoField::kActions, act) ||
      !ReadAll(file, DemoField::kRewards, rew) ||
      !ReadAll(file, DemoField::kNextObservations, next) ||
      !ReadAll(file, DemoField::kTerminals, terminals) ||
      !ReadAll(file, DemoField::kTimeouts, timeouts) ||
      !ReadAll(file, DemoField::kEpisodeIds, ids)) {
    return;  // damage the validation's blocks did not reach: an error, not a finding
  }
  for (const auto* v : {&obs, &act, &rew, &next}) ExpectFinite(*v);
  if (file.has_state()) {
    std::vector<double> qpos, qvel;
    if (ReadAll(file, DemoField::kQpos, qpos) && ReadAll(file, DemoField::kQvel, qvel)) {
      ExpectFinite(qpos);
      ExpectFinite(qvel);
    }
  }
  const int64_t od = file.width(DemoField::kObservations);
  std::vector<float> final_obs(static_cast<size_t>(file.num_episodes() * od));
  if (!file.ReadFinalObservations(std::span<float>(final_obs)).ok()) return;
  ExpectFinite(final_obs);
  const EpisodeTable& episodes = file.episodes();
  int64_t row = 0;
  for (int64_t e = 0; e < episodes.size(); ++e) {
    if (episodes.start[e] != row || episodes.length[e] < 1) {
      fuzz::Finding("the episode table does not tile the rows");
    }
    for (int64_t step = 0; step < episodes.length[e]; ++step, ++row) {
      if (row >= file.num_transitions()) fuzz::Finding("an episode runs past the last row");
      const bool last = step == episodes.length[e] - 1;
      if (terminals[row] > 1 || timeouts[row] > 1) fuzz::Finding("a flag is neither 0 nor 1");
      if ((terminals[row] || timeouts[row]) != last)
        fuzz::Finding("flags not set exactly at an episode's end");
      if (ids[row] != e) fuzz::Finding("an episode id does not match the episode table");
      const float* expected_next = last ? &final_obs[e * od] : &obs[(row + 1) * od];
      if (std::memcmp(&next[row * od], expected_next, od * sizeof(float)) != 0) {
        fuzz::Finding(
            "next_observations does not continue into the next row or the final observation");
      }
    }
  }
  if (row != file.num_transitions()) fuzz::Finding("rows outside every episode");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::KeepHdf5FreeLists();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  h5::SilenceErrors();
  const auto path = fuzz::WriteInput(data, size, "demos.h5");
  auto opened = DemoFile::Open(path);
  if (!opened.ok()) {
    if (opened.status().message().find(path.string()) == std::string_view::npos) {
      fuzz::Finding("a refused demonstration file is not named in the error");
    }
    return 0;
  }
  const DemoFile& file = **opened;
  CheckAccepted(file);
  const int od = file.metadata().obs_dim, ad = file.metadata().act_dim;
  for (const char* mode : {"memory", "stream"}) {
    ExpertStoreConfig config;
    config.mode = mode;
    config.memory_mib = 24;
    auto store = ExpertStore::Open(path, config, 1);
    if (!store.ok()) continue;  // e.g. too little memory to stream
    std::vector<float> obs(8 * od), act(8 * ad), next(8 * od);
    std::vector<uint8_t> terminal(8);
    if ((*store)->Sample(8, obs.data(), act.data(), next.data(), terminal.data()).ok()) {
      for (float x : obs) {
        if (!std::isfinite(x)) fuzz::Finding("the store served a non-finite observation");
      }
    }
  }
  return 0;
}
