"""spax.analyze returns the document `spax analyze --json` prints (the built binary is run here),
and writes files only when asked."""
import json
import os

import numpy as np
import pytest
import scipy.sparse as sp

import spax
from conftest import DATA, run_spax, shared_file

VOLATILE = {"timings", "seconds", "analysis_seconds", "klu_factor_seconds",
            "cholmod_factor_seconds"}


def without_timings(d):
    """The document without the wall-clock figures, which differ from run to run."""
    if isinstance(d, dict):
        return {k: without_timings(v) for k, v in d.items() if k not in VOLATILE}
    if isinstance(d, list):
        return [without_timings(v) for v in d]
    return d


def cli_json(tmp_path, *args):
    r = run_spax("analyze", *args, "--json", "--output-dir", tmp_path / "cli")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_same_document_as_the_command_line(tmp_path, monkeypatch):
    path = shared_file("real/west0479.mtx")
    c = cli_json(tmp_path, path)
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    d = spax.analyze(str(path))
    assert sorted(os.listdir(tmp_path)) == before  # nothing written (no spax-out/)
    assert set(d) == set(c)
    assert set(d["timings"]) == set(c["timings"])
    assert without_timings(d) == without_timings(c)
    # the VAJAX keys
    for key in ("matrix", "elimination_tree", "supernodes", "fill_in", "rcm_ordering"):
        assert key in d
    assert d["matrix"]["size"] == 479 and d["matrix"]["nnz"] == 1910


def test_options_and_samples_as_the_command_line(tmp_path):
    files = [shared_file(f"synthetic/circuit5k_newton_000{k}.mtx") for k in range(3)]
    c = cli_json(tmp_path, *files, "--orderings", "amd,metis", "--lu-fill", "klu",
                 "--name", "jac")
    d = spax.analyze(files[0], samples=files[1:], orderings=["amd", "metis"], lu_fill="klu",
                     name="jac")
    assert without_timings(d) == without_timings(c)
    assert d["pattern_stability"]["is_fixed"] is True
    assert d["pattern_stability"]["n_samples"] == 3
    assert list(d["orderings"]) == ["amd", "metis"]
    assert d["fill_in"]["orderings"] == {}  # no SuperLU entries with lu_fill="klu"
    assert set(d["fill_in"]["klu"]["orderings"]) == {"AMD", "COLAMD"}


def test_matrix_in_memory_equals_the_file(tmp_path):
    path = DATA / "rajat19.mtx"
    c = cli_json(tmp_path, path, "--orderings", "natural,amd,rcm", "--lu-fill", "none")
    a = spax.read(path)
    d = spax.analyze(a, orderings="natural,amd,rcm", lu_fill=None, name="rajat19")
    assert d["input"] == "<scipy.sparse._arrays.csc_array>"
    d["input"] = c["input"]
    assert without_timings(d) == without_timings(c)
    # a CSR or COO of the same matrix: the same analysis
    d2 = spax.analyze(a.tocoo(), orderings="natural,amd,rcm", lu_fill=None, name="rajat19")
    d2["input"] = c["input"]
    assert without_timings(d2) == without_timings(c)


def test_output_dir_writes_the_vajax_files(tmp_path):
    out = tmp_path / "out"
    d = spax.analyze(DATA / "west0479.mtx", orderings="amd", output_dir=out, html=True)
    names = set(os.listdir(out))
    for f in ("parallelism_analysis.json", "parallelism_summary.txt", "level_set_widths.csv",
              "etree_parent.npy", "perm_amd.npy", "report.html"):
        assert f in names, f
    with open(out / "parallelism_analysis.json") as f:
        assert json.load(f) == d  # the same result, timings included
    parent = np.load(out / "etree_parent.npy")
    assert parent.dtype == np.int64 and parent.shape == (479,)
    with open(out / "level_set_widths.csv") as f:
        assert f.readline() == "level,width\n"


def test_analyze_errors():
    a = spax.read(DATA / "west0479.mtx")
    with pytest.raises(spax.UsageError, match="unknown ordering 'bogus'"):
        spax.analyze(a, orderings="amd,bogus")
    with pytest.raises(spax.UsageError, match="lu_fill: unknown library 'foo'"):
        spax.analyze(a, lu_fill="foo")
    with pytest.raises(spax.UsageError, match="output_dir"):
        spax.analyze(a, html=True)
    with pytest.raises(spax.InputError):
        spax.analyze(DATA / "no-such-file.mtx")
    with pytest.raises(spax.InputError, match="expected a scipy.sparse"):
        spax.analyze(np.eye(3))
    rect = sp.random(5, 7, density=0.5, random_state=1, format="csc")
    d = spax.analyze(rect, lu_fill=None)
    assert d["matrix"]["shape"] == [5, 7]
    assert "rectangular" in d["notes"][0]
