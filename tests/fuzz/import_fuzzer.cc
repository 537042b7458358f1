// libFuzzer target: the Minari or D4RL importer (IRLAB_FUZZ_LAYOUT picks
// which). Any bytes as a foreign file, converted to irlab's layout: an error
// naming the input, or an output that irlab's own validating reader accepts.
#include "data/convert.h"
#include "data/demo_file.h"
#include "data/hdf5.h"
#include "tests/fuzz/fuzz_util.h"
#include "tests/fuzz/hdf5_fuzz_util.h"

using namespace irlab;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::KeepHdf5FreeLists();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  h5::SilenceErrors();
  const auto in = fuzz::WriteInput(data, size, "foreign.h5");
  const auto out = fuzz::ScratchDir() / "imported.h5";
  ConvertOptions options;
  options.overwrite = true;
  auto converted = ConvertDemos(IRLAB_FUZZ_LAYOUT, in, DemoLayout::kIrlab, out, options);
  if (!converted.ok()) return 0;
  auto back = DemoFile::Open(out);
  if (!back.ok()) fuzz::Finding("an imported file fails irlab's own validation");
  if ((*back)->num_transitions() != converted->transitions)
    fuzz::Finding("transition count changed");
  return 0;
}
