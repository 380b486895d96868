"""spax.read / write / fingerprint against scipy.io and the spax command line."""
import gzip
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

import spax
from conftest import DATA, run_spax, shared_file


def mmread(path):
    """scipy's reader (a gzip file opened for it), as a CSC array of float64 or complex128."""
    if str(path).endswith(".gz"):
        with gzip.open(path, "rb") as f:
            m = scipy.io.mmread(f)
    else:
        m = scipy.io.mmread(str(path))
    m = sp.csc_array(m)
    if m.dtype.kind != "c":
        m = m.astype(np.float64)
    return m


@pytest.mark.parametrize("rel", ["real/west0479.mtx", "real/young1c.mtx", "real/bcsstk13.mtx",
                                 "edge/hermitian.mtx", "edge/skew_fp64.mtx",
                                 "edge/franz6_integer_rect.mtx", "edge/rajat19.mtx.gz",
                                 "edge/duplicates_and_explicit_zeros.mtx", "real/rajat01.mtx"])
def test_read_matches_scipy(rel):
    path = shared_file(rel)
    a = spax.read(path)
    ref = mmread(path)
    assert isinstance(a, sp.csc_array)
    assert a.shape == ref.shape
    assert a.dtype == ref.dtype
    assert a.has_canonical_format
    ref.sum_duplicates()  # canonical: sorted indices, repeats summed; explicit zeros kept
    assert np.array_equal(a.indptr, ref.indptr)
    assert np.array_equal(a.indices, ref.indices)
    assert np.array_equal(a.data, ref.data, equal_nan=True)  # skew_fp64 holds inf
    # scipy's own routines take it (its indices are int32 when they fit, as scipy needs)
    assert a.indices.dtype == np.int32


def test_read_from_standard_input():
    path = shared_file("real/west0479.mtx")
    code = ("import spax, sys; a = spax.read('-'); "
            "print(a.shape[0], a.shape[1], a.nnz, repr(float(abs(a).sum())))")
    with open(path, "rb") as f:
        out = subprocess.run([sys.executable, "-c", code], stdin=f, capture_output=True,
                             text=True, check=True, env=os.environ).stdout.split()
    ref = mmread(path)
    assert [int(v) for v in out[:3]] == [ref.shape[0], ref.shape[1], ref.nnz]
    assert float(out[3]) == pytest.approx(float(abs(ref).sum()), rel=1e-15)


@pytest.mark.parametrize("dtype,field", [(np.float64, "real"), (np.complex128, "complex"),
                                         (np.int64, "integer"), (np.bool_, "pattern")])
def test_write_reads_back(tmp_path, rng, dtype, field):
    a = sp.random(40, 30, density=0.1, random_state=7, format="csr")
    if dtype == np.complex128:
        a = a + 1j * sp.random(40, 30, density=0.1, random_state=8, format="csr")
    elif dtype == np.int64:
        a.data = np.round(a.data * 100)
    a = a.astype(dtype)
    out = tmp_path / "a.mtx"
    spax.write(out, a, comment="written by the test")
    text = out.read_text()
    assert text.startswith(f"%%MatrixMarket matrix coordinate {field} general\n")
    assert "% written by the test" in text
    back = sp.csc_array(scipy.io.mmread(str(out)))
    assert back.shape == a.shape
    if dtype == np.bool_:
        assert (back != 0).nnz == a.nnz and abs((back != 0).astype(int) - a.astype(int)).max() == 0
    else:
        assert abs(back - a).max() == 0
    assert not list(tmp_path.glob("*.tmp*"))


def test_write_symmetric_checks_the_symmetry(tmp_path):
    s = sp.csc_array(np.array([[2.0, 1.0], [1.0, 3.0]]))
    spax.write(tmp_path / "s.mtx", s, symmetry="symmetric")
    assert abs(sp.csc_array(scipy.io.mmread(str(tmp_path / "s.mtx"))) - s).max() == 0
    u = sp.csc_array(np.array([[2.0, 1.0], [0.0, 3.0]]))
    with pytest.raises(spax.Error):
        spax.write(tmp_path / "u.mtx", u, symmetry="symmetric")
    with pytest.raises(spax.UsageError, match="expected general"):
        spax.write(tmp_path / "u.mtx", u, symmetry="upper")


@pytest.mark.parametrize("rel", ["real/west0479.mtx", "real/bcsstk13.mtx", "edge/rajat19.mtx.gz",
                                 "edge/duplicates_and_explicit_zeros.mtx",
                                 "edge/ash219_rect_pattern.mtx", "edge/r2_rect.mtx"])
def test_fingerprint_is_the_command_lines(rel):
    path = shared_file(rel)
    cli = run_spax("fingerprint", path)
    assert cli.returncode == 0, cli.stderr
    expected = cli.stdout.split()[0]
    assert spax.fingerprint(path) == expected
    assert spax.fingerprint(spax.read(path)) == expected
    if rel == "edge/r2_rect.mtx":
        return  # written 0-based: scipy.io cannot read it
    # The same pattern built by scipy, in other formats, orders and index types.
    ref = mmread(path)
    assert spax.fingerprint(ref) == expected
    assert spax.fingerprint(ref.tocsr()) == expected
    coo = sp.coo_array(ref)
    perm = np.random.default_rng(1).permutation(coo.nnz)
    shuffled = sp.coo_array((coo.data[perm], (coo.row[perm].astype(np.int64),
                                              coo.col[perm].astype(np.int64))), shape=coo.shape)
    assert spax.fingerprint(shuffled) == expected


def test_fingerprint_sees_explicit_zeros_and_ignores_values():
    a = sp.csc_array(np.array([[1.0, 0.0], [2.0, 3.0]]))
    b = a.copy()
    b.data *= 5.0
    assert spax.fingerprint(a) == spax.fingerprint(b)
    c = sp.coo_array((np.array([1.0, 2.0, 3.0, 0.0]), (np.array([0, 1, 1, 0]),
                                                        np.array([0, 0, 1, 1]))), shape=(2, 2))
    assert spax.fingerprint(c) != spax.fingerprint(a)
    # repeated entries are one position
    d = sp.coo_array((np.array([0.5, 0.5, 2.0, 3.0]), (np.array([0, 0, 1, 1]),
                                                        np.array([0, 0, 0, 1]))), shape=(2, 2))
    assert spax.fingerprint(d) == spax.fingerprint(a)


def test_bundled_matrices():
    for name in ("rajat19.mtx", "west0479.mtx"):
        a = spax.read(DATA / name)
        assert abs(a - mmread(DATA / name)).max() == 0
