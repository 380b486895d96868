#!/usr/bin/env bash
# Benchmark of the mumps backend on 1 and 2 MPI processes against the single-process direct
# backends (not a test). Matrices: 3D 7-point Laplacians from `spax gen grid3d` (60^3 and
# 100^3, symmetric positive definite: against cholmod), circuit50k and the circuit5k Newton
# sequence of ../shared/matrices (unsymmetric: against umfpack and klu).
#
# Per case: analyze, factor, refactor and solve seconds from `spax solve --json` (one run: the
# matrix given twice, so the second is a refactorization; the circuit5k sequence as it is),
# peak resident memory of the largest process from /usr/bin/time (for an MPI job: of mpirun and
# its ranks together, i.e. the largest rank), and for mumps the memory MUMPS reports per rank
# (INFO(22)). Every process uses one BLAS thread: OPENBLAS_NUM_THREADS=1 and OMP_NUM_THREADS=1
# are exported here and passed to every rank with mpirun's -x.
# Then the out-of-core check: on the 60^3 grid, a --max-memory between MUMPS's in-core and
# out-of-core estimates refuses the in-core factorization (exit 3) and lets the out-of-core one
# complete.
#
# usage: scripts/bench-mpi.sh [BUILD_DIR]     (default: build, or $BUILD_DIR)
#   SPAX_MPIRUN='mpirun --hostfile h'  another launcher command (default: mpirun)
#   SKIP_100=1                         leaves the 100^3 grid out (it needs about 10 GB and
#                                      several minutes per case on 2 cores)
# As root, Open MPI's mpirun refuses to run unless OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 are set: set them yourself if you must.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${BUILD_DIR:-$here/build}}"
spax="$build/apps/spax/spax"
shared="$here/../shared/matrices"
work="$(mktemp -d "${TMPDIR:-/tmp}/spax-bench-mpi.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -x "$spax" ] || { echo "spax binary not found: $spax" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed (Debian package 'jq')" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
read -r -a mpirun <<<"${SPAX_MPIRUN:-mpirun}"
mpirun+=(-x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS)

echo "# spax bench-mpi: $(date -u +%Y-%m-%dT%H:%MZ), $(getconf _NPROCESSORS_ONLN) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# memory: $(free -g | awk '/^Mem/ {print $2 " GB total, " $7 " GB available"}')"
echo

# One run: prints "analyze factor refactor solve peak_MB mumps_MB_per_rank status".
run() {  # processes (0: no mpirun) args...
  local np="$1" out="$work/out.json" err="$work/err.txt" tm="$work/time.txt" rc=0
  shift
  : >"$tm"
  if [ "$np" = 0 ]; then
    /usr/bin/time -f "%M" -o "$tm" "$spax" solve "$@" --json >"$out" 2>"$err" || rc=$?
  else
    /usr/bin/time -f "%M" -o "$tm" "${mpirun[@]}" -np "$np" "$spax" solve "$@" --json \
      >"$out" 2>"$err" || rc=$?
  fi
  local mem
  mem=$(tail -n 1 "$tm")
  if [ "$rc" = 0 ]; then
    jq -r --arg m "$mem" '[
        (.timings.analyze | tostring), (.timings.factor | tostring),
        ((.timings.refactor | add / length) | tostring),
        ((.timings.solve | add / length) | tostring),
        (($m | tonumber) / 1024 | floor | tostring),
        (if .memory_per_process then (.memory_per_process | map(. / 1e6 | floor | tostring) | join("/")) else "-" end),
        "ok"] | join(" ")' "$out"
  else
    echo "- - - - $((mem / 1024)) - exit$rc:$(grep -m1 'spax:' "$err" | cut -c1-80 | tr ' ' '_')"
  fi
}

fx() { [[ "$1" =~ ^[0-9.eE+-]+$ ]] && awk -v v="$1" 'BEGIN{printf "%.2f", v}' || echo "$1"; }

row() {  # matrix label processes args...
  local m="$1" label="$2" np="$3"
  shift 3
  local r a f rf s mem mm st
  r=$(run "$np" "$@")
  read -r a f rf s mem mm st <<<"$r"
  local rs="-"
  [[ "$rf" =~ ^[0-9.eE+-]+$ ]] && rs=$(awk -v x="$rf" -v y="$s" 'BEGIN{printf "%.2f", x + y}')
  printf '| %-18s | %-24s | %9s | %9s | %9s | %9s | %9s | %8s | %-13s | %s\n' "$m" "$label" \
    "$(fx "$a")" "$(fx "$f")" "$(fx "$rf")" "$(fx "$s")" "$rs" "$mem" "$mm" "$st"
}

header() {
  echo "| matrix             | solver                   | analyze s | factor s  | refactor s| solve s   | ref+sol s | peak MB  | MUMPS MB/rank | status"
  echo "|--------------------|--------------------------|-----------|-----------|-----------|-----------|-----------|----------|---------------|-------"
}

"$spax" gen grid3d --n 60 --out "$work/grid3d_60.mtx" >/dev/null
grids=(grid3d_60)
if [ "${SKIP_100:-0}" != 1 ]; then
  "$spax" gen grid3d --n 100 --out "$work/grid3d_100.mtx" >/dev/null
  grids+=(grid3d_100)
fi

echo "## 3D Laplacians (SPD): mumps on 1 and 2 processes against cholmod"
echo
header
for g in "${grids[@]}"; do
  a="$work/$g.mtx"
  # CHOLMOD with AMD on 100^3 needs more than 18 GB: METIS only (as mumps with --ordering metis).
  [ "$g" = grid3d_60 ] && row "$g" "cholmod (amd)" 0 "$a" "$a" --solver cholmod
  row "$g" "cholmod (metis)" 0 "$a" "$a" --solver cholmod --ordering metis
  for np in 1 2; do
    row "$g" "mumps -np $np (auto)" "$np" "$a" "$a" --solver mumps
    row "$g" "mumps -np $np (metis)" "$np" "$a" "$a" --solver mumps --ordering metis
  done
done
echo

echo "## Circuit matrices (unsymmetric): mumps on 1 and 2 processes against umfpack and klu"
echo
header
c50="$shared/synthetic/circuit50k.mtx.gz"
if [ -f "$c50" ]; then
  for s in klu umfpack; do row circuit50k "$s" 0 "$c50" "$c50" --solver "$s"; done
  for np in 1 2; do row circuit50k "mumps -np $np" "$np" "$c50" "$c50" --solver mumps; done
fi
seq5=("$shared"/synthetic/circuit5k_newton_000*.mtx)
if [ -f "${seq5[0]}" ]; then
  for s in klu umfpack; do row circuit5k_newton "$s" 0 "${seq5[@]}" --solver "$s"; done
  for np in 1 2; do row circuit5k_newton "mumps -np $np" "$np" "${seq5[@]}" --solver mumps; done
fi
echo

echo "## Out-of-core under a memory cap (60^3 grid, mumps, 1 process)"
echo
a="$work/grid3d_60.mtx"
"$spax" solve "$a" --solver mumps --json >"$work/est.json"
in_core=$(jq '.backend.estimated_memory_total_bytes' "$work/est.json")
ooc=$(jq '.backend.estimated_ooc_memory_total_bytes' "$work/est.json")
cap=$(awk -v a="$in_core" -v b="$ooc" 'BEGIN{printf "%d", (a + b) / 2 / 1048576}')
echo "MUMPS's estimates after analysis: in-core $(awk -v a="$in_core" 'BEGIN{printf "%.0f", a/1048576}') MB, out-of-core $(awk -v b="$ooc" 'BEGIN{printf "%.0f", b/1048576}') MB; cap --max-memory $cap"
rc=0
"$spax" solve "$a" --solver mumps --max-memory "$cap" >/dev/null 2>"$work/err.txt" || rc=$?
echo "in-core:     exit $rc: $(head -n 1 "$work/err.txt")"
rc=0
/usr/bin/time -f "%M" -o "$work/time.txt" "$spax" solve "$a" --solver mumps --max-memory "$cap" \
  --solver-options "ooc=1,ooc_dir=$work" --json >"$work/ooc.json" 2>"$work/err.txt" || rc=$?
echo "out-of-core: exit $rc, backward error $(jq -r '.backward_error[0]' "$work/ooc.json" 2>/dev/null), factor $(jq -r '.timings.factor' "$work/ooc.json" 2>/dev/null) s, peak RSS $(( $(tail -n 1 "$work/time.txt") / 1024 )) MB $(head -n 1 "$work/err.txt")"
