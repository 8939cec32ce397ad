#!/usr/bin/env bash
# Latency of one trivial job: hbatch --wrap=true -> the job shows COMPLETED, on an idle
# herd-local cluster (4 nodes x 4 cpus). Repeated REPS times, one job at a time.
#   submit_s : hbatch started -> hbatch returned (the job id)
#   done_s   : hbatch started -> `hqueue -t all -j ID -o %T` shows COMPLETED (polled every
#              POLL seconds; each poll is itself a round trip to the controller)
# Env: REPS=20 POLL=0.01 TIMEOUT=60 NODES=1 WRAP=true (the job: hbatch -N NODES --wrap=WRAP)
# Output: one line "one_job reps= submit_med_s= submit_min_s= submit_max_s= done_med_s=
#         done_min_s= done_max_s= fail=", also appended to RESULTS_DIR/one_job.tsv
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
REPS=${REPS:-20}
POLL=${POLL:-0.01}
TIMEOUT=${TIMEOUT:-60}
NODES=${NODES:-1}
WRAP=${WRAP:-true}

bench_up
clean_queue 120

tmp=$(mktemp -d)
fail=0
for ((r = 0; r < REPS; r++)); do
  t0=$(now)
  if ! id=$($HBATCH --parsable -N "$NODES" --wrap="$WRAP" -o /dev/null 2>>"$tmp/err"); then
    ((fail++))
    continue
  fi
  id=${id%%;*}
  elapsed "$t0" >>"$tmp/submit"
  echo >>"$tmp/submit"
  state=
  while :; do
    state=$($HQUEUE -t all -h -j "$id" -o %T 2>/dev/null | tr -d '[:space:]')
    case $state in
      COMPLETED) break ;;
      FAILED | CANCELLED | TIMEOUT | NODE_FAIL) break ;;
    esac
    if awk -v a="$t0" -v b="$(now)" -v t="$TIMEOUT" 'BEGIN{exit !(b-a>t)}'; then
      state=TIMEOUT_WAITING
      break
    fi
    sleep "$POLL"
  done
  if [[ $state == COMPLETED ]]; then
    elapsed "$t0" >>"$tmp/done"
    echo >>"$tmp/done"
  else
    log "job $id ended $state"
    ((fail++))
  fi
done
[[ -s $tmp/err ]] && {
  log "hbatch errors:"
  sort "$tmp/err" | uniq -c | head -3 >&2
}
read -r s_med s_min s_max _ < <(grep . "$tmp/submit" 2>/dev/null | stats)
read -r d_med d_min d_max _ < <(grep . "$tmp/done" 2>/dev/null | stats)
rm -rf "$tmp"
shape=
((NODES > 1)) && shape="nodes=$NODES " # the default line keeps the anchor's shape
line="one_job ${shape}reps=$REPS submit_med_s=$s_med submit_min_s=$s_min submit_max_s=$s_max done_med_s=$d_med done_min_s=$d_min done_max_s=$d_max fail=$fail"
echo "$line"
record one_job "$line"
