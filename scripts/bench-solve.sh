#!/usr/bin/env bash
# Benchmark of `spax solve` (not a test). Per Newton iteration (refactor + solve):
#   1. `spax solve A1 ... AK --solver klu` against a hand-written KLU loop (bench_klu_floor:
#      analyse once, klu_l_refactor + klu_l_solve per iteration); target ratio <= 1.10;
#   2. `--solver auto` against the fastest backend; target ratio <= 1.10;
#   3. a second `--cache DIR` run: analyze time (every backend with a symbolic cache) and, with
#      umfpack, factor time on the same matrix with a new right-hand side.
# Matrices: rajat01 (values synthesized), adder_dcop_05, bayer10 (each repeated K times as a
# sequence with one pattern) and synthetic/circuit5k_newton_*.
#
# usage: scripts/bench-solve.sh [BUILD_DIR] [K]     (env BENCH_MD: where the spax bench table goes;
#        BENCH_ITERATIONS_ONLY=1: sections 1 and 2 only, as scripts/bench-solve-compare.sh runs it)
#   BUILD_DIR  holds apps/spax/spax and bench_klu_floor (default: build, or $BUILD_DIR)
#   K          sequence length for the single-matrix cases (default 30)
# spax's per-iteration figure is the median over the sequence of timings.refactor[i] +
# timings.solve[i+1] from its JSON report (the refactor includes its stability checks, the solve
# its backward error); the floor's is the median of its own iterations; each is the best of 3 runs.
# Medians and best-of-3 keep a busy machine's spikes out of the ratios.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${BUILD_DIR:-$here/build}}"
K="${2:-30}"
spax="$build/apps/spax/spax"
floor="$build/bench_klu_floor"
shared="$here/../shared/matrices"
work="$(mktemp -d "${TMPDIR:-/tmp}/spax-bench-solve.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -x "$spax" ] || { echo "spax binary not found: $spax" >&2; exit 2; }
[ -x "$floor" ] || { echo "bench_klu_floor not found: $floor" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed (Debian package 'jq')" >&2; exit 2; }

repeat() { local f="$1" k="$2"; for ((i = 0; i < k; i++)); do echo "$f"; done; }

# Per-iteration seconds of a spax run (JSON on stdin).
per_iter() {
  jq '[range(0; .timings.refactor | length) as $i
       | .timings.refactor[$i] + .timings.solve[$i + 1]] | sort | .[length / 2 | floor]'
}

# Best of 3 runs (less noise on a shared machine).
spax_iter() {
  local best=""
  for _ in 1 2 3; do
    local v
    v=$("$spax" solve "$@" --json --tol 1e-6 2>/dev/null | per_iter)
    if [ -z "$best" ] || awk -v a="$v" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$v; fi
  done
  echo "$best"
}
floor_iter() {
  local best=""
  for _ in 1 2 3; do
    local v
    v=$("$floor" "$@" | jq '.per_iteration_median')
    if [ -z "$best" ] || awk -v a="$v" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$v; fi
  done
  echo "$best"
}
ms() { awk -v s="$1" 'BEGIN{printf "%.4f", s * 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a / b}'; }

declare -A files
files[rajat01]="$(repeat "$shared/real/rajat01.mtx" "$K")"
files[adder_dcop_05]="$(repeat "$shared/real/adder_dcop_05.mtx" "$K")"
files[bayer10]="$(repeat "$shared/real/bayer10.mtx" "$K")"
newton="$(ls "$shared"/synthetic/circuit5k_newton_*.mtx)"
files[circuit5k_newton]="$(for ((r = 0; r < (K + 4) / 5; r++)); do echo "$newton"; done)"

echo "== per iteration (refactor + solve), ms; spax --solver klu vs hand-written KLU loop (target <= 1.10)"
printf "%-18s %10s %10s %8s\n" matrix floor spax-klu ratio
for m in rajat01 adder_dcop_05 bayer10 circuit5k_newton; do
  mapfile -t fs <<<"${files[$m]}"
  f=$(floor_iter "${fs[@]}")
  s=$(spax_iter "${fs[@]}" --solver klu)
  printf "%-18s %10s %10s %8s\n" "$m" "$(ms "$f")" "$(ms "$s")" "$(ratio "$s" "$f")"
done

echo
echo "== per iteration, ms: --solver auto vs the fastest backend (target <= 1.10)"
printf "%-18s %9s %9s %9s %9s %9s %9s  %-8s %8s\n" matrix klu umfpack superlu eigen-lu dense auto chosen ratio
for m in rajat01 adder_dcop_05 bayer10 circuit5k_newton; do
  mapfile -t fs <<<"${files[$m]}"
  best=""
  row=()
  for s in klu umfpack superlu eigen-lu dense; do
    v=$(spax_iter "${fs[@]}" --solver "$s" || true)
    if [ -z "$v" ] || [ "$v" = null ]; then row+=("-"); continue; fi
    row+=("$(ms "$v")")
    if [ -z "$best" ] || awk -v a="$v" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$v; fi
  done
  a=$(spax_iter "${fs[@]}" --solver auto)
  chosen=$("$spax" solve "${fs[0]}" "${fs[1]}" --solver auto --json 2>/dev/null | jq -r .solver)
  printf "%-18s %9s %9s %9s %9s %9s %9s  %-8s %8s\n" "$m" "${row[@]}" "$(ms "$a")" "$chosen" \
    "$(ratio "$a" "$best")"
done

[ "${BENCH_ITERATIONS_ONLY:-0}" = 1 ] && exit 0

echo
echo "== cache: analyze seconds, first run (miss) vs second run (hit)"
printf "%-18s %-8s %12s %12s\n" matrix solver first second
for m in rajat01 adder_dcop_05 bayer10; do
  f="$shared/real/$m.mtx"
  for s in klu umfpack superlu; do
    rm -rf "$work/cache"
    a1=$("$spax" solve "$f" --solver "$s" --cache "$work/cache" --json 2>/dev/null | jq .timings.analyze)
    a2=$("$spax" solve "$f" --solver "$s" --cache "$work/cache" --json 2>/dev/null | jq .timings.analyze)
    printf "%-18s %-8s %12s %12s\n" "$m" "$s" "$a1" "$a2"
  done
done
echo
echo "== cache: umfpack factor seconds, same matrix, new right-hand side on the second run"
printf "%-18s %12s %12s\n" matrix first second
for m in adder_dcop_05 bayer10; do
  f="$shared/real/$m.mtx"
  rm -rf "$work/cache"
  n=$(awk '!/^%/ {print $1; exit}' "$f")
  { echo "%%MatrixMarket matrix array real general"; echo "$n 1"; for ((i = 1; i <= n; i++)); do echo "$((i % 5 + 1))"; done; } >"$work/b.mtx"
  f1=$("$spax" solve "$f" --solver umfpack --cache "$work/cache" --json 2>/dev/null | jq .timings.factor)
  f2=$("$spax" solve "$f" --rhs "$work/b.mtx" --solver umfpack --cache "$work/cache" --json 2>/dev/null | jq .timings.factor)
  printf "%-18s %12s %12s\n" "$m" "$f1" "$f2"
done

# Every backend and ordering on the benchmark set through `spax bench`, written as Markdown
# (BENCH_MD, default bench-solve.md in the current directory). Read the table as README.md says:
# `*` marks the fastest case per phase, xN the others' mean time relative to it.
echo
md="${BENCH_MD:-bench-solve.md}"
echo "== spax bench (all backends, default and amd/metis orderings, 10-iteration sequence) -> $md"
"$spax" bench "$shared/real/rajat01.mtx" "$shared/real/adder_dcop_05.mtx" \
  "$shared/real/bayer10.mtx" "$shared/synthetic/circuit5k_newton_0000.mtx" \
  --solvers all --orderings default,amd,metis --runs 5 --warmup 1 --sequence 10 --timeout 120 \
  --export-markdown "$md" --export-json "${md%.md}.json"
