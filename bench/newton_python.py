#!/usr/bin/env python3
"""Benchmark (not a test): a Newton loop in Python, per iteration spax.Solver("klu")'s
refactor_values + solve, against the C++ KLU floor (bench_klu_floor: klu_l_refactor +
klu_l_solve in a C++ loop) and against scipy's spsolve and splu (factor + solve) per call.
Run by scripts/bench-python.sh, which says how to read the figures."""
import argparse
import json
import statistics
import subprocess
import time

import numpy as np
import scipy.sparse.linalg as sla

import spax


def best_of(runs, f):
    return min(f() for _ in range(runs))


def spax_loop(mats, rhs, iterations, safe):
    s = spax.Solver("klu", safe=safe)
    s.factor(mats[0])
    per = []
    err = 0.0
    for it in range(iterations):
        k = (it + 1) % len(mats)
        a, b = mats[k], rhs[k]
        t0 = time.perf_counter()
        s.refactor_values(a.data)
        x = s.solve(b)
        per.append(time.perf_counter() - t0)
        err = max(err, float(np.abs(x - 1.0).max()))
    return statistics.median(per), err, s.stats


def scipy_loop(mats, rhs, iterations, how):
    per = []
    for it in range(iterations):
        k = (it + 1) % len(mats)
        a, b = mats[k], rhs[k]
        t0 = time.perf_counter()
        if how == "spsolve":
            sla.spsolve(a, b)
        else:
            sla.splu(a).solve(b)
        per.append(time.perf_counter() - t0)
    return statistics.median(per)


def floor(binary, files, iterations, runs):
    def one():
        seq = [files[(i + 1) % len(files)] for i in range(iterations)]
        out = subprocess.run([binary, files[0], *seq], capture_output=True, text=True,
                             check=True).stdout
        return json.loads(out)["per_iteration_median"]
    return best_of(runs, one)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--floor", required=True, help="the bench_klu_floor program")
    p.add_argument("--shared", required=True, help="../shared/matrices")
    p.add_argument("--iterations", type=int, default=30)
    p.add_argument("--scipy-iterations", type=int, default=10)
    p.add_argument("--runs", type=int, default=3, help="best of RUNS medians")
    args = p.parse_args()
    cases = {
        "rajat01": [f"{args.shared}/real/rajat01.mtx"],
        "bayer10": [f"{args.shared}/real/bayer10.mtx"],
        "circuit5k_newton": [f"{args.shared}/synthetic/circuit5k_newton_000{k}.mtx"
                             for k in range(5)],
    }
    head = (f"{'matrix':<17} {'n':>6} {'nnz':>7} {'floor':>8} {'spax':>8} {'ratio':>6} "
            f"{'unsafe':>8} {'ratio':>6} {'spsolve':>9} {'x':>6} {'splu':>9} {'x':>6}  "
            f"{'max|x-1|':>8}")
    print("per iteration, ms (median of the loop, best of %d runs); ratio = spax / floor; "
          "x = scipy / spax" % args.runs)
    print(head)
    for name, files in cases.items():
        mats = []
        for f in files:
            a = spax.read(f)
            if name == "rajat01":  # pattern only: the values spax solve and the floor make
                a = spax.synthesize_values(a)
            a.sort_indices()
            mats.append(a)
        rhs = [a @ np.ones(a.shape[0]) for a in mats]
        fl = floor(args.floor, files, args.iterations, args.runs)
        safe = min((spax_loop(mats, rhs, args.iterations, True) for _ in range(args.runs)),
                   key=lambda r: r[0])
        unsafe = best_of(args.runs, lambda: spax_loop(mats, rhs, args.iterations, False)[0])
        sps = scipy_loop(mats, rhs, args.scipy_iterations, "spsolve")
        spl = scipy_loop(mats, rhs, args.scipy_iterations, "splu")
        t, err, st = safe
        print(f"{name:<17} {mats[0].shape[0]:>6} {mats[0].nnz:>7} {fl * 1e3:>8.3f} "
              f"{t * 1e3:>8.3f} {t / fl:>6.2f} {unsafe * 1e3:>8.3f} {unsafe / fl:>6.2f} "
              f"{sps * 1e3:>9.2f} {sps / t:>6.0f} {spl * 1e3:>9.2f} {spl / t:>6.0f}  "
              f"{err:>8.1e}", flush=True)
        assert st["refactor_fallbacks"] == [], st["refactor_fallbacks"]


if __name__ == "__main__":
    main()
