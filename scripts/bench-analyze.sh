#!/usr/bin/env bash
# Benchmark of `spax analyze` (not a test): wall time and peak memory on the matrices the issue
# names, with the targets (10x faster than the Python script: 0.9 / 3.0 / 26 s), and a generated
# 100^3 7-point Laplacian with every ordering and --lu-fill none (target < 20 s, < 4 GB).
#
# usage: scripts/bench-analyze.sh [SPAX_BINARY] [RUNS]
#   SPAX_BINARY  default: build/apps/spax/spax (or $SPAX)
#   RUNS         timed runs per matrix after one warm-up (default 3); the best is reported
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spax="${1:-${SPAX:-$here/build/apps/spax/spax}}"
runs="${2:-3}"
shared="$here/../shared/matrices"
work="$(mktemp -d "${TMPDIR:-/tmp}/spax-bench-analyze.XXXXXX")"
trap 'rm -rf "$work"' EXIT

[ -x "$spax" ] || { echo "spax binary not found: $spax" >&2; exit 2; }
timecmd=/usr/bin/time
[ -x "$timecmd" ] || { echo "/usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }

# Runs spax analyze; prints "seconds max_rss_kb" of the run.
measure() {
  "$timecmd" -f "%e %M" -o "$work/time.txt" "$spax" analyze "$@" --output-dir "$work/out" \
    >/dev/null
  cat "$work/time.txt"
}

bench() {
  local label="$1" target="$2"
  shift 2
  measure "$@" >/dev/null  # warm-up
  local best="" rss=0
  for ((k = 0; k < runs; ++k)); do
    read -r s m < <(measure "$@")
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$s"; fi
    [ "$m" -gt "$rss" ] && rss="$m"
  done
  local ok="yes"
  awk -v a="$best" -v t="$target" 'BEGIN { exit !(a < t) }' || ok="NO"
  printf '%-34s best %7.2f s  peak RSS %8.1f MB  target < %s s  met: %s\n' "$label" "$best" \
    "$(awk -v m="$rss" 'BEGIN { print m / 1024 }')" "$target" "$ok"
}

echo "spax: $spax ($("$spax" --version 2>/dev/null || echo unknown version)), $(nproc) cores"
bench "rajat01 (6833, pattern)" 0.09 "$shared/real/rajat01.mtx"
bench "bayer10 (13436)" 0.3 "$shared/real/bayer10.mtx"
bench "circuit50k (50k, .gz)" 2.6 "$shared/synthetic/circuit50k.mtx.gz"

# 100^3 7-point Laplacian (1M unknowns, 6.94M stored entries), generated here.
lap="$work/laplace100.mtx"
awk 'BEGIN {
  k = 100; n = k * k * k; nnz = n + 6 * (n - k * k);
  print "%%MatrixMarket matrix coordinate real general";
  print n, n, nnz;
  for (z = 0; z < k; ++z) for (y = 0; y < k; ++y) for (x = 0; x < k; ++x) {
    i = 1 + x + k * (y + k * z);
    print i, i, 6;
    if (x > 0) print i, i - 1, -1;  if (x < k - 1) print i, i + 1, -1;
    if (y > 0) print i, i - k, -1;  if (y < k - 1) print i, i + k, -1;
    if (z > 0) print i, i - k * k, -1;  if (z < k - 1) print i, i + k * k, -1;
  }
}' >"$lap"
read -r s m < <(measure "$lap" --lu-fill none --orderings natural,amd,metis,colamd,mmd,rcm)
ok="yes"
awk -v a="$s" -v mm="$m" 'BEGIN { exit !(a < 20 && mm < 4 * 1024 * 1024) }' || ok="NO"
printf '%-34s once %7.2f s  peak RSS %8.1f MB  target < 20 s, < 4096 MB  met: %s\n' \
  "laplace 100^3 (1M), all orderings" "$s" "$(awk -v m="$m" 'BEGIN { print m / 1024 }')" "$ok"
