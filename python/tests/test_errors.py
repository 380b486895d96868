"""Malformed input raises spax's exceptions (never crashes the interpreter): bad files, wrong
shapes, NaN, wrong dtypes, non-square matrices, singular matrices, wrong calls."""
import numpy as np
import pytest
import scipy.sparse as sp

import spax
from conftest import DATA, SHARED, shared_file


def bad_files():
    expect = SHARED / "EXPECT.tsv"
    if not expect.exists():
        return []
    out = []
    for line in expect.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        rel, what = line.split("\t")[:2]
        if what == "error":
            out.append(rel)
    return out


@pytest.mark.parametrize("rel", bad_files() or ["bad/empty_file.mtx"])
def test_bad_files_raise_input_errors(rel):
    path = shared_file(rel)
    with pytest.raises(spax.InputError) as e:
        spax.read(path)
    assert e.value.exit_code == 2 and e.value.kind == "input"
    assert str(path) in str(e.value)  # names the file (and the line, where it applies)
    with pytest.raises(spax.InputError):
        spax.fingerprint(path)
    with pytest.raises(spax.InputError):
        spax.analyze(path, lu_fill=None)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(spax.InputError):
        spax.read(tmp_path / "absent.mtx")
    with pytest.raises(spax.InputError):
        spax.read(tmp_path)


def good():
    return sp.csc_array(np.array([[4.0, 1.0, 0.0], [1.0, 4.0, 1.0], [0.0, 1.0, 4.0]]))


def test_wrong_shapes():
    s = spax.Solver()
    with pytest.raises(spax.InputError, match="not square"):
        s.factor(sp.random(3, 4, density=0.9, random_state=0, format="csc"))
    s.factor(good())
    with pytest.raises(spax.InputError, match="4 rows, the matrix has 3"):
        s.solve(np.ones(4))
    with pytest.raises(spax.InputError, match="1-D or 2-D"):
        s.solve(np.ones((3, 1, 1)))
    with pytest.raises(spax.InputError, match="1-D or 2-D"):
        s.solve(np.float64(1.0))
    with pytest.raises(spax.InputError, match="1-D array"):
        s.refactor_values(np.ones((7, 1)))
    with pytest.raises(spax.InputError, match="6 values for a pattern of 7"):
        s.refactor_values(np.ones(6))
    x = s.solve(np.ones((3, 0)))  # no right-hand side at all
    assert x.shape == (3, 0)
    with pytest.raises(spax.InputError, match="not 2-D|expected"):
        s.factor(np.ones(3))


def test_nan_values():
    a = good()
    a.data[2] = np.nan
    s = spax.Solver()
    with pytest.raises(spax.InputError, match="non-finite value"):
        s.factor(a)
    s.factor(good())
    v = good().data.copy()
    v[4] = np.inf
    with pytest.raises(spax.InputError, match="inf at row"):
        s.refactor_values(v)
    with pytest.raises(spax.InputError, match="nan at row 2, column 1"):
        s.solve(np.array([1.0, np.nan, 1.0]))
    # the refused values did not replace the factored ones
    np.testing.assert_allclose(s.solve(good() @ np.ones(3)), np.ones(3), rtol=0, atol=1e-14)


def test_wrong_dtypes():
    s = spax.Solver()
    s.factor(good())
    with pytest.raises(spax.InputError, match="float64"):
        s.refactor_values(good().data.astype(np.float32))
    with pytest.raises(spax.InputError, match="numpy array"):
        s.refactor_values(list(good().data))
    with pytest.raises(spax.InputError, match="complex values for a real matrix"):
        s.refactor_values(good().data.astype(np.complex128))
    with pytest.raises(spax.InputError, match="expected numbers"):
        s.solve(np.array(["a", "b", "c"]))
    with pytest.raises(spax.InputError, match="expected numbers"):
        s.solve(np.array([object(), 1, 2], dtype=object))
    obj = sp.csc_array(good(), dtype=object)
    with pytest.raises(spax.InputError, match="dtype object"):
        s.factor(obj)
    z = spax.Solver()
    z.factor(good().astype(np.complex128))
    with pytest.raises(spax.InputError, match="float64 \\(or complex128\\)"):
        z.refactor_values(good().data.astype(np.complex64))
    with pytest.raises(spax.InputError, match="expected a scipy.sparse"):
        spax.Solver().factor([[1.0]])


def test_malformed_scipy_arrays():
    """Arrays scipy would refuse (changed after construction) are refused, not read past."""
    s = spax.Solver()
    a = good()
    a.indices[0] = 1_000_000
    with pytest.raises(spax.InputError, match="outside \\[0, 3\\)"):
        s.factor(a)
    a = good()
    a.indptr[1] = 9
    with pytest.raises(spax.InputError, match="index pointer"):
        s.factor(a)
    a = good()
    a.data = a.data[:3]
    with pytest.raises(spax.InputError, match="values"):
        s.factor(a)
    a = good()
    a.indptr = a.indptr[:-1]
    with pytest.raises(spax.InputError, match="index pointer has 3 entries"):
        s.factor(a)
    big = sp.coo_array((np.zeros(0), (np.zeros(0, np.int64), np.zeros(0, np.int64))),
                       shape=(2**40, 2**40))
    with pytest.raises(spax.InputError, match="2\\^31"):
        spax.fingerprint(big)
    neg = sp.coo_array((np.ones(1), (np.array([0]), np.array([0]))), shape=(2, 2))
    neg.row = np.array([-3])
    with pytest.raises(spax.InputError, match="row index -3"):
        s.factor(neg)
    f = sp.csc_array(good())
    f.indices = f.indices.astype(np.float64)
    with pytest.raises(spax.InputError, match="expected integers"):
        s.factor(f)


def test_singular_matrices_name_the_column():
    two = spax.read(shared_file("edge/two_singular.mtx"))
    s = spax.Solver()
    with pytest.raises(spax.NumericalError) as e:
        s.factor(two)
    assert e.value.exit_code == 3 and e.value.kind == "numerical"
    assert e.value.structural is True
    assert isinstance(e.value.column, int)
    assert e.value.structural_rank < two.shape[0]
    assert f"column {e.value.column + 1}" in str(e.value)
    # an empty column: the one column left unmatched (0-based 1)
    empty = sp.csc_array((np.array([1.0, 1.0, 1.0, 1.0, 2.0]), np.array([0, 2, 0, 1, 2]),
                          np.array([0, 2, 2, 5])), shape=(3, 3))
    with pytest.raises(spax.NumericalError) as e:
        spax.Solver("umfpack").factor(empty)
    assert e.value.structural is True and e.value.column == 1 and e.value.structural_rank == 2
    # [[1, 2], [2, 4]]: partial pivoting leaves U(2,2) = 4 - 2 * 2 / 1... exactly 0 at column 1
    num = sp.csc_array(np.array([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(spax.NumericalError) as e:
        spax.Solver("dense").factor(num)
    assert e.value.structural is False and e.value.column == 1
    assert e.value.structural_rank == 2
    with pytest.raises(spax.NumericalError) as e:
        spax.Solver("klu").factor(num)
    assert e.value.structural is False


def test_wrong_calls():
    with pytest.raises(spax.UsageError, match="known: klu"):
        spax.Solver("nosuch")
    with pytest.raises(spax.UsageError, match="its options: .*max_iter.*tol"):
        spax.Solver("gmres", bogus=1)
    with pytest.raises(spax.UsageError, match="does not take the ordering"):
        spax.Solver("klu", "rcm")
    s = spax.Solver()
    with pytest.raises(spax.UsageError, match="call factor first"):
        s.solve(np.ones(3))
    with pytest.raises(spax.UsageError, match="analyze or factor"):
        s.refactor_values(np.ones(3))
    with pytest.raises(spax.UsageError) as e:
        spax.Solver("klu", bogus="x")
    assert e.value.exit_code == 2 and isinstance(e.value, ValueError)
    with pytest.raises(spax.UsageError):
        spax.read(3.5)


def test_empty_matrix():
    s = spax.Solver()
    s.factor(sp.csc_array((0, 0)))
    assert s.solve(np.zeros(0)).shape == (0,)
    d = spax.analyze(shared_file("edge/empty_0x0.mtx"))
    assert d["matrix"]["nnz"] == 0
