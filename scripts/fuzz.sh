#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for SECONDS (default 60),
# seeded from tests/data and ../shared/matrices. Crashes are written to fuzz-artifacts/, and the
# summary prints what failed with the failing input (base64), so a log alone reproduces it:
#   base64 -d > crash.bin; build-asan/fuzz/TARGET crash.bin
# The build directory is the one `scripts/test.sh --sanitize` uses (same configuration), so after
# it only the fuzz targets are linked.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# FUZZ_SEED=N fixes libFuzzer's seed (CI does, so a verdict is reproducible); unset, each run
# explores anew.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
spax_install_missing clang libclang-rt-dev
SECONDS_PER_TARGET=${1:-60}
shift || true
BUILD_DIR=${BUILD_DIR:-${BUILD_DIR_ASAN:-build-asan}}
CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPAX_SANITIZE=ON -DSPAX_FUZZ=ON >/dev/null
TARGETS=("$@")
if ((${#TARGETS[@]} == 0)); then
  mapfile -t TARGETS < <(ls fuzz/fuzz_*.cpp | xargs -n1 basename | sed 's/\.cpp$//')
fi
cmake --build "$BUILD_DIR" --target "${TARGETS[@]}" -j"$(nproc)"
mkdir -p fuzz-artifacts "$BUILD_DIR/fuzz-logs"
touch "$BUILD_DIR/fuzz-logs/.started"  # artifacts newer than this are this run's
# Targets run side by side, one per core (FUZZ_JOBS); each log is summarized when all are done.
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
run_target() {
  local t=$1 corpus="$BUILD_DIR/corpus/$1"
  mkdir -p "$corpus"
  case $t in
    fuzz_npy) find tests/data -name '*.npy' -exec cp {} "$corpus/" \; 2>/dev/null || true
      printf '\x93NUMPY\x01\x00\x76\x00{'"'"'descr'"'"': '"'"'<i8'"'"', '"'"'fortran_order'"'"': False, '"'"'shape'"'"': (2,), }' > "$corpus/seed.npy" ;;
    fuzz_stamps*) find tests/data -path '*stamps*' -type f -exec cp {} "$corpus/" \; 2>/dev/null || true ;;
    fuzz_baseline) cp tests/data/fuzz/baseline_*.json "$corpus/" ;;
    *) find tests/data ../shared/matrices -type f \( -name '*.mtx' -o -name '*.mtx.gz' -o -name '*.mtx.bz2' \) -size -200k \
         -exec cp {} "$corpus/" \; 2>/dev/null || true ;;
  esac
  local seed=()
  [[ -n ${FUZZ_SEED:-} ]] && seed=(-seed="$FUZZ_SEED")
  "$BUILD_DIR/fuzz/$t" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 \
    -rss_limit_mb=2048 -artifact_prefix="fuzz-artifacts/$t-" -print_final_stats=1 "${seed[@]}" \
    >"$BUILD_DIR/fuzz-logs/$t.log" 2>&1
}
pids=()
failed=0
for t in "${TARGETS[@]}"; do
  while (($(jobs -rp | wc -l) >= FUZZ_JOBS)); do wait -n || true; done
  run_target "$t" &
  pids+=("$!")
done
status=()
for k in "${!pids[@]}"; do
  if wait "${pids[$k]}"; then status[$k]=ok; else status[$k]=FAILED; failed=1; fi
done
for k in "${!TARGETS[@]}"; do
  t=${TARGETS[$k]}
  echo "== $t: ${SECONDS_PER_TARGET}s, corpus $(ls "$BUILD_DIR/corpus/$t" | wc -l) files: ${status[$k]}"
  log="$BUILD_DIR/fuzz-logs/$t.log"
  grep -E "^INFO: Seed:|^#[0-9]+.*(DONE|pulse)|stat::|ERROR|SUMMARY" "$log" | tail -9
  if [[ ${status[$k]} == FAILED ]]; then
    # What went wrong (the exception or sanitizer report and the top of the stack) and the input.
    grep -m1 -B2 -A24 -E "what\(\)|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error" \
      "$log" | grep -vE "^INFO|^MS:" | head -30
    find fuzz-artifacts -name "$t-*" -newer "$BUILD_DIR/fuzz-logs/.started" | while read -r f; do
      echo "-- failing input $f ($(stat -c %s "$f") bytes), base64:"
      head -c 4096 "$f" | base64
    done
  fi
done
if ((failed)); then
  echo "fuzz: a target failed; inputs are in fuzz-artifacts/, logs in $BUILD_DIR/fuzz-logs/" >&2
  exit 1
fi
