#!/usr/bin/env bash
# Accounting cost and ingest: bench_submit_drain.sh (N jobs `--wrap true`, env N, P) on a
# cluster with ACCT=none|sqlite|pgsql (pgsql: a private server, contribs/herd-pg), then
# the time until the feed's backlog is 0 (hcontrol ping) and the database's size per job.
# With OUTAGE=1 the database is away during the drain (pgsql: killed with -9 first) and
# the catch-up rate after it comes back is reported.
# Output: "acct=... <bench_submit_drain line> catchup_s= ingest_jps= db_bytes_per_job="
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
ACCT=${ACCT:-sqlite}
OUTAGE=${OUTAGE:-0}
N=${N:-1000}
export N
work=$(mktemp -d /tmp/herd-bench-acct.XXXXXX)
chmod 755 "$work"
cleanup() {
  [[ $ACCT == pgsql ]] && "$REPO/contribs/herd-pg" stop "$work/pg" >/dev/null 2>&1
  [[ -n ${BENCH_DIR:-} ]] && "$REPO/contribs/herd-local" down --dir "$BENCH_DIR" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
port=$((40000 + $$ % 20000))
case $ACCT in
  none) conf="" ;;
  sqlite) conf="AccountingStorageType=accounting_storage/sqlite
AccountingStorageLoc=$work/acct.db" ;;
  pgsql)
    "$REPO/contribs/herd-pg" start "$work/pg" "$port" >/dev/null || exit 1
    "$REPO/contribs/herd-pg" createdb "$work/pg" herd || exit 1
    conf="AccountingStorageType=accounting_storage/pgsql
AccountingStorageHost=$work/pg
AccountingStoragePort=$port
AccountingStorageUser=postgres
AccountingStorageLoc=herd"
    ;;
  *) echo "ACCT must be none, sqlite or pgsql" >&2; exit 2 ;;
esac
export BENCH_DIR=$work/cluster
# The cluster stays up after the drain for the catch-up (BENCH_KEEP keeps lib.sh's).
envlines=$(HERD_LOCAL_EXTRA_CONF="MinJobAge=2
$conf" "$REPO/contribs/herd-local" up --dir "$BENCH_DIR" --nodes 4 --cpus 4 --mem 2000 \
  --partition debug ${HERD_BUILD:+--build "$HERD_BUILD"}) || exit 1
eval "$envlines"
export HERD_CONF
if ((OUTAGE)) && [[ $ACCT == pgsql ]]; then "$REPO/contribs/herd-pg" kill "$work/pg"; fi
line=$(BENCH_REUSE=1 bash "$HERE/bench_submit_drain.sh" | tail -n 1)
t0=$(date +%s.%N)
if ((OUTAGE)) && [[ $ACCT == pgsql ]]; then
  "$REPO/contribs/herd-pg" start "$work/pg" "$port" >/dev/null 2>&1
  t0=$(date +%s.%N)
fi
catchup=NA ingest=NA size=NA
if [[ $ACCT != none ]]; then
  until hcontrol ping | grep -q "backlog 0\$"; do sleep 0.1; done
  t1=$(date +%s.%N)
  catchup=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  ingest=$(awk -v n="$N" -v s="$catchup" 'BEGIN{printf "%.0f", (s > 0 ? n/s : 0)}')
  if [[ $ACCT == sqlite ]]; then
    bytes=$(du -cb "$work"/acct.db* | tail -n 1 | cut -f1)
  else
    bytes=$(psql -h "$work/pg" -p "$port" -U postgres -tAc \
      "SELECT pg_total_relation_size('jobs') + pg_total_relation_size('steps')" herd)
  fi
  size=$((bytes / N))
fi
echo "acct=$ACCT outage=$OUTAGE $line catchup_s=$catchup ingest_jps=$ingest db_bytes_per_job=$size"
