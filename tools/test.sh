#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs the packages, then
# builds and runs every test through CTest (each test has a timeout) twice: in the CI
# build type (-Werror) and under ASan+UBSan (-fno-sanitize-recover). Set
# SWHUB_SANITIZE=OFF or =ON to run only the plain or only the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh

run_pass() { # $1 = OFF | ON
  local build="build/ci"
  [[ "$1" == "ON" ]] && build="build/ci-sanitize"
  echo "== test pass: sanitizers $1 ($build)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=CI -DSWHUB_SANITIZE="$1" \
        -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
  cmake --build "$build" -j2
  ctest --test-dir "$build" --output-on-failure -j2 --timeout 300
}

case "${SWHUB_SANITIZE:-BOTH}" in
  OFF) run_pass OFF ;;
  ON) run_pass ON ;;
  *) run_pass OFF; run_pass ON ;;
esac
