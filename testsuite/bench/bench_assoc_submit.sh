#!/usr/bin/env bash
# Submission rate with AccountingStorageEnforce on and off, paired: ROUNDS rounds, each
# running bench_submit_drain.sh (HOLD=1: held jobs, pure submission cost) once on a
# cluster without enforcement and once on one with
# AccountingStorageEnforce=associations,limits,qos and MaxSubmitJobs set on root's
# association (so that every submission resolves its account and counts its limits),
# in alternating order. Prints each run and the medians of both.
# Env: N=500 P=4 ROUNDS=3
#      SLURM=1: also the Slurm anchor (ANCHOR_DIR, default /tmp/slurm-anchor, started
#      with ACCOUNTING=1 EXTRA_CONF="AccountingStorageEnforce=associations,limits,qos")
#      with sbatch -H, the same N and P, ROUNDS times.
# Measured (2 cores, load 9-10, N=300 P=4, 4 rounds): herd 119.5 jobs/s without, 115.6
# with enforcement (0.97, within the runs' spread of 105-135); Slurm 22.05 anchor with
# AccountingStorageEnforce=associations,limits,qos: 36 jobs/s (sbatch -H, same N and P).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
N=${N:-500}
P=${P:-4}
ROUNDS=${ROUNDS:-3}
ENFORCE="AccountingStorageEnforce=associations,limits,qos"

# run MODE: one bench_submit_drain.sh on a fresh cluster; prints its submit_jps.
run() {
  local mode=$1 dir=$BENCH_DIR-$1 line envlines
  local -a conf=()
  [[ $mode == on ]] && conf=("$ENFORCE")
  envlines=$(HERD_LOCAL_EXTRA_CONF="MinJobAge=2${conf[0]:+$'\n'${conf[0]}}" \
    "$HERD_LOCAL" up --dir "$dir" --nodes 4 --cpus 4 --mem 2000 --partition debug \
    ${HERD_BUILD:+--build "$HERD_BUILD"}) || {
    log "herd-local up failed"
    exit 1
  }
  (
    eval "$envlines"
    export HERD_CONF
    if [[ $mode == on ]]; then
      hacctmgr modify user where name=root account=root set MaxSubmitJobs=1000000 >/dev/null
    fi
    line=$(BENCH_REUSE=1 HOLD=1 N=$N P=$P TAG=enforce-$mode RESULTS_DIR=$RESULTS_DIR \
      "$HERE/bench_submit_drain.sh")
    echo "$line" >&2
    sed -E 's/.*submit_jps=([0-9.]+).*/\1/' <<<"$line"
  )
  "$HERD_LOCAL" down --dir "$dir" >/dev/null 2>&1 || true
}

mkdir -p "$RESULTS_DIR"
off=() on=()
for ((r = 0; r < ROUNDS; r++)); do
  if ((r % 2 == 0)); then
    off+=("$(run off)")
    on+=("$(run on)")
  else
    on+=("$(run on)")
    off+=("$(run off)")
  fi
done
off_med=$(printf '%s\n' "${off[@]}" | stats | cut -d' ' -f1)
on_med=$(printf '%s\n' "${on[@]}" | stats | cut -d' ' -f1)
line="herd n=$N p=$P rounds=$ROUNDS enforce_off_jps=$off_med enforce_on_jps=$on_med"
line+=" ratio=$(awk -v a="$on_med" -v b="$off_med" 'BEGIN{printf "%.3f", a/b}')"
echo "$line"
record assoc_submit "$line"

if [[ ${SLURM:-0} == 1 ]]; then
  ANCHOR_DIR=${ANCHOR_DIR:-/tmp/slurm-anchor}
  # shellcheck source=/dev/null
  source "$ANCHOR_DIR/env.sh" || exit 1
  slurm=()
  for ((r = 0; r < ROUNDS; r++)); do
    l=$(BENCH_REUSE=1 HERD_CONF=$SLURM_CONF HBATCH=sbatch HQUEUE=squeue HCANCEL=scancel \
      HOLD=1 N=$N P=$P TAG=slurm-enforce RESULTS_DIR=$RESULTS_DIR "$HERE/bench_submit_drain.sh")
    echo "$l" >&2
    slurm+=("$(sed -E 's/.*submit_jps=([0-9.]+).*/\1/' <<<"$l")")
  done
  line="slurm n=$N p=$P rounds=$ROUNDS enforce_on_jps=$(printf '%s\n' "${slurm[@]}" | stats | cut -d' ' -f1)"
  echo "$line"
  record assoc_submit "$line"
fi
