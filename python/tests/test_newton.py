"""Newton loops: refactor_values on one pattern (circuit5k_newton), the refactor-safety rules of
the sequence runner, pattern changes, and the statistics under `spax solve --json`'s keys."""
import json

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla

import spax
from conftest import DATA, backward_error, rel_diff, run_spax, shared_file, tolerance


def newton_files():
    return [shared_file(f"synthetic/circuit5k_newton_000{k}.mtx") for k in range(5)]


def test_newton_loop_over_circuit5k(rng):
    files = newton_files()
    mats = [spax.read(f) for f in files]
    assert len({spax.fingerprint(m) for m in mats}) == 1  # one pattern
    s = spax.Solver("klu")
    s.factor(mats[0])
    for it in range(10):  # the five Jacobians twice
        a = mats[(it + 1) % 5]
        s.refactor_values(a.data)  # canonical CSC: the pattern's order
        b = rng.standard_normal(a.shape[0])
        x = s.solve(b)
        assert rel_diff(x, sla.spsolve(a, b)) < tolerance(a), it
        assert backward_error(a, x, b) < 1e-12
    st = s.stats
    assert st["matrices"] == 11 and st["solves"] == 10
    assert st["refactor_fallbacks"] == [] and st["reanalysed"] == []
    assert st["n"] == mats[0].shape[0] and st["nnz"] == mats[0].nnz


def test_stats_keys_and_values_match_the_command_line():
    files = newton_files()
    cli = run_spax("solve", *files, "--solver", "klu", "--json")
    assert cli.returncode == 0, cli.stderr
    c = json.loads(cli.stdout)
    s = spax.Solver("klu")
    for k, f in enumerate(files):
        a = spax.read(f)
        if k == 0:
            s.factor(a)
        else:
            s.refactor(a)
        s.solve(a @ np.ones(a.shape[0]))  # the command line's b = A * ones
    st = s.stats
    shared_keys = {"solver", "ordering", "n", "nnz", "matrices", "nnz_L", "nnz_U", "flops",
                   "rcond", "pivot_growth", "factor_bytes_estimate", "backward_error",
                   "chosen_because", "timings", "refactor_fallbacks", "reanalysed"}
    assert shared_keys <= set(st) and shared_keys <= set(c)
    assert set(st["timings"]) <= set(c["timings"])
    for key in ("solver", "ordering", "n", "nnz", "matrices", "nnz_L", "nnz_U", "flops",
                "factor_bytes_estimate", "refactor_fallbacks", "reanalysed", "chosen_because"):
        assert st[key] == c[key], key
    assert st["rcond"] == pytest.approx(c["rcond"], rel=1e-12)
    assert st["pivot_growth"] == pytest.approx(c["pivot_growth"], rel=1e-9)
    # per-matrix lists on the command line, the last matrix's value here
    assert st["backward_error"] < 1e-12 and c["backward_error"][-1] < 1e-12


def seq_rajat19():
    base = spax.read(DATA / "rajat19.mtx")
    mats = []
    for k in range(5):
        m = base.copy()
        m.data = m.data * (1.0 + 0.01 * ((np.arange(m.nnz) * 7 + k * 3) % 5))
        mats.append(m)
    return mats


def test_refactor_safety_falls_back_and_counts(rng):
    mats = seq_rajat19()
    # An impossible backward-error limit: every refactored answer is redone afresh.
    s = spax.Solver("klu", refactor_backward_limit=-1.0)
    s.factor(mats[0])
    for m in mats[1:]:
        s.refactor_values(m.data)
        b = rng.standard_normal(m.shape[0])
        x = s.solve(b)
        assert backward_error(m, x, b) < 1e-12
    assert s.stats["refactor_fallbacks"] == [1, 2, 3, 4]
    # safe=False skips the check (and the fallback), even with that limit
    u = spax.Solver("klu", safe=False, refactor_backward_limit=-1.0)
    u.factor(mats[0])
    for m in mats[1:]:
        u.refactor_values(m.data)
        b = rng.standard_normal(m.shape[0])
        x = u.solve(b)
        assert backward_error(m, x, b) < 1e-10
    assert u.stats["refactor_fallbacks"] == []
    assert u.stats["backward_error"] is None and u.stats["safe"] is False


def test_unstable_kept_pivots_hand_worked():
    # [[e, 1], [1, 1.5]] with b = A * ones, so x = (1, 1): KLU keeps the diagonal pivot chosen
    # for e = 1, which is unstable for e = 1e-15 (growth 1e15): a fresh factorization replaces it.
    def m(e):
        return sp.csc_array(np.array([[e, 1.0], [1.0, 1.5]]))
    s = spax.Solver("klu", "natural")
    for k, e in enumerate((1.0, 1e-15, 0.5)):
        a = m(e)
        if k == 0:
            s.factor(a)
        else:
            s.refactor_values(a.data)
        x = s.solve(np.array([e + 1.0, 2.5]))
        assert np.allclose(x, [1.0, 1.0], rtol=0, atol=1e-12), (e, x)
    assert s.stats["refactor_fallbacks"] == [1]


def test_pattern_change_goes_through_refactor():
    a = sp.csc_array(np.array([[4.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 4.0]]))
    # the same values with an explicit zero at (0, 2): another pattern
    b = sp.csc_array((np.array([4.0, 1.0, 1.0, 4.0, 1.0, 0.0, 1.0, 4.0]),
                      np.array([0, 1, 0, 1, 2, 0, 1, 2]), np.array([0, 2, 5, 8])), shape=(3, 3))
    s = spax.Solver()
    s.factor(a)
    with pytest.raises(spax.InputError, match="8 values for a pattern of 7"):
        s.refactor_values(b.data)
    s.refactor(b)
    assert s.stats["reanalysed"] == [1] and s.nnz == 8
    np.testing.assert_allclose(s.solve(b @ np.ones(3)), np.ones(3), rtol=0, atol=1e-14)
    s.refactor_values(b.data * 2.0)  # now the new pattern's values
    np.testing.assert_allclose(s.solve(b @ np.ones(3)), 0.5 * np.ones(3), rtol=0, atol=1e-14)


def test_refactor_values_in_csc_order_after_a_csr_matrix(rng):
    a = spax.read(DATA / "rajat19.mtx")
    s = spax.Solver("klu")
    s.factor(a.tocsr())  # kept as CSC inside
    a2 = a.copy()
    a2.data = a2.data * 1.5
    s.refactor_values(a2.data)
    b = rng.standard_normal(a.shape[0])
    assert rel_diff(s.solve(b), sla.spsolve(a2, b)) < tolerance(a2)


def test_values_are_copied_not_kept(rng):
    a = spax.read(DATA / "rajat19.mtx")
    v = a.data.copy()
    s = spax.Solver("klu")
    s.factor(a)
    s.refactor_values(v)
    v[:] = np.nan  # the caller's array changes after the call: the solver holds its own copy
    b = rng.standard_normal(a.shape[0])
    x = s.solve(b)
    assert np.isfinite(x).all() and backward_error(a, x, b) < 1e-12


def test_complex_newton_loop(rng):
    a = spax.read(shared_file("real/young1c.mtx"))
    s = spax.Solver("klu")
    s.factor(a)
    for k in range(1, 4):
        m = a.copy()
        m.data = m.data * (1.0 + 0.05j * k) + 0.01 * k
        s.refactor_values(m.data)
        b = rng.standard_normal(a.shape[0]) + 1j * rng.standard_normal(a.shape[0])
        for transpose in (False, True):
            x = s.solve(b, transpose=transpose)
            ref = sla.spsolve(m.conj().T.tocsc() if transpose else m, b)
            assert rel_diff(x, ref) < tolerance(m), (k, transpose)
    assert s.stats["matrices"] == 4
    with pytest.raises(spax.InputError, match="real values for a complex matrix"):
        s.refactor_values(a.data.real.copy())
