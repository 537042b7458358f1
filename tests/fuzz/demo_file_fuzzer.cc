// libFuzzer target: the demonstration reader and validator. Any bytes as an
// HDF5 demonstration file: DemoFile::Open (with the full validation) either
// refuses it with an error naming the file, or every field reads back, and
// the expert store opens it in memory and stream mode and samples from it.
#include <cmath>
#include <vector>

#include "data/demo_file.h"
#include "data/expert_store.h"
#include "data/hdf5.h"
#include "tests/fuzz/fuzz_util.h"

using namespace irlab;

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
  const int64_t n = file.num_transitions();
  for (DemoField field : {DemoField::kObservations, DemoField::kActions, DemoField::kRewards,
                          DemoField::kNextObservations}) {
    std::vector<float> v(static_cast<size_t>(n * file.width(field)));
    if (!file.Read(field, 0, n, std::span<float>(v)).ok()) return 0;
    for (float x : v) {
      if (!std::isfinite(x)) fuzz::Finding("a validated file holds a non-finite value");
    }
  }
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
