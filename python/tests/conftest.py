"""Shared fixtures of the Python module's tests. ctest sets PYTHONPATH to the build's python/
folder, SPAX_BINARY to the spax program and SPAX_SHARED_DIR to ../shared beside the checkout."""
import os
import pathlib
import subprocess

import numpy as np
import pytest
import scipy.sparse as sp

# The plugins must be found the way an installed module finds them: beside libspax.
os.environ.pop("SPAX_PLUGIN_PATH", None)

import spax  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("SPAX_SHARED_DIR", ROOT.parent / "shared")) / "matrices"
DATA = ROOT / "data"


def shared_file(rel):
    """A file of ../shared/matrices, or the test is skipped when the collection is absent."""
    p = SHARED / rel
    if not p.exists():
        pytest.skip(f"shared matrix collection not found ({p})")
    return p


def spax_binary():
    b = os.environ.get("SPAX_BINARY")
    if not b or not os.path.exists(b):
        pytest.skip("the spax binary is not known (SPAX_BINARY)")
    return b


def run_spax(*args, **kw):
    env = dict(os.environ)
    env.pop("SPAX_PLUGIN_PATH", None)
    return subprocess.run([spax_binary(), *map(str, args)], capture_output=True, text=True,
                          env=env, **kw)


def laplacian_2d(m):
    """The 5-point Laplacian of an m x m grid (SPD), built with scipy."""
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(m, m))
    i = sp.identity(m)
    return (sp.kron(t, i) + sp.kron(i, t)).tocsc()


def backward_error(a, x, b):
    """||b - A x||_inf / (||A||_inf ||x||_inf + ||b||_inf), by the definition, with numpy."""
    r = b - a @ x
    anorm = abs(a).sum(axis=1).max()
    return np.abs(r).max() / (anorm * np.abs(x).max() + np.abs(b).max())


def cond1(a):
    """A 1-norm condition estimate computed by scipy alone (onenormest of A and of A^-1 by splu)."""
    import scipy.sparse.linalg as sla
    lu = sla.splu(sp.csc_matrix(a))
    inv = sla.LinearOperator(a.shape, matvec=lu.solve, rmatvec=lambda y: lu.solve(y, trans="H"),
                             dtype=a.dtype)
    return sla.onenormest(sp.csc_matrix(a)) * sla.onenormest(inv)


def tolerance(a):
    """How far two backward-stable solvers' answers may differ: about cond(A) * eps (with a
    margin for the estimate), at least 1e-11."""
    return max(1e-11, 100 * np.finfo(float).eps * cond1(a))


def rel_diff(x, y):
    return np.abs(x - y).max() / max(np.abs(y).max(), 1e-300)


@pytest.fixture
def rng():
    return np.random.default_rng(20)
