#!/usr/bin/env bash
# Runs every test suite: unit (GoogleTest, node), integration (real host binary against the virtual test
# bed), browser end-to-end (Chromium and Firefox ESR with the real extension and host); then, in the asan
# preset (clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer), each fuzzer for a bounded time
# (CERTBRIDGE_FUZZ_SECONDS, default 20; its figures are printed) and the C++ unit and integration suites again.
# Usage: bash tests/run-tests.sh [extra ctest arguments, e.g. -L unit]
# CERTBRIDGE_SANITIZER_SUITES=0 leaves the asan preset out (it builds the project a second time).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-dependencies.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
if [ "${CERTBRIDGE_SANITIZER_SUITES:-1}" = "0" ]; then
  # ctest's closing line ("100% tests passed, 0 tests failed out of N") is the summary.
  ctest --preset ci "$@"
  exit 0
fi
ctest --preset ci "$@"
cmake --preset asan
cmake --build --preset asan -j "$(nproc)"
ctest --preset asan -L fuzz
cat build/asan/tests/fuzz/work/*/figure.txt
# The last line is again ctest's summary, now of the sanitizer run.
ctest --preset asan -LE fuzz "$@"
