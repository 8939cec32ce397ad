# shellcheck shell=bash
# Common helpers for the herd benchmarks (the same shapes and output lines as the Slurm
# anchor scripts, so the figures compare line by line). Source this, don't run it.
#
# The cluster: contribs/herd-local brings up 4 nodes x 4 cpus x 2000 MB, partition debug,
# in BENCH_DIR (default /tmp/herd-bench), unless HERD_CONF already names a running
# cluster and BENCH_REUSE=1. It is stopped at exit unless KEEP_UP=1.
#   HERD_BUILD    build directory with bin/ (default <repo>/build)
#   RESULTS_DIR   where the .tsv result lines are appended (default BENCH_DIR/results)
#   BENCH_EXTRA_CONF  herd.conf lines for the cluster, e.g. "ConstrainCores=yes" (newlines
#                 between several)
#   HBATCH HQUEUE HCANCEL HCONTROL   the commands (default: those of the cluster)

HERE=${HERE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
REPO=$(cd "$HERE/../.." && pwd)
HERD_LOCAL=$REPO/contribs/herd-local
BENCH_DIR=${BENCH_DIR:-/tmp/herd-bench}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results}
_BENCH_STARTED=0

now() { date +%s.%N; }

# elapsed START [END]  -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN{printf "%.3f", b-a}'; }

# stats: reads numbers (one per line) on stdin, prints "median min max n"
stats() {
  sort -g | awk '{v[NR]=$1} END{
        if (NR==0) {print "NA NA NA 0"; exit}
        if (NR%2) m=v[(NR+1)/2]; else m=(v[NR/2]+v[NR/2+1])/2;
        printf "%.4g %.4g %.4g %d\n", m, v[1], v[NR], NR}'
}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

_bench_down() {
  if ((_BENCH_STARTED)) && [[ ${KEEP_UP:-0} != 1 ]]; then
    "$HERD_LOCAL" down --dir "$BENCH_DIR" >/dev/null 2>&1 || true
  fi
}

# bench_up: a 4x4 cluster for the benchmark (see above); sets HBATCH etc.
bench_up() {
  if [[ ${BENCH_REUSE:-0} == 1 && -n ${HERD_CONF:-} ]]; then
    log "reusing the cluster of $HERD_CONF"
  else
    local envlines
    # finished jobs leave the controller quickly, as in the Slurm anchor (MinJobAge=2)
    envlines=$(HERD_LOCAL_EXTRA_CONF="MinJobAge=2${BENCH_EXTRA_CONF:+$'\n'$BENCH_EXTRA_CONF}" \
      "$HERD_LOCAL" up --dir "$BENCH_DIR" \
      --nodes 4 --cpus 4 --mem 2000 --partition debug ${HERD_BUILD:+--build "$HERD_BUILD"}) \
      || { log "herd-local up failed"; exit 1; }
    eval "$envlines"
    export HERD_CONF
    _BENCH_STARTED=1
    trap _bench_down EXIT
  fi
  HBATCH=${HBATCH:-hbatch}
  HQUEUE=${HQUEUE:-hqueue}
  HCANCEL=${HCANCEL:-hcancel}
  HCONTROL=${HCONTROL:-hcontrol}
  mkdir -p "$RESULTS_DIR"
}

# number of jobs the scheduler still shows (pending/running/completing...)
queue_len() { $HQUEUE -h -o %i 2>/dev/null | wc -l; }

# wait_queue_empty TIMEOUT_S [POLL_S] -> returns 0 when empty, 1 on timeout
wait_queue_empty() {
  local t0
  t0=$(now)
  local poll=${2:-0.25}
  while :; do
    local out
    if out=$($HQUEUE -h -o %i 2>/dev/null); then
      [[ -z "$out" ]] && return 0
    fi
    if awk -v a="$t0" -v b="$(now)" -v t="$1" 'BEGIN{exit !(b-a>t)}'; then
      return 1
    fi
    sleep "$poll"
  done
}

# cancel every job still queued and wait until the queue is empty
clean_queue() {
  $HQUEUE -h -o %i 2>/dev/null | xargs -r -n 1000 "$HCANCEL" >/dev/null 2>&1 || true
  wait_queue_empty "${1:-120}" 0.5 || log "WARNING: queue not empty after clean"
}

# result line: appended to RESULTS_DIR/<file>.tsv with a timestamp
record() {
  local file=$1
  shift
  printf '%s\t%s load1=%s\n' "$(date -u +%FT%TZ)" "$*" "$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS_DIR/$file.tsv"
}
