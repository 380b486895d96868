#!/usr/bin/env python3
"""A Newton loop with spax.Solver: analyse the Jacobian's pattern once, then per iteration pass
only its new values (refactor_values) and solve.

Default: the Bratu problem -lap(u) = lam * exp(u) on the unit square (Dirichlet 0), a k x k
grid. The Jacobian J(u) = L - lam * h^2 * diag(exp(u)) keeps the pattern of the 5-point
Laplacian L; only its diagonal values change.
With Matrix Market files (a simulator's dumped Jacobians of one pattern, e.g. jac_*.mtx): each
is refactored in turn and solved with b = J * ones (x must be ones).

usage: newton_loop.py [--grid K] [--lam LAM] [--solver NAME]     (Bratu)
       newton_loop.py JAC_0.mtx JAC_1.mtx ...                   (a dumped sequence)
"""
import argparse
import time

import numpy as np
import scipy.sparse as sp

import spax


def bratu(k, lam, solver_name):
    h = 1.0 / (k + 1)
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(k, k))
    lap = (sp.kron(t, sp.identity(k)) + sp.kron(sp.identity(k), t)).tocsc()
    lap.sort_indices()
    # Where the diagonal lives in the CSC value array: the only values that change.
    rows = lap.indices
    cols = np.repeat(np.arange(lap.shape[1]), np.diff(lap.indptr))
    diag = np.flatnonzero(rows == cols)
    assert np.array_equal(rows[diag], np.arange(lap.shape[0]))

    u = np.zeros(lap.shape[0])
    solver = spax.Solver(solver_name)
    solver.analyze(lap)  # the pattern, once
    values = np.empty_like(lap.data)
    for it in range(20):
        e = lam * h * h * np.exp(u)
        f = lap @ u - e  # F(u), scaled by h^2
        norm = np.linalg.norm(f, np.inf)
        print(f"iteration {it}: ||F|| = {norm:.3e}")
        if norm < 1e-12:
            break
        np.copyto(values, lap.data)
        values[diag] -= e  # J(u) = L - h^2 lam diag(exp(u))
        t0 = time.perf_counter()
        solver.refactor_values(values)  # the first call factors, the next ones refactor
        du = solver.solve(-f)
        print(f"             refactor + solve {1e3 * (time.perf_counter() - t0):.2f} ms, "
              f"backward error {solver.stats['backward_error']:.1e}")
        u += du
    st = solver.stats
    print(f"max u = {u.max():.6f}; {st['matrices']} Jacobians, refactor fallbacks "
          f"{st['refactor_fallbacks']}, solver {st['solver']} ({st['ordering']}), "
          f"nnz(L) {st['nnz_L']}")
    return u


def sequence(files, solver_name):
    solver = spax.Solver(solver_name)
    for k, f in enumerate(files):
        a = spax.read(f)
        if k == 0:
            solver.factor(a)
        else:
            solver.refactor_values(a.data)  # one pattern: only the values
        x = solver.solve(a @ np.ones(a.shape[0]))
        print(f"{f}: max |x - 1| = {np.abs(x - 1).max():.2e}, "
              f"backward error {solver.stats['backward_error']:.1e}")
    print(f"refactor fallbacks {solver.stats['refactor_fallbacks']}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="*", help="a dumped Jacobian sequence (one pattern)")
    p.add_argument("--grid", type=int, default=100, help="Bratu: grid points per side")
    p.add_argument("--lam", type=float, default=6.0, help="Bratu: lambda (below 6.808)")
    p.add_argument("--solver", default="klu", help="a backend of spax.solvers()")
    args = p.parse_args()
    if args.files:
        sequence(args.files, args.solver)
    else:
        bratu(args.grid, args.lam, args.solver)


if __name__ == "__main__":
    main()
