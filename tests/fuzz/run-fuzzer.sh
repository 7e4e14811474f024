#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time, from its checked-in seeds, and prints the figure CI keeps
# (also in <work dir>/figure.txt, which tests/run-tests.sh prints):
#   fuzz <name>: <execs> execs in <s> s, <edges> edges, <features> features, crashes 0
# Usage: run-fuzzer.sh <fuzzer binary> <name> <source dir of tests/fuzz> <work dir>
# CERTBRIDGE_FUZZ_SECONDS (default 20) sets the time per target; CERTBRIDGE_FUZZ_JOBS (default 1) runs that
# many fuzzing processes at once. A crash, leak, sanitizer report or timeout fails (libFuzzer's exit code)
# and leaves the input that caused it in <work dir>/artifacts.
set -euo pipefail
binary=$1 name=$2 source=$3 work=$4
seconds=${CERTBRIDGE_FUZZ_SECONDS:-20}
jobs=${CERTBRIDGE_FUZZ_JOBS:-1}
corpus="$work/corpus"
# Artifacts are this run's findings only; the corpus grows from run to run.
rm -rf "$work/artifacts"
mkdir -p "$corpus" "$work/artifacts"
dictionary=()
[ -f "$source/$name.dict" ] && dictionary=("-dict=$source/$name.dict")
log="$work/fuzz.log"
# A finding's sanitizer report belongs in this log, not in the preset's report folder (log_path).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=stderr"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=stderr"
status=0
# The corpus grows in the work dir (build tree); the seeds in the source tree stay as checked in.
"$binary" "$corpus" "$source/corpus/$name" "${dictionary[@]}" -max_total_time="$seconds" -timeout=10 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  ${jobs:+$( [ "$jobs" -gt 1 ] && echo "-fork=$jobs" )} >"$log" 2>&1 || status=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
done_line=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$log" | tail -1 || true)
edges=$(echo "$done_line" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || true)
features=$(echo "$done_line" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || true)
crashes=$(ls "$work/artifacts" | wc -l)
figure="fuzz $name: ${execs:-?} execs in $seconds s, ${edges:-?} edges, ${features:-?} features, crashes $crashes"
echo "$figure" | tee "$work/figure.txt"
if [ "$status" -ne 0 ]; then
  tail -60 "$log"
  echo "fuzz $name: FAILED (exit $status); reproduce with: $binary $work/artifacts/<file>"
fi
exit "$status"
