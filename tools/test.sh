#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs every test.
#   bash tools/test.sh               all tests
#   bash tools/test.sh -LE slow      all but the learning tests
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
ctest --test-dir "${IRLAB_BUILD_DIR:-build}" --output-on-failure --timeout 900 -j "$(nproc)" "$@"
