#!/usr/bin/env bash
# Scatter-conflict analysis at scale: generates a stamp map of DEVICES (default 10^6) 4-terminal
# devices x 16 stamps (bench_gen_stamps; a quarter of them on two supply nets) and times
# `spax scatter` on it (best of RUNS runs, phase timings from --json), with peak RSS from
# /usr/bin/time -v. Also times `spax gen circuit --nodes NODES` (default 10^6) and `spax scatter`
# on the stamps it wrote.
#   scripts/bench-scatter.sh [BUILD_DIR]     env: DEVICES, NODES, RUNS (default 3), THREADS
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
DEVICES=${DEVICES:-1000000}
NODES=${NODES:-1000000}
RUNS=${RUNS:-3}
THREADS=${THREADS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" --target spax bench_gen_stamps -j"$(nproc)" >/dev/null
SPAX="$BUILD_DIR/apps/spax/spax"
WORK=${WORK:-$(mktemp -d)}
MAP="$WORK/stamps_${DEVICES}.json"
[[ -f $MAP ]] || "$BUILD_DIR/bench_gen_stamps" "$DEVICES" "$MAP"
echo "stamp map: $MAP ($(awk -v b="$(stat -c %s "$MAP")" 'BEGIN{printf "%.1f", b/1e6}') MB, $DEVICES devices x 16 stamps)"
cat "$MAP" >/dev/null

best_of() {  # command... -> best wall seconds over RUNS runs
  local best=""
  for ((r = 0; r < RUNS; r++)); do
    local s e
    s=$(date +%s.%N)
    "$@" >/dev/null
    e=$(date +%s.%N)
    best=$(awk -v a="$best" -v b="$(echo "$e - $s" | bc)" 'BEGIN{print (a == "" || b < a) ? b : a}')
  done
  echo "$best"
}
peak_mb() {
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {printf "%.0f", $2/1024}'
}

echo "spax scatter (threads $THREADS): best of $RUNS: $(best_of "$SPAX" scatter "$MAP" --threads "$THREADS") s," \
  "peak RSS $(peak_mb "$SPAX" scatter "$MAP" --threads "$THREADS") MB"
"$SPAX" scatter "$MAP" --json --threads "$THREADS" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)["device_parallelism"]
print("  phases (s):", ", ".join(f"{k} {v:.2f}" for k, v in d["timings_seconds"].items()))
print("  positions", d["scatter_conflicts"]["total_positions"], "max fan-in", d["scatter_conflicts"]["max_fan_in"],
      "distinct pairs", d["distinct_conflict_pairs"], "batches", d["conflict_free_schedule"]["n_batches"])'

CIRCUIT="$WORK/circuit_${NODES}"
s=$(date +%s.%N)
"$SPAX" gen circuit --nodes "$NODES" --out "$CIRCUIT" --iterations 1
e=$(date +%s.%N)
echo "spax gen circuit --nodes $NODES --iterations 1: $(echo "$e - $s" | bc) s," \
  "peak RSS $(peak_mb "$SPAX" gen circuit --nodes "$NODES" --out "$CIRCUIT" --iterations 1) MB"
echo "spax scatter on it: best of $RUNS: $(best_of "$SPAX" scatter "$CIRCUIT/stamps.json" --threads "$THREADS") s," \
  "peak RSS $(peak_mb "$SPAX" scatter "$CIRCUIT/stamps.json" --threads "$THREADS") MB"
