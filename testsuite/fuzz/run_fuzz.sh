#!/usr/bin/env bash
# herd fuzz — one run of one fuzz target, and its summary line.
#   run_fuzz.sh BINARY SEED_DIR WORK_DIR SECONDS [libFuzzer options...]
# The seeds are read, never written: new inputs go to WORK_DIR/corpus, a crashing input to
# WORK_DIR/crash-*, the fuzzer's output to WORK_DIR/log, and the summary ("fuzz_X: S s,
# N executions, E exec/s, corpus C, crashes K") to stdout and WORK_DIR/summary. Exit status
# non-zero when the target crashed, leaked, hung or a sanitizer reported anything.
set -uo pipefail

if (($# < 4)); then
  echo "usage: run_fuzz.sh BINARY SEED_DIR WORK_DIR SECONDS [libFuzzer options...]" >&2
  exit 2
fi
bin=$1 seeds=$2 work=$3 seconds=$4
shift 4
name=$(basename "$bin")

mkdir -p "$work/corpus"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* "$work/summary"
start=$(date +%s)
# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a decoder must not balloon.
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$@" "$work/corpus" "$seeds" >"$work/log" 2>&1
rc=$?
elapsed=$(($(date +%s) - start))

stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -n 1; }
execs=$(stat number_of_executed_units)
rate=$(stat average_exec_per_sec)
corpus=$(find "$work/corpus" "$seeds" -type f | wc -l)
crashes=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
  -o -name 'oom-*' \) | wc -l)
if ((rc != 0 && crashes == 0)); then
  crashes=1 # the fuzzer stopped on something it saved nowhere (a sanitizer report)
fi
line="$name: ${elapsed} s, ${execs:-0} executions, ${rate:-0} exec/s, corpus $corpus, crashes $crashes"
echo "$line" | tee "$work/summary"
if ((rc != 0)); then
  echo "--- $work/log (last 60 lines) ---"
  tail -n 60 "$work/log"
  find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) -printf 'saved input: %p\n'
fi
exit "$rc"
