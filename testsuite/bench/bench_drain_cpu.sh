#!/usr/bin/env bash
# CPU cost of a submit+drain run (wraps bench_submit_drain.sh, same env: N, P), the shape
# of the Slurm anchor's bench_drain_cpu.sh. Reports machine-wide busy CPU seconds (from
# /proc/stat, so other load on the host is included: use on a quiet machine) and the CPU
# seconds of the controller and node daemons (herd-local's pids, or DAEMON_PIDS="pid ...").
# Step daemons and job processes come and go, so they only show in the machine-wide figure.
# Slurm on this machine (slurm-anchor/RESULTS.md): 35 ms of CPU per job with its default
# scheduler, 28.5 ms with batch_sched_delay=0; slurmctld + slurmd 6.0 ms of that.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
N=${N:-1000}

bench_up
if [[ -z ${DAEMON_PIDS:-} ]]; then
  for d in ctl1 n1 n2 n3 n4; do
    DAEMON_PIDS+=" $("$HERD_LOCAL" pid "$d" --dir "$BENCH_DIR" 2>/dev/null)"
  done
fi
TCK=$(getconf CLK_TCK)
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; } # user nice system irq softirq
ptime() {
  local s=0 p
  for p in $DAEMON_PIDS; do
    [[ -r /proc/$p/stat ]] && s=$((s + $(awk '{print $14+$15}' "/proc/$p/stat")))
  done
  echo $s
}

b0=$(busy)
d0=$(ptime)
out=$(N=$N BENCH_REUSE=1 "$HERE/bench_submit_drain.sh")
b1=$(busy)
d1=$(ptime)
echo "$out"
per() { awk -v a="$1" -v b="$2" -v t="$TCK" -v n="$3" 'BEGIN{printf "%.1f",(b-a)/t*1000/n}'; }
line="n=$N p=${P:-1} busy_cpu_s=$(per "$b0" "$b1" 1000) daemons_cpu_s=$(per "$d0" "$d1" 1000)"
line+=" busy_ms_per_job=$(per "$b0" "$b1" "$N") daemons_ms_per_job=$(per "$d0" "$d1" "$N")"
line+=" $(grep -o 'drain_s=[^ ]*' <<<"$out")"
echo "$line"
record drain_cpu "$line"
