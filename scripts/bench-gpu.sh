#!/usr/bin/env bash
# GPU benchmark of the CUDA plugin (run on a machine with an NVIDIA GPU and a build configured
# with -DSPAX_WITH_CUDA=ON):
#   1. per Newton iteration (refactor + solve, copies included): cuda-rf (cusolverRf, and the
#      plugin's kernels) against klu on the same machine's CPU, on adder_dcop_05, bayer10,
#      circuit5k_newton, circuit50k (spax bench --sequence) and on `spax gen circuit` sequences
#      of 5000 and 200000 nodes (spax solve: each matrix's refactor + solve);
#   2. batched throughput, K = 64 and 256 perturbed copies of circuit5k: a KLU loop against
#      cuda-rf's batched kernels and a loop of single cusolverRf refactors (spax bench --batch),
#      and what cusolverRfBatchSetupHost does with valid arguments (spax_cuda_rf_probe);
#   3. JAX's spsolve on the GPU on the same matrices, where it succeeds (bench-gpu-jax.py).
# Every answer is checked (backward error); the reports name the GPU and split the GPU's time into
# copies, kernels and host work.
#
# Usage: scripts/bench-gpu.sh SPAX_BINARY MATRICES_DIR OUT_DIR [ITERATIONS]
#   MATRICES_DIR holds real/adder_dcop_05.mtx, real/bayer10.mtx,
#   synthetic/circuit5k_newton_0000.mtx and synthetic/circuit50k.mtx.gz (the shared collection).
set -uo pipefail
spax=${1:?usage: bench-gpu.sh SPAX_BINARY MATRICES_DIR OUT_DIR [ITERATIONS]}
mats=${2:?matrices directory}
out=${3:?output directory}
iters=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

log() { echo "== $*" | tee -a "$out/bench-gpu.log"; }
run() {  # run CMD... : logged, output appended
  echo "\$ $*" >>"$out/bench-gpu.log"
  "$@" >>"$out/bench-gpu.log" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || echo "(exit $rc)" >>"$out/bench-gpu.log"
  return $rc
}

log "machine"
nvidia-smi -L >>"$out/bench-gpu.log" 2>&1
run "$spax" solvers

log "1. per Newton iteration: spax bench --sequence $iters (klu, cuda-rf)"
for m in real/adder_dcop_05.mtx real/bayer10.mtx synthetic/circuit5k_newton_0000.mtx \
         synthetic/circuit50k.mtx.gz; do
  name=$(basename "$m" | sed 's/\.mtx.*//')
  run "$spax" bench "$mats/$m" --solvers klu,cuda-rf --sequence "$iters" --warmup 1 --runs 3 \
    --export-json "$out/sequence_$name.json"
done

log "1b. generated Newton sequences: spax solve (every matrix's refactor + solve)"
for nodes in 5000 200000; do
  dir=$work/circuit$nodes
  # The 200k matrices are large files: fewer of them.
  count=$iters
  solvers="klu cuda-rf cuda-rf:engine=kernel"
  if [ "$nodes" -gt 50000 ]; then
    count=$((iters < 8 ? iters : 8))
    solvers="klu cuda-rf"
  fi
  run "$spax" gen circuit --nodes "$nodes" --iterations "$count" --out "$dir"
  for s in $solvers; do
    name=${s%%:*}
    opts=()
    [ "$s" != "$name" ] && opts=(--solver-options "${s#*:}")
    tag=$(echo "$s" | tr ':=' '__')
    echo "\$ spax solve $dir/jacobian_*.mtx --solver $s --json" >>"$out/bench-gpu.log"
    "$spax" solve "$dir"/jacobian_*.mtx --solver "$name" "${opts[@]}" --json \
      >"$out/newton_${nodes}_$tag.json" 2>>"$out/bench-gpu.log"
  done
  python3 - "$out" "$nodes" <<'EOF' | tee -a "$out/bench-gpu.log"
import json, sys, glob, os
out, nodes = sys.argv[1], sys.argv[2]
for f in sorted(glob.glob(os.path.join(out, f"newton_{nodes}_*.json"))):
    try:
        j = json.load(open(f))
    except Exception as e:
        print(f, "no result:", e); continue
    t = j["timings"]
    it = [r + s for r, s in zip(t["refactor"], t["solve"][1:])]
    print(f"{os.path.basename(f)}: n={j['n']} nnz={j['nnz']} first factor {t['factor']*1e3:.2f} ms, "
          f"per iteration (refactor + solve) mean {1e3*sum(it)/max(1,len(it)):.3f} ms "
          f"over {len(it)}, worst backward error {max(j['backward_error']):.2e}, "
          f"fallbacks {j['refactor_fallbacks']}")
EOF
done

log "2. batched throughput on circuit5k: spax bench --batch K"
# cuda-rf:host_loop=1 is the batch as a loop of single cusolverRf refactors + solves (cusolverRf
# runs on the default stream: single handles cannot run side by side on streams).
for k in 64 256; do
  run "$spax" bench "$mats/synthetic/circuit5k_newton_0000.mtx" --batch "$k" \
    --solvers klu,cuda-rf,cuda-rf:host_loop=1 --warmup 1 --runs 3 \
    --export-json "$out/batch_$k.json"
done
# cusolverRfBatch called as its contract says, one process per variant (a crash ends only it).
probe=$(dirname "$(dirname "$(dirname "$spax")")")/lib/plugins/cuda/spax_cuda_rf_probe
if [ -x "$probe" ]; then
  log "2b. cusolverRfBatch probe (adder_dcop_05, batch of 4)"
  for v in single single-btf batch batch-storedl batch-nofast batch-devvals batch-hostptrs; do
    timeout 60 "$probe" "$mats/real/adder_dcop_05.mtx" "$v" 4 >>"$out/bench-gpu.log" 2>&1
    echo " -> exit $?" >>"$out/bench-gpu.log"
  done
fi

log "3. JAX spsolve on the GPU"
timeout 300 python3 "$here/bench-gpu-jax.py" "$out/jax.json" "$mats/real/adder_dcop_05.mtx" \
  "$mats/real/bayer10.mtx" "$mats/synthetic/circuit5k_newton_0000.mtx" \
  "$mats/synthetic/circuit50k.mtx.gz" "$work/circuit200000/jacobian_0000.mtx" \
  >>"$out/bench-gpu.log" 2>&1 || echo "(jax: exit $?)" >>"$out/bench-gpu.log"
log "done"
