#!/usr/bin/env bash
# Benchmark (not a test) of the predictions of `spax analyze`: on the 3D Laplacians 60^3 (AMD,
# METIS) and 100^3 (METIS: with AMD CHOLMOD needs more than 18 GB), circuit50k, bcsstk13 and
# bayer10 (AMD, METIS), the predicted sequential time of CHOLMOD's supernodal factorization
# against the measured one (targets: within +-30%) and the predicted 2-thread speedup against the
# measured one (targets: within +-20%). The machine is calibrated first, into OUT/model.json.
#
# usage: scripts/bench-predict.sh [SPAX_BINARY] [OUT_DIR]
#   SPAX_BINARY  default: build/apps/spax/spax (or $SPAX)
#   OUT_DIR      default: a fresh temporary directory (kept; its path is printed)
# environment:
#   MATRICES     folder with real/ and synthetic/ (default: ../shared/matrices beside the repo)
#   SKIP_100=1   leave out 100^3 (its factorizations take minutes: about 150 s per run on one
#                core of a 2020-era machine, and 9 GB)
#   TIMEOUT      seconds per ordering for analyze --measure (default 1800)
# Needs jq. Measured CHOLMOD times are the best of the rounds --measure makes (one fresh
# factorization per thread count and round, up to 5 rounds while they take less than a quarter of
# TIMEOUT); the 1-thread CPU time is shown beside the wall time (on a busy machine the two differ).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spax="${1:-${SPAX:-$here/build/apps/spax/spax}}"
out="${2:-$(mktemp -d "${TMPDIR:-/tmp}/spax-bench-predict.XXXXXX")}"
matrices="${MATRICES:-$here/../shared/matrices}"
timeout="${TIMEOUT:-1800}"
[ -x "$spax" ] || { echo "spax binary not found: $spax" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed (Debian package 'jq')" >&2; exit 2; }
mkdir -p "$out"
echo "results in $out"

model="$out/model.json"
"$spax" calibrate --machine-model "$model" | tee "$out/calibrate.txt"
"$spax" gen grid3d --n 60 --out "$out/grid60.mtx" >/dev/null
[ "${SKIP_100:-0}" = 1 ] || "$spax" gen grid3d --n 100 --out "$out/grid100.mtx" >/dev/null

cases=(
  "grid60|$out/grid60.mtx|amd,metis"
  "circuit50k|$matrices/synthetic/circuit50k.mtx.gz|amd,metis"
  "bcsstk13|$matrices/real/bcsstk13.mtx|amd,metis"
  "bayer10|$matrices/real/bayer10.mtx|amd,metis"
)
[ "${SKIP_100:-0}" = 1 ] || cases+=("grid100|$out/grid100.mtx|metis")

for c in "${cases[@]}"; do
  IFS='|' read -r name file orderings <<<"$c"
  [ -f "$file" ] || { echo "missing $file" >&2; exit 2; }
  echo "analyzing $name ($orderings)" >&2
  "$spax" analyze "$file" --orderings "$orderings" --lu-fill none --measure \
    --measure-solvers cholmod --lu-timeout "$timeout" --machine-model "$model" --json \
    --output-dir "$out/$name" >"$out/$name.json"
done

printf '\n%-11s %-6s %10s %10s %10s %6s %6s | %8s %8s %6s\n' matrix order "pred 1t" "meas 1t" \
  "cpu 1t" ratio r_cpu "pred sp2" "meas sp2" ratio
for c in "${cases[@]}"; do
  IFS='|' read -r name file orderings <<<"$c"
  for o in ${orderings//,/ }; do
    jq -r --arg o "$o" --arg name "$name" '
      .orderings[$o] as $x | $x.schedule.predicted_vs_measured as $p |
      [$name, $o,
       $p.cholmod_threads_1_seconds.predicted, $p.cholmod_threads_1_seconds.measured,
       $p.cholmod_threads_1_seconds.measured_cpu, $p.cholmod_threads_1_seconds.ratio,
       $p.cholmod_threads_1_seconds.ratio_cpu,
       $p.cholmod_speedup_2.predicted, $p.cholmod_speedup_2.measured, $p.cholmod_speedup_2.ratio]
      | @tsv' "$out/$name.json" |
      awk -F'\t' '{ printf "%-11s %-6s %10.4g %10.4g %10.4g %6.2f %6.2f | %8.2f %8.2f %6.2f\n",
                    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
  done
done
echo "(times in seconds; ratio = predicted / measured; sp2 = 1-thread / 2-thread time)"
