#!/usr/bin/env bash
# (c) interactive launch latency, as the Slurm anchor's bench_srun_latency.sh: wall time of
#     hrun -N1 -n1 true
#     hrun -N2 -n4 hostname
# (standalone: each allocates its nodes, runs the step and releases them), plus the batch
# turnaround of one `hbatch --wrap=true -o /dev/null` (hbatch call -> job gone from
# hqueue, polled every 20 ms), plus (herd only) back-to-back steps inside one allocation:
#     halloc -N2 -n4 running `hrun hostname` REPS times (wall time of each hrun)
# REPS (default 10) runs each, on an empty queue of a fresh 4 x 4 herd-local cluster;
# prints median/min/max. Output lines also appended to RESULTS_DIR/hrun_latency.tsv
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
REPS=${REPS:-10}
HRUN=${HRUN:-hrun}
HALLOC=${HALLOC:-halloc}

bench_up
clean_queue 120
ERR=$RESULTS_DIR/hrun_latency.err

one() { # args...
  local fails=0 times=() i t0 med mn mx n line
  for ((i = 0; i < REPS; i++)); do
    t0=$(now)
    if $HRUN "$@" >/dev/null 2>>"$ERR"; then
      times+=("$(elapsed "$t0")")
    else
      ((fails++))
    fi
  done
  read -r med mn mx n < <(printf '%s\n' "${times[@]}" | stats)
  line="cmd=\"hrun $*\" reps=$REPS ok=$n fail=$fails median_s=$med min_s=$mn max_s=$mx all=$(
    IFS=,
    echo "${times[*]}"
  )"
  echo "$line"
  record hrun_latency "$line"
}

one -N1 -n1 true
one -N2 -n4 hostname

# batch turnaround
times=()
fails=0
for ((i = 0; i < REPS; i++)); do
  t0=$(now)
  if jid=$($HBATCH --parsable --wrap=true -o /dev/null 2>>"$ERR"); then
    jid=${jid%%;*}
    while [[ -n $($HQUEUE -h --jobs="$jid" -o %i 2>/dev/null) ]]; do sleep 0.02; done
    times+=("$(elapsed "$t0")")
  else
    ((fails++))
  fi
done
read -r med mn mx n < <(printf '%s\n' "${times[@]}" | stats)
line="cmd=\"hbatch --wrap=true turnaround\" reps=$REPS ok=$n fail=$fails median_s=$med min_s=$mn max_s=$mx all=$(
  IFS=,
  echo "${times[*]}"
)"
echo "$line"
record hrun_latency "$line"

# back-to-back steps in one allocation; "retries" counts hrun's "Job step creation
# temporarily disabled" (the previous step's cpus not yet released)
tmp=$(mktemp -d)
# shellcheck disable=SC2016  # expanded by the allocation's shell
$HALLOC -Q -N2 -n4 bash -c '
  for ((i = 0; i < '"$REPS"'; i++)); do
    t0=$(date +%s.%N)
    if '"$HRUN"' hostname >/dev/null 2>>"$1/err"; then
      awk -v a="$t0" -v b="$(date +%s.%N)" "BEGIN{printf \"%.3f\\n\", b-a}" >>"$1/times"
    else
      echo fail >>"$1/fails"
    fi
  done' halloc-bench "$tmp" 2>>"$ERR"
mapfile -t times < <(cat "$tmp/times" 2>/dev/null)
fails=$(grep -c . "$tmp/fails" 2>/dev/null)
retries=$(grep -c 'temporarily disabled' "$tmp/err" 2>/dev/null)
read -r med mn mx n < <(printf '%s\n' "${times[@]}" | grep . | stats)
line="cmd=\"hrun -N2 -n4 hostname inside halloc -N2 -n4, back to back\" reps=$REPS ok=$n fail=${fails:-0} retries=${retries:-0} median_s=$med min_s=$mn max_s=$mx all=$(
  IFS=,
  echo "${times[*]}"
)"
echo "$line"
record hrun_latency "$line"
rm -rf "$tmp"
