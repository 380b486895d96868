#!/usr/bin/env bash
# Benchmark (not a test): two builds of spax side by side on scripts/bench-solve.sh's per-iteration
# sections (spax --solver klu against the hand-written KLU loop, --solver auto against the fastest
# backend), run alternately OLD, NEW, OLD, NEW, ... so that a busy machine's drift falls on both.
# Prints each round's tables, then per matrix and solver the best (least) per-iteration time of
# each build over the rounds and the ratio NEW / OLD (about 1.00: unchanged).
#
# usage: scripts/bench-solve-compare.sh OLD_BUILD_DIR NEW_BUILD_DIR [ROUNDS] [K]
#   *_BUILD_DIR  each holds apps/spax/spax and bench_klu_floor
#   ROUNDS       alternations (default 3);  K: sequence length (default 30)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { sed -n 2,11p "$0" >&2; exit 2; }
old="$1" new="$2" rounds="${3:-3}" K="${4:-30}"
work="$(mktemp -d "${TMPDIR:-/tmp}/spax-bench-compare.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for ((r = 1; r <= rounds; r++)); do
  for which in old new; do
    dir=$old
    [ "$which" = new ] && dir=$new
    echo "== round $r, $which ($dir)"
    BENCH_ITERATIONS_ONLY=1 "$here/scripts/bench-solve.sh" "$dir" "$K" | tee "$work/$which.$r"
  done
done

# The tables' rows: "matrix floor spax-klu ratio" and "matrix klu umfpack superlu eigen-lu dense
# auto chosen ratio"; one value per (matrix, solver) and build: the least over the rounds.
extract() {
  awk '/^== per iteration \(refactor/ {t = 1; next} /^== per iteration, ms: --solver auto/ {t = 2; next}
       /^matrix/ || NF == 0 {next}
       t == 1 {print $1, "klu-floor", $2; print $1, "spax-klu", $3}
       t == 2 {split("klu umfpack superlu eigen-lu dense auto", s, " ");
               for (i = 1; i <= 6; i++) if ($(i + 1) != "-") print $1, s[i], $(i + 1)}' "$@"
}
best() { extract "$@" | awk '{k = $1 " " $2; if (!(k in m) || $3 < m[k]) m[k] = $3; if (!(k in o)) {o[k] = n++; key[n - 1] = k}}
                              END {for (i = 0; i < n; i++) print key[i], m[key[i]]}'; }
best "$work"/old.* >"$work/old.best"
best "$work"/new.* >"$work/new.best"
echo
echo "== best per-iteration ms over $rounds rounds: old, new, new / old"
printf "%-18s %-10s %10s %10s %8s\n" matrix solver old new ratio
join <(awk '{print $1 "|" $2, $3}' "$work/old.best" | sort) \
  <(awk '{print $1 "|" $2, $3}' "$work/new.best" | sort) |
  awk '{split($1, k, "|"); printf "%-18s %-10s %10s %10s %8.3f\n", k[1], k[2], $2, $3, $3 / $2}'
