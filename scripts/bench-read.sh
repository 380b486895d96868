#!/usr/bin/env bash
# Matrix Market read speed: generates the 7-point Laplacian of a 100^3 grid (1M rows, ~4M stored
# entries, symmetric, 17-digit values: ~145 MB of text) and reads it with `spax info` on 1 thread
# and on all threads, printing MB/s (best of RUNS runs) and peak memory.
#   scripts/bench-read.sh [BUILD_DIR]     env: RUNS (default 3), K (grid size, default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
RUNS=${RUNS:-3}
K=${K:-100}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target spax bench_gen_grid -j"$(nproc)" >/dev/null
SPAX="$BUILD_DIR/apps/spax/spax"
WORK=${WORK:-$(mktemp -d)}
FILE="$WORK/grid${K}.mtx"
if [[ ! -f $FILE ]]; then
  "$BUILD_DIR/bench_gen_grid" "$K" "$FILE" --random-values
fi
SIZE_MB=$(awk -v b="$(stat -c %s "$FILE")" 'BEGIN{printf "%.1f", b/1e6}')
echo "file: $FILE ($SIZE_MB MB)"
cat "$FILE" >/dev/null  # warm the page cache: this measures parsing, not the disk
read_speed() {  # threads -> "median best" MB/s over RUNS runs
  local all=()
  for ((r = 0; r < RUNS; r++)); do
    all+=("$("$SPAX" info --json --threads "$1" "$FILE" |
      sed -n 's/.*"read_mb_per_s": *\([0-9.e+-]*\).*/\1/p')")
  done
  printf '%s\n' "${all[@]}" | sort -g | awk '{v[NR]=$1} END{printf "%.0f %.0f", v[int((NR+1)/2)], v[NR]}'
}
peak_mb() {
  /usr/bin/time -f "%M" "$SPAX" info --threads "$1" "$FILE" 2>&1 >/dev/null | tail -1 |
    awk '{printf "%.0f", $1/1024}'
}
ALL=$(nproc)
S1=$(read_speed 1)
SN=$(read_speed "$ALL")
printf "| threads | MB/s (median of %d) | MB/s (best) | peak RSS (MB) |\n|---|---|---|---|\n" "$RUNS"
read -r m1 b1 <<<"$S1"
read -r mn bn <<<"$SN"
printf "| 1 | %s | %s | %s |\n" "$m1" "$b1" "$(peak_mb 1 2>/dev/null || echo n/a)"
printf "| %d | %s | %s | %s |\n" "$ALL" "$mn" "$bn" "$(peak_mb "$ALL" 2>/dev/null || echo n/a)"
echo "reference: the fastest C++ Matrix Market reader parses about 200 MB/s per core on this class of machine"
