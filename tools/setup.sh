#!/usr/bin/env bash
# Installs the Debian 12 packages irlab needs, configures and builds it.
# Idempotent: quiet and fast when everything is already there.
#   tools/setup.sh            install packages + configure + build (Release)
#   tools/setup.sh --deps     install packages only
#   tools/setup.sh --sanitize the ASan + UBSan build of everything (gcc) in build-san/
#   tools/setup.sh --fuzz     the libFuzzer targets (clang-14, ASan + UBSan) in build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config
  libmujoco-dev libqhull-dev          # physics; MuJoCo's CMake config needs qhull
  libtorch-dev libopenblas0           # LibTorch (CPU); OpenBLAS instead of reference BLAS
  libblas-dev                         # cblas.h for algos/nn (libblas.so.3 resolves to OpenBLAS)
  libtomlplusplus-dev libabsl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libhdf5-dev hdf5-tools
  libglfw3-dev xvfb xauth ffmpeg zlib1g-dev  # viewer, headless rendering, PNG frames
  gnuplot-nox                         # learning-curve plots
  nlohmann-json3-dev                  # every JSON file irlab reads or writes
  python3-torch python3-h5py          # tests only: exported modules and demos from Python
  clang-14 libfuzzer-14-dev llvm-14   # the sanitizer build and fuzz targets (symbolized reports)
  clang-format-14                     # tools/test.sh's format check (not a dependency of clang-14)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ "${1:-}" == "--deps" ]] && exit 0

build_dir=${IRLAB_BUILD_DIR:-build}
targets=()
if [[ "${1:-}" == "--sanitize" ]]; then
  # ASan + UBSan with gcc, -O1 with line tables: readable reports at a bearable speed
  build_dir=${IRLAB_SAN_BUILD_DIR:-build-san}
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -g1" \
      -DCMAKE_C_FLAGS_RELEASE="-O1 -g1" -DIRLAB_SANITIZE=ON -DIRLAB_BUILD_BENCHMARKS=OFF >/dev/null
  fi
elif [[ "${1:-}" == "--fuzz" ]]; then
  # the libFuzzer targets with clang-14 (ASan + UBSan); their seeds come from build/'s irlab
  build_dir=${IRLAB_FUZZ_BUILD_DIR:-build-fuzz}
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only" -DCMAKE_C_FLAGS_RELEASE="-O1 -gline-tables-only" \
      -DIRLAB_FUZZ=ON -DIRLAB_BUILD_BENCHMARKS=OFF \
      -DIRLAB_SEED_BINARY="$PWD/${IRLAB_BUILD_DIR:-build}/tools/irlab" >/dev/null
  fi
  targets=(--target irlab_fuzzers)
elif [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# quiet when up to date; compiler errors still show
if ! cmake --build "$build_dir" --parallel "$(nproc)" "${targets[@]}" > "$build_dir/last_build.log" 2>&1; then
  grep -vE '^\[[0-9]+/[0-9]+\] ' "$build_dir/last_build.log" | tail -n 60
  echo "setup: build failed (full log: $build_dir/last_build.log)" >&2
  exit 1
fi
