#!/usr/bin/env bash
# (a) submit throughput and (b) drain throughput, one run, on a herd-local cluster of
# 4 nodes x 4 cpus.
#   N jobs `hbatch --wrap=true -o /dev/null`, by P parallel submitters.
#   submit_s: first submission -> last hbatch returned
#   drain_s : first submission -> hqueue shows no job any more (polled)
# Env: N=1000 P=1 POLL=0.25 DRAIN_TIMEOUT=1800 HOLD=0 (1: submit with -H,
#      i.e. pure submission cost with nothing running; drain is skipped)
# Output: one line "mode=... n= p= submit_s= submit_jps= drain_s= drain_jps= fail="
#         also appended to RESULTS_DIR/submit_drain.tsv
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

N=${N:-1000}
P=${P:-1}
POLL=${POLL:-0.25}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-1800}
HOLD=${HOLD:-0}
extra=()
[[ $HOLD == 1 ]] && extra=(-H)

bench_up
clean_queue 300

tmp=$(mktemp -d)
submitter() { # id count
  local fail=0 i
  for ((i = 0; i < $2; i++)); do
    $HBATCH "${extra[@]}" --wrap=true -o /dev/null >/dev/null 2>>"$tmp/err.$1" || ((fail++))
  done
  echo "$fail" >"$tmp/fail.$1"
}

t0=$(now)
if ((P == 1)); then
  submitter 0 "$N"
else
  per=$((N / P))
  rem=$((N % P))
  for ((s = 0; s < P; s++)); do
    c=$per
    ((s < rem)) && ((c++))
    submitter "$s" "$c" &
  done
  wait
fi
t_sub=$(now)
fail=$(cat "$tmp"/fail.* | awk '{s+=$1} END{print s+0}')
if cat "$tmp"/err.* 2>/dev/null | grep -q .; then
  log "hbatch errors (first 3):"
  cat "$tmp"/err.* | head -3 >&2
fi
rm -rf "$tmp"

submit_s=$(elapsed "$t0" "$t_sub")
submit_jps=$(awk -v n="$N" -v f="$fail" -v s="$submit_s" 'BEGIN{printf "%.1f", (n-f)/s}')

if [[ $HOLD == 1 ]]; then
  drain_s=NA
  drain_jps=NA
  clean_queue 300
  mode=held
else
  if wait_queue_empty "$DRAIN_TIMEOUT" "$POLL"; then
    drain_s=$(elapsed "$t0")
    drain_jps=$(awk -v n="$N" -v f="$fail" -v s="$drain_s" 'BEGIN{printf "%.1f", (n-f)/s}')
  else
    drain_s=TIMEOUT
    drain_jps=NA
    clean_queue 300
  fi
  mode=run
fi
line="mode=$mode${TAG:+ config=$TAG} n=$N p=$P submit_s=$submit_s submit_jps=$submit_jps drain_s=$drain_s drain_jps=$drain_jps fail=$fail"
echo "$line"
record submit_drain "$line"
