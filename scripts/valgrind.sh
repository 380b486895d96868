#!/usr/bin/env bash
# Runs a representative set of spax commands under valgrind (memcheck: invalid reads/writes,
# uninitialised values, leaks) and reports one line per command. Not part of ctest: valgrind
# makes each command 20-50x slower. Exit 0 when every command is clean, 1 otherwise.
#
#   scripts/valgrind.sh [BUILD_DIR]        (default: build; a Release or RelWithDebInfo build,
#                                           not a sanitizer build)
#
# Every command runs under
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
#            --trace-children=yes --suppressions=scripts/valgrind/spax.supp
# The suppressions file covers third-party noise only (each entry says why). Commands that fork
# (bench cases, analyze's LU fill and --measure) are traced into their children too.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:-$root/build}"
spax="$build/apps/spax/spax"
[ -x "$spax" ] || { echo "valgrind.sh: $spax not built" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed (apt-get install valgrind)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --trace-children=yes --child-silent-after-fork=no
    --suppressions="$here/valgrind/spax.supp" --log-file="$work/vg.%p.log")
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
fail=0
run() {  # run NAME EXPECTED_EXIT ARGS...
  local name="$1" want="$2"
  shift 2
  rm -f "$work"/vg.*.log
  "${vg[@]}" "$spax" "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local errs
  errs=$(cat "$work"/vg.*.log 2>/dev/null | grep -c "^==[0-9]*== [A-Z]" || true)
  if [ "$rc" = "$want" ] && [ "$errs" = 0 ]; then
    printf 'clean  %-34s (exit %s)\n' "$name" "$rc"
  else
    printf 'FAIL   %-34s (exit %s, expected %s)\n' "$name" "$rc" "$want"
    cat "$work"/vg.*.log 2>/dev/null | head -60
    tail -3 "$work/err"
    fail=1
  fi
}
data="$root/data"
m="$data/west0479.mtx"
[ -f "$m" ] || m="$(ls "$data"/*.mtx | head -1)"
"$spax" gen grid3d --n 10 --out "$work/g.mtx" >/dev/null
"$spax" gen circuit --nodes 300 --iterations 3 --out "$work/circ" >/dev/null
run "info" 0 info "$m"
run "fingerprint" 0 fingerprint "$m" "$work/g.mtx"
run "analyze (files, html)" 0 analyze "$m" --output-dir "$work/an" --html --threads 2
for s in klu umfpack cholmod superlu eigen-lu dense auto; do
  a="$work/g.mtx"
  run "solve $s" 0 solve "$a" --solver "$s" --out "$work/x_$s.mtx" --json
done
run "solve sequence klu" 0 solve "$work"/circ/jacobian_*.mtx --solver klu --json
run "solve cache miss" 0 solve "$m" --solver umfpack --cache "$work/cache" --json
run "solve cache hit" 0 solve "$m" --solver umfpack --cache "$work/cache" --json
run "solve klu cache miss" 0 solve "$m" --solver klu --cache "$work/cache" --json
run "solve klu cache hit" 0 solve "$m" --solver klu --cache "$work/cache" --json
run "solve --max-memory over" 3 solve "$work/g.mtx" --solver umfpack --max-memory 0.5
run "bench" 0 bench "$m" --solvers klu,umfpack --runs 1 --warmup 0 --export-json "$work/b.json"
run "spy" 0 spy "$m" -o "$work/s.svg"
run "check pattern" 0 check pattern "$work"/circ/jacobian_*.mtx
mm="$root/tests/data/mm"
for f in bad_truncated_mid_entry bad_huge_declared_nnz bad_dims_beyond_int32 bad_value_overflow; do
  run "info $f" 2 info "$mm/$f.mtx"
done
run "solve nonfinite_values" 2 solve "$mm/nonfinite_values.mtx"
run "solve two_singular" 3 solve "$mm/two_singular.mtx"
if [ "$fail" = 0 ]; then echo "valgrind.sh: every command clean"; else echo "valgrind.sh: errors above"; fi
exit "$fail"
