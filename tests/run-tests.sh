#!/usr/bin/env bash
# Runs every test suite: unit (GoogleTest, node), integration (real host binary against the virtual test
# bed), browser end-to-end (Chromium and Firefox ESR with the real extension and host).
# Usage: bash tests/run-tests.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/install-dependencies.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
# ctest's closing line ("100% tests passed, 0 tests failed out of N") is the summary.
ctest --preset ci "$@"
