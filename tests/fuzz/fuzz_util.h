// Shared pieces of the libFuzzer targets: inputs that readers take by path
// are written to a per-process scratch file (tmpfs when there is one).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace irlab::fuzz {

inline std::filesystem::path ScratchDir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? "/dev/shm"
                                           : std::filesystem::temp_directory_path();
    return base / ("irlab_fuzz_" + std::to_string(::getpid()));
  }();
  static const bool made = [] {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::atexit([] {
      std::error_code e;
      std::filesystem::remove_all(dir, e);
    });
    return true;
  }();
  (void)made;
  return dir;
}

// Writes bytes to <scratch>/<name> and returns the path.
inline std::filesystem::path WriteInput(const uint8_t* data, size_t size, const std::string& name) {
  const std::filesystem::path path = ScratchDir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// An invariant the target checks failed: a finding.
[[noreturn]] inline void Finding(const char* what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what);
  std::abort();
}

}  // namespace irlab::fuzz
