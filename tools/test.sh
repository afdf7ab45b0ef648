#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs the packages, builds
# in the CI build type (-Werror) and runs every test through CTest (each has a
# timeout). Set SWHUB_SANITIZE=ON to run it under ASan+UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
sanitize="${SWHUB_SANITIZE:-OFF}"
build="build/ci"
[[ "$sanitize" == "ON" ]] && build="build/ci-sanitize"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=CI -DSWHUB_SANITIZE="$sanitize" \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2 --timeout 300
