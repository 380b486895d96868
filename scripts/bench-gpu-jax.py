#!/usr/bin/env python3
"""JAX's sparse direct solve on the GPU beside spax's figures (scripts/bench-gpu.sh).

Usage: bench-gpu-jax.py OUT.json MATRIX.mtx[.gz] ...

For each matrix: jax.experimental.sparse.linalg.spsolve (cuSOLVER's sparse QR, nothing kept
between calls, so every call is a whole factorization + solve: what one Newton iteration costs
with it) on b = A * ones, timed after one warm-up call, and the answer's backward error
||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf) computed here with scipy. A failure (JAX's
"Singular matrix" among them) is recorded with its message.
"""
import json
import sys
import time

import numpy as np
import scipy.io
import scipy.sparse


def main():
    out = sys.argv[1]
    results = []
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        from jax.experimental.sparse.linalg import spsolve

        device = str(jax.devices()[0])
    except Exception as e:  # no JAX, or no GPU for it
        json.dump({"error": f"JAX unavailable: {e}"}, open(out, "w"), indent=2)
        print("JAX unavailable:", e)
        return
    for path in sys.argv[2:]:
        r = {"matrix": path.rsplit("/", 1)[-1], "device": device}
        try:
            a = scipy.sparse.csr_matrix(scipy.io.mmread(path)).astype(np.float64)
            a.sort_indices()
            b = a @ np.ones(a.shape[0])
            data, indices, indptr = (jax.numpy.asarray(v) for v in (a.data, a.indices, a.indptr))
            bj = jax.numpy.asarray(b)
            x = np.asarray(spsolve(data, indices, indptr, bj))  # warm-up (compilation)
            times = []
            for _ in range(3):
                t = time.perf_counter()
                x = np.asarray(spsolve(data, indices, indptr, bj))
                times.append(time.perf_counter() - t)
            anorm = abs(a).sum(axis=1).max()
            berr = float(np.abs(b - a @ x).max() / (anorm * np.abs(x).max() + np.abs(b).max()))
            r.update(n=a.shape[0], nnz=int(a.nnz), seconds=times, mean_seconds=sum(times) / 3,
                     backward_error=berr, ok=bool(np.isfinite(berr) and berr < 1e-8))
        except Exception as e:
            r.update(ok=False, error=str(e).splitlines()[0][:300])
        print(json.dumps(r))
        results.append(r)
    json.dump(results, open(out, "w"), indent=2)


if __name__ == "__main__":
    main()
