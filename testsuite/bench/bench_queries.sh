#!/usr/bin/env bash
# Many concurrent full queries: NJOBS held jobs, then C concurrent `hqueue` listing all of
# them (each prints one line per job), while the controller's resident memory is sampled.
# Reports the controller's peak RSS during the queries, how many queries answered with
# every job, how many failed, and the time until all had finished.
# Env: NJOBS=20000 C=200 P=4 (parallel submitters)
#      CTLD_PID  controller pid (default: herd-local pid ctl1)
#      HBATCH/HQUEUE as in lib.sh. Against Slurm (the anchor's cluster up, its env.sh
#      sourced): HBATCH=sbatch HQUEUE=squeue BENCH_REUSE=1 HERD_CONF=x CTLD_PID=<slurmctld>.
# Measured on the 2-core dev machine (load 11-18), 20,000 held jobs, 200 concurrent full
# queries (doc/queries.md has the conditions): herd before paging 0 of 200 answered, RSS
# 17 -> 187 MB; after 200 of 200 in 102 s, RSS 15 -> 30 MB; Slurm 22.05 (the anchor's
# cluster) 0 of 200 (squeue timed out), RSS 107 -> 1,222 MB; 10 concurrent: 10 of 10.
# CLEAN=0 keeps the jobs for another run (KEEP_UP=1 keeps the cluster).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
NJOBS=${NJOBS:-20000}
C=${C:-200}
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

tmp=$(mktemp -d)
have=$($HQUEUE -h -t PD -o %i 2>/dev/null | wc -l)
if ((have < NJOBS)); then
  log "submitting $((NJOBS - have)) held jobs ($P in parallel)"
  t0=$(now)
  per=$(((NJOBS - have) / P))
  rem=$(((NJOBS - have) % P))
  for ((s = 0; s < P; s++)); do
    c=$per
    ((s < rem)) && ((c++))
    (
      for ((i = 0; i < c; i++)); do
        $HBATCH -H --wrap=true -o /dev/null >/dev/null 2>>"$tmp/suberr" || true
      done
    ) &
  done
  wait
  log "submitted in $(elapsed "$t0") s"
fi
sleep 2
pending=$($HQUEUE -h -t PD -o %i | wc -l)
log "$pending pending jobs"
before_kb=$(rss_kb "$CTLD_PID")

# Peak RSS while the queries run: sampled, and the kernel's high-water mark reset first.
echo 5 >"/proc/$CTLD_PID/clear_refs" 2>/dev/null || true
(
  peak=0
  while [[ ! -e $tmp/stop ]]; do
    r=$(rss_kb "$CTLD_PID" 2>/dev/null || echo 0)
    ((r > peak)) && peak=$r
    sleep 0.05
  done
  echo "$peak" >"$tmp/peak"
) &
sampler=$!

log "$C concurrent full queries"
t0=$(now)
for ((q = 0; q < C; q++)); do
  (
    if out=$($HQUEUE -h -t PD -o %i 2>"$tmp/err.$q"); then
      echo "$out" | grep -c . >"$tmp/n.$q"
    else
      echo fail >"$tmp/n.$q"
    fi
  ) &
done
wait_pids=$(jobs -p | grep -vx "$sampler")
# shellcheck disable=SC2086  # one pid per word
wait $wait_pids 2>/dev/null
all_s=$(elapsed "$t0")
touch "$tmp/stop"
wait "$sampler"
peak_kb=$(cat "$tmp/peak")
hwm_kb=$(awk '/^VmHWM:/{print $2}' "/proc/$CTLD_PID/status")
after_kb=$(rss_kb "$CTLD_PID")
complete=0
partial=0
failed=0
for ((q = 0; q < C; q++)); do
  n=$(cat "$tmp/n.$q" 2>/dev/null || echo fail)
  if [[ $n == "$pending" ]]; then
    complete=$((complete + 1))
  elif [[ $n == fail ]]; then
    failed=$((failed + 1))
  else
    partial=$((partial + 1))
  fi
done
if ((failed > 0)); then
  log "query errors:"
  cat "$tmp"/err.* | sort | uniq -c | sort -rn | head -3 >&2
fi
rm -rf "$tmp"

line="njobs=$pending concurrent=$C complete=$complete partial=$partial failed=$failed all_s=$all_s"
line+=" rss_before_kb=$before_kb rss_peak_kb=$peak_kb hwm_kb=$hwm_kb rss_after_kb=$after_kb"
echo "$line"
record queries "$line"
if [[ ${CLEAN:-1} == 1 ]]; then
  t2=$(now)
  clean_queue 900
  log "hcancel of $pending held jobs took $(elapsed "$t2") s"
fi
