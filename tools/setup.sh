#!/usr/bin/env bash
# Installs the Debian 12 packages irlab needs, configures and builds it.
# Idempotent: quiet and fast when everything is already there.
#   tools/setup.sh            install packages + configure + build (Release)
#   tools/setup.sh --deps     install packages only
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
if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
# quiet when up to date; compiler errors still show
if ! cmake --build "$build_dir" --parallel "$(nproc)" > "$build_dir/last_build.log" 2>&1; then
  grep -vE '^\[[0-9]+/[0-9]+\] ' "$build_dir/last_build.log" | tail -n 60
  echo "setup: build failed (full log: $build_dir/last_build.log)" >&2
  exit 1
fi
