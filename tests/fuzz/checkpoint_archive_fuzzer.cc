// libFuzzer target: the checkpoint damage check every checkpoint load runs
// first (core/zip_check.h: the archive's structure and each entry's CRC-32).
// Any bytes either verify or fail with an error that starts with the file.
// (LibTorch's own reader behind it is not built with clang-14: its 1.13
// headers do not compile in C++20 mode there; the loaders are fuzzed by a
// seeded mutation test in the ASan + UBSan suite, CheckpointTest.*.)
#include <string>

#include "core/zip_check.h"
#include "tests/fuzz/fuzz_util.h"

using namespace irlab;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const absl::Status s = VerifyZipBytes(bytes, "fuzz.pt");
  if (!s.ok()) {
    if (s.message().rfind("fuzz.pt: ", 0) != 0) fuzz::Finding("error does not start with the file");
    return 0;
  }
  return 0;
}
