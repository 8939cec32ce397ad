#!/usr/bin/env bash
# Controller failover on a herd-local pair (ctl1, ctl2, witness w; 4 nodes x 4 cpus), as
# the Slurm anchor's bench_failover.sh (e) measures Slurm, TRIALS times:
#   1. submit HELD held jobs and RUNNING jobs (`sleep RUN_S` that write a line when they
#      start), remembering the ids hbatch acknowledged;
#   2. wait WAIT_BEFORE_KILL seconds (0 = kill right after the last acknowledgment);
#   3. kill -9 the active controller;
#   4. fresh `hqueue` until one succeeds -> hqueue_s; then fresh `hbatch -H` until one
#      is accepted -> hbatch_s (both from the kill);
#   5. acknowledged jobs missing afterwards (lost); running jobs not RUNNING afterwards or
#      started twice (lost);
#   6. restart the killed controller (it rejoins as the passive), wait until in sync.
# Then submission throughput with synchronous replication vs a single controller:
# N held submissions by P submitters on the pair and on a one-controller cluster.
# Env: TRIALS=10 HELD=200 RUNNING=4 RUN_S=30 WAIT_BEFORE_KILL=0 LEASE_MS= (HaLeaseMs;
#      empty = the default) N=1000 P=4 THROUGHPUT=1
# Output: one line per trial and a summary line; appended to RESULTS_DIR/failover.tsv.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"

TRIALS=${TRIALS:-10}
HELD=${HELD:-200}
RUNNING=${RUNNING:-4}
RUN_S=${RUN_S:-30}
WAIT_BEFORE_KILL=${WAIT_BEFORE_KILL:-0}
LEASE_MS=${LEASE_MS:-}
N=${N:-1000}
P=${P:-4}
THROUGHPUT=${THROUGHPUT:-1}
PAIR_DIR=$BENCH_DIR-pair
extra_conf="MinJobAge=600"
[[ -n $LEASE_MS ]] && extra_conf+=$'\n'"HaLeaseMs=$LEASE_MS"

pair_down() { "$HERD_LOCAL" down --dir "$PAIR_DIR" >/dev/null 2>&1 || true; }
trap pair_down EXIT

envlines=$(HERD_LOCAL_EXTRA_CONF=$extra_conf "$HERD_LOCAL" up --dir "$PAIR_DIR" --controllers 2 \
  --nodes 4 --cpus 4 --mem 2000 --partition debug ${HERD_BUILD:+--build "$HERD_BUILD"}) \
  || { log "herd-local up --controllers 2 failed"; exit 1; }
eval "$envlines"
export HERD_CONF
mkdir -p "$RESULTS_DIR"

active_of() { hcontrol ping 2>/dev/null | awk '/is UP: active/ { print $2; exit }'; }
in_sync() { hcontrol ping 2>/dev/null | grep -q "^herdctld $1 .*passive, in sync"; }

# until CMD succeeds (each try under a 60 s timeout): prints seconds since T0
time_until() {
  local t0=$1
  shift
  until timeout 60 "$@" >/dev/null 2>&1; do sleep 0.01; done
  elapsed "$t0"
}

tmp=$(mktemp -d)
for ((trial = 1; trial <= TRIALS; trial++)); do
  active=$(active_of)
  [[ -n $active ]] || { log "no active controller"; exit 1; }
  other=ctl1
  [[ $active == ctl1 ]] && other=ctl2
  for ((i = 0; i < 100; i++)); do in_sync "$other" && break; sleep 0.1; done
  : >"$tmp/run_ids"
  : >"$tmp/held_ids"
  rm -f "$tmp"/started.*
  for ((i = 0; i < RUNNING; i++)); do
    hbatch --parsable -c 4 -o /dev/null \
      --wrap="echo x >>$tmp/started.\$HERD_JOB_ID; sleep $RUN_S" >>"$tmp/run_ids"
  done
  # the running jobs start before the kill
  for ((i = 0; i < 100; i++)); do
    (($(find "$tmp" -name 'started.*' | wc -l) >= RUNNING)) && break
    sleep 0.1
  done
  for ((i = 0; i < HELD; i++)); do
    hbatch --parsable -H -o /dev/null --wrap=true >>"$tmp/held_ids" 2>>"$tmp/err"
  done
  sleep "$WAIT_BEFORE_KILL"
  pid=$("$HERD_LOCAL" pid "$active" --dir "$PAIR_DIR")
  t0=$(now)
  kill -9 "$pid"
  q_s=$(time_until "$t0" hqueue -h)
  b_s=$(time_until "$t0" hbatch -H -o /dev/null --wrap=true)
  known=$(hqueue -t all -h -o "%i %T")
  lost_acked=0
  while read -r id; do
    grep -q "^ *${id%%;*} " <<<"$known" || ((lost_acked++))
  done < <(cat "$tmp/held_ids" "$tmp/run_ids")
  lost_running=0
  while read -r id; do
    id=${id%%;*}
    st=$(awk -v i="$id" '$1 == i { print $2 }' <<<"$known")
    starts=$(wc -l <"$tmp/started.$id" 2>/dev/null || echo 0)
    [[ $st == RUNNING && $starts == 1 ]] || ((lost_running++))
  done <"$tmp/run_ids"
  line="trial=$trial killed=$active hqueue_s=$q_s hbatch_s=$b_s acked=$(($(wc -l <"$tmp/held_ids") + RUNNING)) lost_acked=$lost_acked running=$RUNNING lost_running=$lost_running lease_ms=${LEASE_MS:-default}"
  echo "$line"
  record failover "$line"
  echo "$q_s" >>"$tmp/q"
  echo "$b_s" >>"$tmp/b"
  echo "$lost_acked" >>"$tmp/la"
  echo "$lost_running" >>"$tmp/lr"
  # clean up and bring the killed controller back as the passive
  hqueue -h -o %i | xargs -r hcancel >/dev/null 2>&1
  "$HERD_LOCAL" start "$active" --dir "$PAIR_DIR" >/dev/null 2>&1
  for ((i = 0; i < 100; i++)); do in_sync "$active" && break; sleep 0.1; done
done
read -r qm qmin qmax qn < <(stats <"$tmp/q")
read -r bm bmin bmax _ < <(stats <"$tmp/b")
la=$(awk '{s+=$1} END{print s+0}' "$tmp/la")
lr=$(awk '{s+=$1} END{print s+0}' "$tmp/lr")
line="summary trials=$qn hqueue_s=${qm}[${qmin}..${qmax}] hbatch_s=${bm}[${bmin}..${bmax}] lost_acked_total=$la lost_running_total=$lr lease_ms=${LEASE_MS:-default}"
echo "$line"
record failover "$line"

if [[ $THROUGHPUT == 1 ]]; then
  # submission throughput: the pair (synchronous replication) vs one controller
  pair=$(BENCH_REUSE=1 N=$N P=$P HOLD=1 bash "$HERE/bench_submit_drain.sh" | tail -n 1)
  echo "pair:   $pair"
  pair_down
  single=$(N=$N P=$P HOLD=1 bash "$HERE/bench_submit_drain.sh" | tail -n 1)
  echo "single: $single"
  pj=$(sed -n 's/.*submit_jps=\([0-9.]*\).*/\1/p' <<<"$pair")
  sj=$(sed -n 's/.*submit_jps=\([0-9.]*\).*/\1/p' <<<"$single")
  line="throughput n=$N p=$P pair_jps=$pj single_jps=$sj ratio=$(awk -v a="$pj" -v b="$sj" 'BEGIN{printf "%.2f", a/b}')"
  echo "$line"
  record failover "$line"
fi
rm -rf "$tmp"
