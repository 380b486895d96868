#!/usr/bin/env bash
# Installs what is missing, builds spax and runs every test via ctest.
#   scripts/test.sh              GCC release build with warnings as errors, in build-test/
#   scripts/test.sh --sanitize   clang build with AddressSanitizer + UndefinedBehaviorSanitizer
#                                (and libFuzzer coverage, so scripts/fuzz.sh reuses it), in
#                                build-asan/; every test runs instrumented
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
# python3-scipy is a test-only cross-check of the LU fill figures; the Python module's packages
# build it and run its tests.
spax_install_missing "${SPAX_PYTHON_PACKAGES[@]}" chromium

JOBS=${JOBS:-$(nproc)}
if [[ ${1:-} == --sanitize ]]; then
  spax_install_missing clang libclang-rt-dev
  BUILD_DIR=${BUILD_DIR_ASAN:-build-asan}
  # clang compiles the instrumented code about 3x faster than GCC does, which keeps CI short.
  # -O1 with line tables only: the sanitizers' usual setting, stack traces with file and line,
  # and about a third less compile and link time than -O2 -g (CI's budget is 2 cores).
  CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DSPAX_SANITIZE=ON -DSPAX_FUZZ=ON
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  # LeakSanitizer of clang 14 crashes scanning the thread-local storage of libraries loaded with
  # dlopen (the AMG plugin) under Debian 12's glibc ("Tracer caught signal 11", a bogus DTLS
  # range); without TLS roots the leak check itself still runs.
  export LSAN_OPTIONS=${LSAN_OPTIONS:-use_tls=0}
else
  BUILD_DIR=${BUILD_DIR:-build-test}
  # The module is built for, and tested with, Debian's python3, whose numpy, scipy and pytest
  # the packages above installed (another python3 first on PATH may lack them).
  python=()
  if [[ -x /usr/bin/python3 ]]; then python=(-DPython3_EXECUTABLE=/usr/bin/python3); fi
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSPAX_WERROR=ON "${python[@]}"
fi
cmake --build "$BUILD_DIR" -j"$JOBS"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$JOBS" --no-tests=error --timeout 900
