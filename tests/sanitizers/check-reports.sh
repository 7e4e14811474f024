#!/usr/bin/env bash
# Prints every sanitizer report the suites' processes wrote (ASAN_OPTIONS / UBSAN_OPTIONS log_path in the
# asan test preset) and fails when there is one; then empties the folder for the next run.
# Usage: check-reports.sh <report folder>
set -euo pipefail
folder=$1
mkdir -p "$folder"
shopt -s nullglob
reports=("$folder"/*)
for report in "${reports[@]}"; do
  echo "=== $report"
  cat "$report"
done
rm -f "${reports[@]}"
echo "sanitizer reports: ${#reports[@]}"
[ ${#reports[@]} -eq 0 ]
