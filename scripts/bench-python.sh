#!/usr/bin/env bash
# Benchmark of the Python module (not a test): a Newton loop in Python, per iteration
# spax.Solver("klu").refactor_values(A.data) + solve(b), against
#   - the C++ KLU floor (bench_klu_floor: analyse once, klu_l_refactor + klu_l_solve per
#     iteration, no checks); target: spax within 1.2x on bayer10;
#   - scipy.sparse.linalg.spsolve(A, b) and splu(A).solve(b) per call (no reuse across calls);
#     target: spax at least 50x faster than spsolve per iteration on rajat01.
# Matrices (../shared/matrices): rajat01 (pattern only: values synthesized, as the floor does),
# bayer10 (each repeated as a sequence of one pattern) and synthetic/circuit5k_newton_* (cycled).
# b = A * ones, so x = ones (the last column shows max |x - 1| of spax's answers).
# Columns: spax is the default Solver (safe=True: the backward error of each answer after a
# refactor is checked, O(nnz)); unsafe is safe=False (the floor's work plus the cheap pivot
# checks). Each figure is the median per-iteration time of a loop, best of 3 loops.
#
# usage: scripts/bench-python.sh [BUILD_DIR] [K]   (K iterations per loop, default 30)
#   PYTHON: the interpreter (default /usr/bin/python3 when present, else python3)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${BUILD_DIR:-$here/build}}"
K="${2:-30}"
python="${PYTHON:-$([ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3)}"
floor="$build/bench_klu_floor"
shared="$here/../shared/matrices"
[ -x "$floor" ] || { echo "bench_klu_floor not found: $floor" >&2; exit 2; }
ls "$build"/python/spax.*.so >/dev/null 2>&1 ||
  { echo "the Python module is not built in $build/python (pybind11-dev, python3-dev)" >&2; exit 2; }
[ -d "$shared" ] || { echo "../shared/matrices not found beside the checkout" >&2; exit 2; }
PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}" "$python" "$here/bench/newton_python.py" \
  --floor "$floor" --shared "$shared" --iterations "$K"
