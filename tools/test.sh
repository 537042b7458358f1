#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, checks the C++
# files' format (clang-format-14), runs every test;
# then the sanitizer build (gcc, ASan + UBSan, build-san/) runs every test but
# the slow learning ones and the Slurm one, and the libFuzzer targets (clang-14,
# build-fuzz/) each run for a few seconds over the seeds irlab makes.
#   bash tools/test.sh               all tests, then the sanitizer and fuzz runs
#   bash tools/test.sh -LE slow      all but the learning tests (every run)
#   IRLAB_SANITIZE=0 bash tools/test.sh    without the sanitizer and fuzz runs
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

# every tracked C++ file as the checked-in .clang-format lays it out
if ! command -v clang-format-14 >/dev/null; then
  echo "test.sh: clang-format-14 not found, format check skipped (tools/setup.sh --deps installs it)" >&2
elif ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "test.sh: not a git checkout, format check skipped" >&2
else
  git ls-files -z '*.cc' '*.h' | xargs -0 clang-format-14 --dry-run -Werror
fi
ctest --test-dir "${IRLAB_BUILD_DIR:-build}" --output-on-failure --timeout 900 -j "$(nproc)" "$@"

if [[ "${IRLAB_SANITIZE:-1}" != 0 ]]; then
  # any report fails its test; suppressions name third-party code only
  export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizer/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
  bash tools/setup.sh --sanitize
  ctest --test-dir "${IRLAB_SAN_BUILD_DIR:-build-san}" --output-on-failure --timeout 900 -j "$(nproc)" "$@" \
    -LE 'slow|slurm' -E 'ConsistentlyDamagedArchivesLoadOrFailByName'
  # (that test's damaged archives make LibTorch ask for ~27 GB: the release build
  # gets std::bad_alloc and refuses the file by name, ASan's operator new aborts)
  bash tools/setup.sh --fuzz
  ctest --test-dir "${IRLAB_FUZZ_BUILD_DIR:-build-fuzz}" --output-on-failure --timeout 900 -j "$(nproc)" "$@" \
    -L fuzz
fi
