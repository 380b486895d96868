#!/usr/bin/env bash
# Benchmark of the iterative solvers (not a test).
#   1. Laplacians from `spax gen`: a 2D 1000 x 1000 grid and a 3D 100^3 grid, solved with
#      AMG-preconditioned CG (cg+amg) to a relative residual of 1e-8, and with CHOLMOD. Targets:
#      cg+amg in under 30 iterations on both; on the 3D one faster and smaller than CHOLMOD.
#   2. The circuit matrices of the shared collection (real/rajat01, rajat19, adder_dcop_05,
#      synthetic/circuit50k and the circuit5k Newton sequence) with gmres+ilut,
#      gmres+block-jacobi and bicgstab+ilut against KLU: which converge, in how many iterations,
#      how fast, and how far the answer is from the direct one (forward error, b = A * ones).
#   3. `spax bench` on the small circuit matrices, direct and iterative in one table.
# Times are wall seconds of the whole `spax solve` process (read included) and the setup / solve
# split from its JSON; peak memory is the process's maximum RSS from /usr/bin/time.
#
# Each solve is stopped after $SPAX_BENCH_TIMEOUT seconds (default 600): CHOLMOD on the 3D grid
# grows past 18 GB of memory and runs for more than 12 minutes on a 2-core machine.
# SKIP_LAPLACIANS=1 runs only the circuit matrices.
# The MPI part (cg+amg on 1 and 2 processes through mpirun, on 3D Laplacians of 100^3 and 150^3:
# 3.4M unknowns) is left out with SKIP_MPI=1, its 150^3 grid with SKIP_150=1; SPAX_MPIRUN gives
# another launcher command. As root, Open MPI's mpirun needs OMPI_ALLOW_RUN_AS_ROOT=1 and
# OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 (set them yourself).
#
# usage: scripts/bench-iterative.sh [BUILD_DIR]    (default: build, or $BUILD_DIR)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${BUILD_DIR:-$here/build}}"
spax="$build/apps/spax/spax"
shared="$here/../shared/matrices"
work="$(mktemp -d "${TMPDIR:-/tmp}/spax-bench-iterative.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -x "$spax" ] || { echo "spax binary not found: $spax" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed (Debian package 'jq')" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (Debian package 'time')" >&2; exit 2; }

# One solve: prints "status iterations relres fwd_err setup solve wall peak_MB message".
run() {
  local out="$work/out.json" err="$work/err.txt" tm="$work/time.txt" rc=0
  : >"$tm"
  timeout "${SPAX_BENCH_TIMEOUT:-600}" /usr/bin/time -f "%e %M" -o "$tm" "$spax" solve "$@" \
    --json >"$out" 2>"$err" || rc=$?
  local wall="-" mem=0
  # /usr/bin/time puts "Command exited with non-zero status N" first when the solve fails.
  read -r wall mem < <(tail -n 1 "$tm") || true
  [ "$rc" = 124 ] && echo "stopped: >${SPAX_BENCH_TIMEOUT:-600}s" >"$err"
  wall="${wall:--}" mem="${mem:-0}"
  if [ "$rc" = 0 ]; then
    jq -r --arg w "$wall" --arg m "$mem" '[
        "ok",
        (if .iterative then (.iterative.iterations | max | tostring) else "-" end),
        (if .iterative then (.iterative.relative_residual | max | tostring) else "-" end),
        ((.forward_error | max) // "-" | tostring),
        (if .timings.setup then (.timings.setup | add | tostring) else (.timings.factor | tostring) end),
        (.timings.solve | add | tostring),
        $w, (($m | tonumber) / 1024 | floor | tostring), "-"] | join(" ")' "$out"
  else
    echo "exit$rc - - - - - $wall $((mem / 1024)) $(grep -m1 -E 'spax:|stopped' "$err" | cut -c1-110)"
  fi
}

row() {  # matrix solver args...
  local m="$1" s="$2"
  shift 2
  local r
  r=$(run "$@" --solver "$s")
  read -r st it rr fe su so wall mem msg <<<"$r"
  printf '| %-18s | %-19s | %-6s | %5s | %-9s | %-9s | %-9s | %-9s | %7s | %7s | %s\n' \
    "$m" "$s" "$st" "$it" "$(sci "$rr")" "$(sci "$fe")" "$(fx "$su")" "$(fx "$so")" "$wall" "$mem" \
    "$msg"
}
sci() { [[ "$1" =~ ^[0-9.eE+-]*[0-9][0-9.eE+-]*$ ]] && awk -v v="$1" 'BEGIN{printf "%.1e", v}' || echo "$1"; }
fx() { [[ "$1" =~ ^[0-9.eE+-]*[0-9][0-9.eE+-]*$ ]] && awk -v v="$1" 'BEGIN{printf "%.3f", v}' || echo "$1"; }
header() {
  echo "| matrix             | solver              | status | iters | rel.res   | fwd err   | setup s   | solve s   | wall s  | peak MB | message"
  echo "|--------------------|---------------------|--------|-------|-----------|-----------|-----------|-----------|---------|---------|--------"
}

if [ "${SKIP_LAPLACIANS:-0}" != 1 ]; then
echo "## Laplacians: cg+amg (tol 1e-8) vs CHOLMOD"
echo
"$spax" gen grid2d --n 1000 --out "$work/grid2d_1000.mtx" >/dev/null
"$spax" gen grid3d --n 100 --out "$work/grid3d_100.mtx" >/dev/null
header
for g in grid2d_1000 grid3d_100; do
  for s in cg+amg cholmod; do row "$g" "$s" "$work/$g.mtx" --tol 1e-8; done
  # CHOLMOD's default ordering on the 3D grid is AMD (nnz(L) 1.6e9, 2.1e13 flops by
  # `spax analyze`); nested dissection needs half the memory and a quarter of the flops.
  row "$g metis" cholmod "$work/$g.mtx" --tol 1e-8 --ordering metis
done
rm -f "$work"/grid*.mtx
fi

if [ "${SKIP_MPI:-0}" != 1 ]; then
echo
echo "## cg+amg on 1 and 2 MPI processes (3D Laplacians, tol 1e-8)"
echo
# On 1 process spax's own CG with one BoomerAMG cycle as preconditioner; on 2, hypre's ParCSR PCG
# with BoomerAMG over the two row blocks. One BLAS/OpenMP thread per process. Peak MB: the
# largest process (/usr/bin/time over mpirun and its ranks); per rank: each rank's peak resident
# memory as the 2-process solve reports it (memory_per_process).
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
read -r -a mpirun <<<"${SPAX_MPIRUN:-mpirun}"
mpirun+=(-x OPENBLAS_NUM_THREADS -x OMP_NUM_THREADS)
echo "| matrix             | processes | status | iters | rel.res   | setup s   | solve s   | wall s  | peak MB | MB per rank"
echo "|--------------------|-----------|--------|-------|-----------|-----------|-----------|---------|---------|------------"
sizes=(100)
[ "${SKIP_150:-0}" != 1 ] && sizes+=(150)
for n in "${sizes[@]}"; do
  "$spax" gen grid3d --n "$n" --out "$work/grid3d_$n.mtx" >/dev/null
  for np in 1 2; do
    out="$work/out.json" err="$work/err.txt" tm="$work/time.txt" rc=0
    : >"$tm"
    timeout "${SPAX_BENCH_TIMEOUT:-600}" /usr/bin/time -f "%e %M" -o "$tm" "${mpirun[@]}" -np "$np" \
      "$spax" solve "$work/grid3d_$n.mtx" --solver cg+amg --tol 1e-8 --json >"$out" 2>"$err" || rc=$?
    read -r wall mem < <(tail -n 1 "$tm") || true
    if [ "$rc" = 0 ]; then
      jq -r --arg n "grid3d_$n" --arg np "$np" --arg w "$wall" --arg m "$mem" '[
          $n, $np, "ok", (.iterative.iterations[0] | tostring),
          (.iterative.relative_residual[0] | tostring), (.timings.setup[0] | tostring),
          (.timings.solve[0] | tostring), $w, (($m | tonumber) / 1024 | floor | tostring),
          (if .memory_per_process then (.memory_per_process | map(. / 1048576 | floor | tostring) | join("/")) else "-" end)
        ] | join(" ")' "$out" | while read -r a b c d e f g h i j; do
          printf '| %-18s | %9s | %-6s | %5s | %-9s | %-9s | %-9s | %7s | %7s | %s\n' "$a" "$b" "$c" "$d" \
            "$(sci "$e")" "$(fx "$f")" "$(fx "$g")" "$h" "$i" "$j"
        done
    else
      printf '| %-18s | %9s | exit%-2s | - | - | - | - | %7s | %7s | %s\n' "grid3d_$n" "$np" "$rc" \
        "${wall:--}" "$(( ${mem:-0} / 1024 ))" "$(grep -m1 'spax:' "$err" | cut -c1-100)"
    fi
  done
  rm -f "$work/grid3d_$n.mtx"
done
fi

echo
echo "## Circuit matrices: Krylov methods (tol 1e-8, max 1000 iterations) vs KLU"
echo
header
for f in real/rajat01.mtx real/rajat19.mtx real/adder_dcop_05.mtx synthetic/circuit50k.mtx.gz; do
  [ -f "$shared/$f" ] || continue
  name=$(basename "$f" | sed 's/\.mtx.*//')
  for s in klu gmres+ilut gmres+block-jacobi bicgstab+ilut; do
    row "$name" "$s" "$shared/$f" --tol 1e-8 --max-iter 1000
  done
done
seq=("$shared"/synthetic/circuit5k_newton_*.mtx)
if [ -f "${seq[0]}" ]; then
  for s in klu gmres+ilut gmres+block-jacobi bicgstab+ilut; do
    row "circuit5k x${#seq[@]}" "$s" "${seq[@]}" --tol 1e-8 --max-iter 1000
  done
fi

echo
echo "## spax bench on the small circuit matrices (direct and iterative in one table)"
echo
"$spax" bench "$shared/real/rajat19.mtx" "$shared/real/adder_dcop_05.mtx" \
  --solvers klu,umfpack,gmres+ilut,bicgstab+ilut,gmres+block-jacobi --runs 3 --timeout 60
