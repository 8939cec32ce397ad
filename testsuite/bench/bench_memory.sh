#!/usr/bin/env bash
# (f) controller memory: VmRSS of herdctld when idle, then with NJOBS held (pending)
# jobs, submitted by P parallel `hbatch -H --wrap=true`, on a fresh herd-local cluster
# (4 nodes x 4 cpus) so the "idle" figure means something.
# Env: NJOBS=10000 P=4
#      CTLD_PID  controller pid (default: herd-local pid ctl1)
# Also reports RSS of the controller's direct children separately (herd has none).
# Target (issue #2): per_job_bytes < 1024. Measured on the 2-core dev machine: 1,548-1,732
# before compact job records and herdctld's malloc settings, about 430 after, 480 with
# submission tokens, 533 with the index of the job blob segments, 555 with the token of the
# last cancel/hold/release; Slurm 4.9 KB.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
NJOBS=${NJOBS:-10000}
P=${P:-4}

bench_up
if [[ -z ${CTLD_PID:-} ]]; then
  CTLD_PID=$("$HERD_LOCAL" pid ctl1 --dir "$(dirname "$HERD_CONF")") || true
fi
[[ -n ${CTLD_PID:-} ]] || {
  echo "set CTLD_PID" >&2
  exit 1
}

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
kids_rss_kb() {
  local s=0 c
  for c in $(pgrep -P "$1"); do s=$((s + $(rss_kb "$c"))); done
  echo $s
}

clean_queue 300
sleep 2
idle=$(rss_kb "$CTLD_PID")
idle_kids=$(kids_rss_kb "$CTLD_PID")

tmp=$(mktemp -d)
t0=$(now)
per=$((NJOBS / P))
rem=$((NJOBS % P))
for ((s = 0; s < P; s++)); do
  c=$per
  ((s < rem)) && ((c++))
  (
    f=0
    for ((i = 0; i < c; i++)); do $HBATCH -H --wrap=true -o /dev/null >/dev/null 2>>"$tmp/err" || ((f++)); done
    echo $f >"$tmp/f.$s"
  ) &
done
wait
sub_s=$(elapsed "$t0")
fail=$(cat "$tmp"/f.* | awk '{s+=$1} END{print s+0}')
[[ -s $tmp/err ]] && {
  log "hbatch errors:"
  sort "$tmp/err" | uniq -c | head -3 >&2
}
rm -rf "$tmp"
sleep 3
pending=$($HQUEUE -h -t PD -o %i | wc -l)
loaded=$(rss_kb "$CTLD_PID")
loaded_kids=$(kids_rss_kb "$CTLD_PID")
# cost of listing all of them once
t1=$(now)
$HQUEUE -h >/dev/null
squeue_all_s=$(elapsed "$t1")

line="njobs=$NJOBS pending_seen=$pending fail=$fail submit_s=$sub_s submit_jps=$(awk -v n=$((NJOBS - fail)) -v s="$sub_s" 'BEGIN{printf "%.1f", n/s}') rss_idle_kb=$idle rss_loaded_kb=$loaded delta_kb=$((loaded - idle)) per_job_bytes=$(awk -v d=$((loaded - idle)) -v n="$pending" 'BEGIN{if(n>0) printf "%.0f", d*1024/n; else print "NA"}') children_rss_idle_kb=$idle_kids children_rss_loaded_kb=$loaded_kids squeue_all_s=$squeue_all_s"
echo "$line"
record memory "$line"

t2=$(now)
clean_queue 600
log "hcancel of $pending held jobs took $(elapsed "$t2") s"
