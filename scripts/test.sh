#!/usr/bin/env bash
# Installs what is missing, builds spax with warnings as errors and runs every test via ctest.
#   scripts/test.sh              release build in build-test/
#   scripts/test.sh --sanitize   AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# python3-scipy is a test-only cross-check of the LU fill figures.
spax_install_missing python3-scipy python3-numpy chromium

BUILD_DIR=${BUILD_DIR:-build-test}
EXTRA=()
if [[ ${1:-} == --sanitize ]]; then
  BUILD_DIR=${BUILD_DIR_ASAN:-build-asan}
  EXTRA=(-DSPAX_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
fi
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPAX_WERROR=ON "${EXTRA[@]}"
cmake --build "$BUILD_DIR" -j"$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$JOBS" --no-tests=error --timeout 900
