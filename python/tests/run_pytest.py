"""ctest's entry to the Python module's tests: runs pytest on the given files, or reports the
test skipped (exit 77, ctest's SKIP_RETURN_CODE) when this interpreter lacks pytest, numpy or
scipy (Debian: python3-pytest python3-numpy python3-scipy)."""
import importlib
import sys

missing = []
for name in ("pytest", "numpy", "scipy"):
    try:
        importlib.import_module(name)
    except ImportError:
        missing.append(name)
if missing:
    print(f"skipped: {sys.executable} lacks {', '.join(missing)} "
          "(Debian packages python3-pytest python3-numpy python3-scipy)")
    sys.exit(77)

import pytest  # noqa: E402

# -p no:cacheprovider: nothing written into the source tree.
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-rs", *sys.argv[1:]]))
