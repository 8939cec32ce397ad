#!/usr/bin/env bash
# Scheduling policies on a workload trace: herd_sim's policy mode (the controller's own
# scheduler on the trace's arrivals and run times, machine pre-filled by the jobs before
# each window) for FCFS (sched/builtin), FCFS+EASY (sched/backfill) and herd's default
# priority/multifactor with EASY backfill (herd_sim --policy=multifactor-easy), on
# WINDOWS random windows of WINDOW jobs from SEED, then the whole trace.
#
# Published reference for lublin_256 (RLScheduler, SC'20, Table V, mean bounded slowdown):
# FCFS 7273.8, FCFS+EASY 235.8, a ratio of 30.8. Their windows and pre-fill differ from
# ours, so compare the ratio FCFS / FCFS+EASY, not the absolute figures.
# Env: SWF (default ../shared/workloads/lublin_256.swf beside the repository) WINDOW=1024
#      WINDOWS=10 SEED=1 HERD_BUILD (build directory, default <repo>/build)
# Output: each policy's table (herd_sim), then one line
#   "policies swf= window= windows= seed= fcfs_bsld= easy_bsld= ratio= fcfs_util= easy_util=
#    fcfs_max_wait= easy_max_wait= whole_fcfs_bsld= whole_easy_bsld= whole_ratio="
# and one for multifactor, its figures over FCFS+EASY's (the issue's target: bsld at
# most 0.31x, max wait at most 1.5x)
#   "multifactor mf_bsld= mf_over_easy= mf_max_wait= mf_wait_over_easy= whole_mf_bsld=
#    whole_mf_over_easy="
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HERD_BUILD=${HERD_BUILD:-$REPO/build}
SWF=${SWF:-$(cd "$REPO/.." && pwd)/shared/workloads/lublin_256.swf}
WINDOW=${WINDOW:-1024}
WINDOWS=${WINDOWS:-10}
SEED=${SEED:-1}
SIM=$HERD_BUILD/bin/herd_sim
[[ -x $SIM ]] || { echo "no $SIM: build the herd_sim target" >&2; exit 1; }
[[ -r $SWF ]] || { echo "no trace $SWF: set SWF=" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME POLICY ARGS...: the table to stdout and $tmp/NAME
run() {
  local name=$1 policy=$2
  shift 2
  "$SIM" --policy="$policy" --swf="$SWF" --seed="$SEED" "$@" 2>/dev/null | tee "$tmp/$name"
  echo
}
# field NAME COLUMN: a column of the "mean" row (4 util, 7 max_wait, 8 mean_bsld)
field() { awk -v c="$2" '$1 == "mean" { print $c }' "$tmp/$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
ratio2() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

run fcfs fcfs --window="$WINDOW" --windows="$WINDOWS"
run easy fcfs-easy --window="$WINDOW" --windows="$WINDOWS"
run mf multifactor-easy --window="$WINDOW" --windows="$WINDOWS"
run whole_fcfs fcfs
run whole_easy fcfs-easy
run whole_mf multifactor-easy

echo "policies swf=$(basename "$SWF") window=$WINDOW windows=$WINDOWS seed=$SEED" \
  "fcfs_bsld=$(field fcfs 8) easy_bsld=$(field easy 8)" \
  "ratio=$(ratio "$(field fcfs 8)" "$(field easy 8)")" \
  "fcfs_util=$(field fcfs 4) easy_util=$(field easy 4)" \
  "fcfs_max_wait=$(field fcfs 7) easy_max_wait=$(field easy 7)" \
  "whole_fcfs_bsld=$(field whole_fcfs 8) whole_easy_bsld=$(field whole_easy 8)" \
  "whole_ratio=$(ratio "$(field whole_fcfs 8)" "$(field whole_easy 8)")"
echo "multifactor mf_bsld=$(field mf 8) mf_over_easy=$(ratio2 "$(field mf 8)" "$(field easy 8)")" \
  "mf_max_wait=$(field mf 7) mf_wait_over_easy=$(ratio2 "$(field mf 7)" "$(field easy 7)")" \
  "whole_mf_bsld=$(field whole_mf 8)" \
  "whole_mf_over_easy=$(ratio2 "$(field whole_mf 8)" "$(field whole_easy 8)")"
