#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded from tests/data and ../shared/matrices. Crashes are written to fuzz-artifacts/.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
spax_install_missing clang libclang-rt-dev
SECONDS_PER_TARGET=${1:-60}
shift || true
BUILD_DIR=${BUILD_DIR:-build-fuzz}
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPAX_FUZZ=ON -DSPAX_BUILD_TESTS=OFF >/dev/null
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
  mapfile -t TARGETS < <(ls fuzz/fuzz_*.cpp | xargs -n1 basename | sed 's/\.cpp$//')
fi
cmake --build "$BUILD_DIR" --target "${TARGETS[@]}" -j"$(nproc)"
mkdir -p fuzz-artifacts
for t in "${TARGETS[@]}"; do
  corpus="$BUILD_DIR/corpus/$t"
  mkdir -p "$corpus"
  case $t in
    fuzz_npy) find tests/data -name '*.npy' -exec cp {} "$corpus/" \; 2>/dev/null || true
      printf '\x93NUMPY\x01\x00\x76\x00{'"'"'descr'"'"': '"'"'<i8'"'"', '"'"'fortran_order'"'"': False, '"'"'shape'"'"': (2,), }' > "$corpus/seed.npy" ;;
    fuzz_stamps*) find tests/data -path '*stamps*' -type f -exec cp {} "$corpus/" \; 2>/dev/null || true ;;
    *) find tests/data ../shared/matrices -type f \( -name '*.mtx' -o -name '*.mtx.gz' \) -size -200k \
         -exec cp {} "$corpus/" \; 2>/dev/null || true ;;
  esac
  echo "== $t: ${SECONDS_PER_TARGET}s, corpus $(ls "$corpus" | wc -l) files"
  "$BUILD_DIR/fuzz/$t" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
    -rss_limit_mb=2048 -artifact_prefix=fuzz-artifacts/ -print_final_stats=1 2>&1 |
    grep -E "^#[0-9]+.*(DONE|pulse)|stat::|ERROR|SUMMARY" | tail -12
done
