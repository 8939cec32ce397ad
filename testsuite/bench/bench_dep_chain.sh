#!/usr/bin/env bash
# A chain of N trivial jobs, each afterok on the one before (hbatch -d afterok:PREV
# --wrap=true), on an idle herd-local cluster (4 nodes x 4 cpus). The first is submitted
# held, so the whole chain is queued before it runs; then it is released.
#   submit_s : the N submissions, one after the other (each checks its dependency)
#   chain_s  : release of the first -> the last shows COMPLETED (polled every POLL s)
#   link_s   : chain_s / N, what one link costs: an end, the dependent found through the
#              index, a scheduling pass, a launch and a run of `true`
# Compare link_s with bench_one_job.sh's done_med_s (one job submitted and run alone).
# Env: N=1000 POLL=0.2 TIMEOUT=1800
# Output: one line "dep_chain n= submit_s= chain_s= link_s= fail=", also appended to
#         RESULTS_DIR/dep_chain.tsv
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
N=${N:-1000}
POLL=${POLL:-0.2}
TIMEOUT=${TIMEOUT:-1800}

bench_up
clean_queue 120

fail=0
t0=$(now)
first=$($HBATCH --parsable -H -o /dev/null --wrap=true) || {
  log "hbatch failed"
  exit 1
}
prev=${first%%;*}
for ((i = 1; i < N; i++)); do
  if ! id=$($HBATCH --parsable -d "afterok:$prev" -o /dev/null --wrap=true 2>&1); then
    log "submission $i failed: $id"
    ((fail++))
    break
  fi
  prev=${id%%;*}
done
last=$prev
submit_s=$(elapsed "$t0")
log "$N jobs queued in ${submit_s}s; releasing $first, last is $last"

t1=$(now)
$HCONTROL release "$first" || exit 1
state=
while :; do
  state=$($HQUEUE -t all -h -j "$last" -o %T 2>/dev/null | tr -d '[:space:]')
  case $state in
    COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | "") break ;;
  esac
  if awk -v a="$t1" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN{exit !(b-a>t)}'; then
    state=TIMEOUT_WAITING
    break
  fi
  sleep "$POLL"
done
chain_s=$(elapsed "$t1")
[[ $state == COMPLETED ]] || {
  log "last job $last: $state"
  ((fail++))
}
link_s=$(awk -v c="$chain_s" -v n="$N" 'BEGIN{printf "%.4f", c/n}')
line="dep_chain n=$N submit_s=$submit_s chain_s=$chain_s link_s=$link_s fail=$fail"
echo "$line"
record dep_chain "$line"
