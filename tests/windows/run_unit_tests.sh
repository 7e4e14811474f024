#!/usr/bin/env bash
# Runs the unit tests built for Windows with mingw-w64 and GoogleTest (the same sources as the Linux unit tests:
# tests/unit/host and tests/unit/card, whose CMakeLists.txt say which files are portable) under wine, in a
# private, throw-away wine prefix.
#   run_unit_tests.sh WINDOWS_BUILD_DIR|"" REASON_IF_NOT_BUILT
# Fails when a program fails, runs no test, ends without GoogleTest's summary, or skips a test (CI runs every test); prints
# how many tests ran. Exits 77 (skipped, with the reason) when wine or a program is missing; with CI set that is
# a failure instead, since CI installs everything.
set -euo pipefail
build_dir=${1:-}
not_built_reason=${2:-"the Windows unit tests were not built"}

host_tests="$build_dir/tests/unit/host/certbridge_host_unit_tests.exe"
card_tests="$build_dir/tests/unit/card/certbridge_card_unit_tests.exe"
not_a_module="$build_dir/tests/unit/card/certbridge_card_not_a_module.dll"

. "$(dirname "$0")/wine_suite.sh"
wine_suite_require "$not_built_reason" "$host_tests" "$card_tests" "$not_a_module"
wine_suite_start

# One folder for the programs and the DLL the card tests load by name from the current folder.
data="$work/data"
mkdir -p "$data"
cp "$host_tests" "$card_tests" "$not_a_module" "$data/"
cd "$data"
wine_suite_boot

total=0
run_program() {  # run_program NAME: counts a failed program in $failed, its tests in $total
  local status=0 output ran
  echo "--- $1"
  output=$(wine "$data/$1.exe" --gtest_color=no 2>&1 | tr -d '\r') || status=$?
  printf '%s\n' "$output" | grep -vE '^\[ +(RUN|OK) +\]' || true
  ran=$(printf '%s\n' "$output" | sed -nE 's/^\[==========\] ([0-9]+) tests? from .* ran\..*/\1/p' | tail -n1)
  if [ -z "$ran" ] || [ "$ran" -eq 0 ]; then
    echo "FAILED: $1.exe ran no tests or ended without GoogleTest's summary (exit status $status)"
    failed=$((failed + 1))
  elif [ "$status" -ne 0 ] || printf '%s\n' "$output" | grep -qE '^\[ +(FAILED|SKIPPED) +\]'; then
    echo "FAILED: $1.exe (exit status $status; a failed or skipped test is listed above)"
    failed=$((failed + 1))
  else
    passed=$((passed + 1))
  fi
  total=$((total + ${ran:-0}))
}
run_program certbridge_host_unit_tests
run_program certbridge_card_unit_tests
echo "windows.unit: $total tests in $((passed + failed)) programs under $(wine --version); $failed programs failed"
[ "$failed" -eq 0 ]
