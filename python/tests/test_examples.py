"""The examples under examples/python run, and their answers hold (checked here with scipy)."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import scipy.sparse as sp

from conftest import DATA, ROOT, shared_file

EXAMPLES = ROOT / "examples" / "python"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_newton_loop_solves_bratu():
    k, lam = 40, 6.0
    u = load("newton_loop").bratu(k, lam, "klu")
    h = 1.0 / (k + 1)
    t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(k, k))
    lap = sp.kron(t, sp.identity(k)) + sp.kron(sp.identity(k), t)
    assert np.abs(lap @ u - lam * h * h * np.exp(u)).max() < 1e-12
    assert 0.7 < u.max() < 0.9  # the lower branch at lambda = 6


def test_newton_loop_over_dumped_jacobians():
    files = [str(shared_file(f"synthetic/circuit5k_newton_000{k}.mtx")) for k in range(3)]
    r = subprocess.run([sys.executable, str(EXAMPLES / "newton_loop.py"), *files],
                       capture_output=True, text=True, env=os.environ)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("backward error") == 3


def test_vajax_analysis_writes_the_script_files(tmp_path):
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, str(EXAMPLES / "vajax_analysis.py"), str(DATA / "rajat19.mtx"),
                        "--orderings", "amd,metis", "--output-dir", str(out)],
                       capture_output=True, text=True, env=os.environ)
    assert r.returncode == 0, r.stderr
    assert "etree       height" in r.stdout
    for f in ("parallelism_analysis.json", "parallelism_summary.txt", "level_set_widths.csv",
              "etree_parent.npy"):
        assert (out / f).exists(), f
    with open(out / "parallelism_analysis.json") as f:
        d = json.load(f)
    assert d["matrix"]["size"] == 1157 and list(d["orderings"]) == ["amd", "metis"]
