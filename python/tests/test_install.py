"""`cmake --install` puts the module into the prefix's site-packages; from there it imports,
finds libspax and, beside it, the plugins (cg+amg) without SPAX_PLUGIN_PATH. ctest sets
SPAX_BUILD_DIR, SPAX_PYTHON_INSTALL_DIR and CMAKE_COMMAND."""
import os
import pathlib
import subprocess
import sys

import pytest


def test_installed_module(tmp_path):
    build = os.environ.get("SPAX_BUILD_DIR")
    rel = os.environ.get("SPAX_PYTHON_INSTALL_DIR")
    cmake = os.environ.get("CMAKE_COMMAND", "cmake")
    if not build or not rel:
        pytest.skip("SPAX_BUILD_DIR / SPAX_PYTHON_INSTALL_DIR not set (run through ctest)")
    prefix = tmp_path / "prefix"
    subprocess.run([cmake, "--install", build, "--prefix", str(prefix)], check=True,
                   capture_output=True)
    site = pathlib.Path(rel) if os.path.isabs(rel) else prefix / rel
    modules = list(site.glob("spax.*.so"))
    assert modules, f"no module in {site}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SPAX_PLUGIN_PATH", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(site)
    code = r"""
import json, sys
import numpy as np, scipy.sparse as sp
import spax
t = sp.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(30, 30))
a = (sp.kron(t, sp.identity(30)) + sp.kron(sp.identity(30), t)).tocsc()
b = np.ones(a.shape[0])
out = {"module": spax.__file__, "plugins": spax.solvers()["plugins"]}
s = spax.Solver("klu"); s.factor(a)
out["klu"] = float(np.abs(b - a @ s.solve(b)).max())
try:
    g = spax.Solver("cg+amg")
except spax.UsageError as e:
    out["amg"] = str(e)
else:
    g.factor(a)
    out["amg"] = float(np.linalg.norm(b - a @ g.solve(b)) / np.linalg.norm(b))
print(json.dumps(out))
"""
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    import json
    out = json.loads(r.stdout)
    assert out["module"].startswith(str(site))
    assert out["klu"] < 1e-12
    if isinstance(out["amg"], str):
        assert "not built" in out["amg"], out["amg"]  # a build without hypre
    else:
        assert out["amg"] < 1e-7
        hypre = [p for p in out["plugins"] if p["path"].endswith("libspax-hypre.so")]
        assert hypre and hypre[0]["status"] == "loaded"
        assert hypre[0]["path"].startswith(str(prefix))  # beside the installed libspax
