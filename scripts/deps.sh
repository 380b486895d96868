#!/usr/bin/env bash
# Installs the Debian packages spax needs, only those that are missing. Sourced by quickstart.sh
# and test.sh. Set SPAX_EXTRA_PACKAGES for more (e.g. the test-only python3-scipy).
set -euo pipefail

SPAX_PACKAGES=(build-essential cmake ninja-build pkg-config
  libsuitesparse-dev libmetis-dev libsuperlu-dev libeigen3-dev libcli11-dev nlohmann-json3-dev
  libopenblas-dev liblapack-dev zlib1g-dev libbz2-dev libgtest-dev libhypre-dev libmumps-dev)
# The Python module (built when pybind11 and the Python headers are found) and what its tests
# run on (numpy, scipy, pytest). The default build does not need them: pass them to
# spax_install_missing where the module is wanted (test.sh does).
SPAX_PYTHON_PACKAGES=(pybind11-dev python3-dev python3-pytest python3-numpy python3-scipy)

spax_install_missing() {
  local wanted=("${SPAX_PACKAGES[@]}" "$@")
  local missing=()
  for p in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "spax: installing missing packages: ${missing[*]}" >&2
  local sudo=""
  if [[ $(id -u) != 0 ]]; then
    if command -v sudo >/dev/null; then
      sudo="sudo"
    else
      echo "spax: need root (or sudo) to install: ${missing[*]}" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
