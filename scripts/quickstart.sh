#!/usr/bin/env bash
# Installs what is missing, builds spax and analyses a bundled matrix.
#   scripts/quickstart.sh            (build dir: build/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
spax_install_missing

BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target spax -j"$(nproc)"

SPAX="$BUILD_DIR/apps/spax/spax"
echo
echo "== $SPAX info data/west0479.mtx"
"$SPAX" info data/west0479.mtx
if "$SPAX" analyze --help >/dev/null 2>&1; then
  echo
  echo "== $SPAX analyze data/rajat19.mtx --output-dir spax-out/rajat19"
  "$SPAX" analyze data/rajat19.mtx --output-dir spax-out/rajat19
  echo
fi
