"""spax.Solver's answers against scipy.sparse.linalg (spsolve, splu), real and complex, plain and
transposed, one and several right-hand sides; every registered backend, plugins included."""
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla

import spax
from conftest import backward_error, laplacian_2d, rel_diff, shared_file, tolerance

def op(a, transpose):
    return a.conj().T.tocsc() if transpose else a


REAL = ["real/west0479.mtx", "real/rajat19.mtx", "real/adder_dcop_05.mtx", "real/bayer10.mtx",
        "real/impcol_a.mtx"]
COMPLEX = ["real/young1c.mtx", "real/w156.mtx", "real/arrowc.mtx"]


@pytest.mark.parametrize("rel", REAL + COMPLEX)
@pytest.mark.parametrize("transpose", [False, True])
def test_klu_against_spsolve(rel, transpose, rng):
    a = spax.read(shared_file(rel))
    n = a.shape[0]
    b = rng.standard_normal(n)
    if a.dtype.kind == "c":
        b = b + 1j * rng.standard_normal(n)
    s = spax.Solver("klu")
    s.factor(a)
    b_before = b.copy()
    x = s.solve(b, transpose=transpose)
    assert np.array_equal(b, b_before)  # b untouched
    assert x.shape == (n,) and x.dtype == np.result_type(a.dtype, b.dtype)
    ref = sla.spsolve(op(a, transpose), b)
    assert rel_diff(x, ref) < tolerance(a)
    assert backward_error(op(a, transpose), x, b) < 1e-13
    assert s.stats["backward_error"] < 1e-13


@pytest.mark.parametrize("rel", ["real/rajat19.mtx", "real/young1c.mtx"])
def test_several_right_hand_sides_against_splu(rel, rng):
    a = spax.read(shared_file(rel))
    n = a.shape[0]
    b = rng.standard_normal((n, 3))
    if a.dtype.kind == "c":
        b = b + 1j * rng.standard_normal((n, 3))
    lu = sla.splu(sp.csc_matrix(a))
    s = spax.Solver("klu")
    s.factor(a)
    for transpose, trans in ((False, "N"), (True, "H")):
        x = s.solve(b, transpose=transpose)
        assert x.shape == (n, 3)
        assert rel_diff(x, lu.solve(b, trans=trans)) < tolerance(a)
    # a C-ordered and a Fortran-ordered b give the same answer
    assert np.array_equal(s.solve(np.asfortranarray(b)), s.solve(np.ascontiguousarray(b)))


def test_complex_right_hand_side_on_a_real_matrix(rng):
    a = spax.read(shared_file("real/rajat19.mtx"))
    n = a.shape[0]
    b = rng.standard_normal((n, 2)) + 1j * rng.standard_normal((n, 2))
    s = spax.Solver("klu")
    s.factor(a)
    for transpose in (False, True):
        x = s.solve(b, transpose=transpose)
        assert x.dtype == np.complex128
        lu = sla.splu(sp.csc_matrix(a))  # real only: the two parts apart
        trans = "T" if transpose else "N"
        ref = lu.solve(b.real.copy(), trans=trans) + 1j * lu.solve(b.imag.copy(), trans=trans)
        assert rel_diff(x, ref) < tolerance(a)
    # integer and float32 right-hand sides are taken as float64
    x = s.solve(np.arange(n))
    assert rel_diff(x, sla.spsolve(a, np.arange(n, dtype=float))) < tolerance(a)


def test_spd_matrix_with_cholmod_and_orderings(rng):
    a = spax.read(shared_file("real/494_bus.mtx"))  # symmetric positive definite
    b = rng.standard_normal(a.shape[0])
    ref = sla.spsolve(a, b)
    tol = tolerance(a)
    for name, ordering in (("cholmod", "default"), ("cholmod", "metis"), ("klu", "colamd"),
                           ("umfpack", "amd"), ("superlu", "default")):
        s = spax.Solver(name, ordering)
        s.factor(a)
        assert rel_diff(s.solve(b), ref) < tol, (name, ordering)
        assert s.stats["solver"] == name


def test_given_ordering(rng):
    a = spax.read(shared_file("real/rajat19.mtx"))
    perm = rng.permutation(a.shape[0])
    s = spax.Solver("klu", permutation=perm)
    s.factor(a)
    assert s.stats["ordering"] == "given"
    b = rng.standard_normal(a.shape[0])
    assert rel_diff(s.solve(b), sla.spsolve(a, b)) < tolerance(a)


def backends():
    return [b for b in spax.solvers()["backends"] if b["available"]]


def test_solvers_lists_the_registry_like_the_command_line():
    from conftest import run_spax
    import json
    cli = run_spax("solvers", "--json")
    assert cli.returncode == 0, cli.stderr
    assert spax.solvers() == json.loads(cli.stdout)
    names = [b["name"] for b in spax.solvers()["backends"]]
    for name in ("klu", "umfpack", "cholmod", "superlu", "eigen-lu", "dense", "cg", "gmres"):
        assert name in names
    assert spax.solvers("klu")["backends"][0]["name"] == "klu"
    with pytest.raises(spax.UsageError, match="unknown solver"):
        spax.solvers("nosuch")


def test_every_available_backend_by_name(rng):
    """Each registered backend that can run here, on a system it claims to handle."""
    lap = laplacian_2d(24)  # SPD, n = 576: every backend's case
    b = rng.standard_normal(lap.shape[0])
    ref = sla.spsolve(lap, b)
    tried = []
    for info in backends():
        name = info["name"]
        s = spax.Solver(name)
        s.factor(lap)
        x = s.solve(b)
        tol = 1e-6 if info["kind"] == "iterative" else 1e-10
        assert rel_diff(x, ref) < tol, name
        if "transpose" in info["capabilities"]:
            assert rel_diff(s.solve(b, transpose=True), ref) < tol, name  # symmetric
        tried.append(name)
        if info["kind"] == "iterative":
            assert s.stats["iterative"]["iterations"] > 0
    assert {"klu", "umfpack", "cholmod", "superlu", "eigen-lu", "dense"} <= set(tried)


def test_complex_capable_backends(rng):
    a = spax.read(shared_file("real/young1c.mtx"))
    b = rng.standard_normal(a.shape[0]) + 1j * rng.standard_normal(a.shape[0])
    ref = sla.spsolve(a, b)
    count = 0
    for info in backends():
        if "complex" not in info["capabilities"] or info["kind"] != "direct":
            continue
        if "spd-only" in info["capabilities"]:
            continue
        s = spax.Solver(info["name"])
        s.factor(a)
        assert rel_diff(s.solve(b), ref) < tolerance(a), info["name"]
        if "transpose" in info["capabilities"]:
            assert rel_diff(s.solve(b, transpose=True), sla.spsolve(op(a, True), b)) < \
                tolerance(a), info["name"]
        count += 1
    assert count >= 3


def test_options_reach_the_backend(rng):
    a = laplacian_2d(20)
    b = rng.standard_normal(a.shape[0])
    s = spax.Solver("gmres", tol=1e-12, restart=50, max_iter=400, precond="jacobi")
    s.factor(a)
    x = s.solve(b)
    assert s.stats["iterative"]["relative_residual"] < 1e-12
    assert np.linalg.norm(b - a @ x) / np.linalg.norm(b) < 1e-11
    with pytest.raises(spax.NumericalError):
        t = spax.Solver("gmres", max_iter=2, precond="none")
        t.factor(a)
        t.solve(b)


def test_amg_plugin(rng):
    """cg+amg comes from the hypre plugin, found beside libspax (no SPAX_PLUGIN_PATH)."""
    try:
        s = spax.Solver("cg+amg")
    except spax.UsageError as e:
        if "not built" in str(e):
            pytest.skip(str(e))
        raise
    a = laplacian_2d(40)
    b = rng.standard_normal(a.shape[0])
    s.factor(a)
    x = s.solve(b)
    assert np.linalg.norm(b - a @ x) / np.linalg.norm(b) < 1e-7
    assert rel_diff(x, sla.spsolve(a, b)) < 1e-6
    plugins = [p for p in spax.solvers()["plugins"] if p["path"].endswith("libspax-hypre.so")]
    assert plugins and plugins[0]["status"] == "loaded"
    assert "preconditioner amg" in plugins[0]["registered"]


def test_auto_says_why(rng):
    a = spax.read(shared_file("real/rajat19.mtx"))
    s = spax.Solver("auto")
    s.factor(a)
    assert s.name != "auto" and s.stats["chosen_because"]
    b = rng.standard_normal(a.shape[0])
    assert rel_diff(s.solve(b), sla.spsolve(a, b)) < tolerance(a)


def test_input_formats_give_one_answer(rng):
    a = spax.read(shared_file("real/west0479.mtx"))
    b = rng.standard_normal(a.shape[0])
    answers = []
    for m in (a, a.tocsr(), a.tocoo(), sp.csc_matrix(a), sp.lil_matrix(a), sp.bsr_array(a),
              sp.csc_array((a.data, a.indices.astype(np.int64), a.indptr.astype(np.int64)),
                           shape=a.shape)):
        s = spax.Solver("klu")
        s.factor(m)
        answers.append(s.solve(b))
    for x in answers[1:]:
        assert np.array_equal(x, answers[0])
