#!/usr/bin/env bash
# A job array of NTASKS tasks (default 100,000): the time of its one submission and the
# controller's RSS before and after (the tasks held, so none starts), then, with
# DRAIN=N > 0, the time to run an array of N trivial tasks to the end.
# Env: NTASKS=100000 DRAIN=0
#      SLURM=1: the same against the Slurm anchor (ANCHOR_DIR, default
#      /tmp/slurm-anchor; started with EXTRA_CONF="MaxArraySize=NTASKS+1" and a
#      MaxJobCount above NTASKS, which slurmctld also applies to an array): sbatch,
#      squeue, scancel and slurmctld's RSS.
# Targets (issue #11): submission under 100 ms, under 1 MB of controller memory until
# tasks start. Measured (load 10-12): herd 56 ms, +24 KB RSS; Slurm 22.05 anchor 100 ms,
# +1,192 KB.
# DRAIN=1000 NTASKS=1000 (4 nodes of 4 cpus, as many tasks started per pass as fit; load
# about 3): herd 3.96 s (252 tasks/s), Slurm 22.05 anchor 90.4 s (11.1 tasks/s).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
NTASKS=${NTASKS:-100000}
DRAIN=${DRAIN:-0}

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }

if [[ ${SLURM:-0} == 1 ]]; then
  ANCHOR_DIR=${ANCHOR_DIR:-/tmp/slurm-anchor}
  # shellcheck source=/dev/null
  source "$ANCHOR_DIR/env.sh" || exit 1
  HBATCH=sbatch HQUEUE=squeue HCANCEL=scancel
  mkdir -p "$RESULTS_DIR"
  CTLD_PID=$(pgrep -o -f "slurmctld.*$ANCHOR_DIR/")
  who=slurm
else
  BENCH_EXTRA_CONF="MaxArraySize=$((NTASKS > DRAIN ? NTASKS + 1 : DRAIN + 1))${BENCH_EXTRA_CONF:+$'\n'$BENCH_EXTRA_CONF}"
  bench_up
  CTLD_PID=$("$HERD_LOCAL" pid ctl1 --dir "$(dirname "$HERD_CONF")")
  who=herd
fi
[[ -n ${CTLD_PID:-} ]] || {
  echo "no controller pid" >&2
  exit 1
}

clean_queue 300
sleep 2
idle=$(rss_kb "$CTLD_PID")
t0=$(now)
id=$($HBATCH --parsable -H -a "0-$((NTASKS - 1))" -o /dev/null --wrap true) || exit 1
submit_s=$(elapsed "$t0")
sleep 2
loaded=$(rss_kb "$CTLD_PID")
t1=$(now)
shown=$($HQUEUE -h -j "${id%%;*}" -o %i)
squeue_s=$(elapsed "$t1")
line="who=$who ntasks=$NTASKS submit_ms=$(awk -v s="$submit_s" 'BEGIN{printf "%.1f", s*1000}') rss_idle_kb=$idle rss_loaded_kb=$loaded delta_kb=$((loaded - idle)) squeue_ms=$(awk -v s="$squeue_s" 'BEGIN{printf "%.1f", s*1000}') shown=$shown"
$HCANCEL "${id%%;*}"
wait_queue_empty 120 0.5 || log "WARNING: queue not empty after the cancel"

if ((DRAIN > 0)); then
  t2=$(now)
  $HBATCH --parsable -a "0-$((DRAIN - 1))" -o /dev/null --wrap true >/dev/null || exit 1
  wait_queue_empty 3600 0.5 || log "WARNING: the array did not drain"
  drain_s=$(elapsed "$t2")
  line="$line drain_tasks=$DRAIN drain_s=$drain_s drain_tps=$(awk -v n="$DRAIN" -v s="$drain_s" 'BEGIN{printf "%.1f", n/s}')"
fi
echo "$line"
record array "$line"
