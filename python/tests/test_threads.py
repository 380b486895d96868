"""The GIL is released during analyze, factor, refactor and solve: two threads, two solvers, at
once. While one thread is inside a long factorization, the other completes solves (each
recorded with its time); had the call held the GIL, none could complete inside it."""
import threading
import time

import numpy as np
import scipy.sparse.linalg as sla

import spax
from conftest import DATA, backward_error, laplacian_2d


def test_two_threads_two_solvers_at_once(rng):
    big = laplacian_2d(200)  # n = 40000: KLU's analyze + factor take a few tenths of a second
    small = spax.read(DATA / "rajat19.mtx")
    b_big = rng.standard_normal(big.shape[0])
    b_small = rng.standard_normal(small.shape[0])
    x_small_ref = sla.spsolve(small, b_small)

    spans = []  # (start, end) of each long call in thread A
    errors = []
    done = threading.Event()

    def long_calls():
        try:
            for _ in range(2):
                s = spax.Solver("klu")
                t0 = time.perf_counter()
                s.factor(big)  # analyze + factor, GIL released
                x = s.solve(b_big)
                t1 = time.perf_counter()
                spans.append((t0, t1))
                assert backward_error(big, x, b_big) < 1e-14
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            errors.append(e)
        finally:
            done.set()

    solver = spax.Solver("klu")
    solver.factor(small)
    stamps = []
    a = threading.Thread(target=long_calls)
    a.start()
    while not done.is_set():
        solver.refactor_values(small.data)
        x = solver.solve(b_small)
        stamps.append(time.perf_counter())
    a.join()
    assert not errors, errors
    np.testing.assert_allclose(x, x_small_ref, rtol=1e-6, atol=0)
    assert solver.stats["backward_error"] < 1e-13

    t0, t1 = max(spans, key=lambda s: s[1] - s[0])
    length = t1 - t0
    margin = 0.01
    inside = [t for t in stamps if t0 + margin < t < t1 - margin]
    assert len(inside) >= 3, (length, len(stamps))
    points = [t0] + inside + [t1]
    gap = max(q - p for p, q in zip(points, points[1:]))
    assert gap < 0.5 * length, (gap, length)


def test_one_solver_shared_by_two_threads(rng):
    """Calls on one Solver from two threads are serialised (never a crash, never a mixed
    state): both threads refactor with the same values, so every answer is the same."""
    a = spax.read(DATA / "rajat19.mtx")
    b = rng.standard_normal(a.shape[0])
    s = spax.Solver("klu")
    s.factor(a)
    ref = s.solve(b)
    results, errors = [], []

    def work():
        try:
            for _ in range(30):
                s.refactor_values(a.data)
                results.append(s.solve(b))
                s.stats  # noqa: B018 - read while the other thread works
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 60
    for x in results:
        np.testing.assert_array_equal(x, ref)
