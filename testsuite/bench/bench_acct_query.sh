#!/usr/bin/env bash
# hacct on a large accounting database: fills an SQLite file (build/tests/acct_fill, the
# controller's own write path) with N jobs (default 1,000,000) of 200 users over 60 days,
# then times, RUNS times each (median min max):
#   user_week   hacct -u USER -S now-7days -X          (about N/200*7/60 jobs)
#   all_month   hacct -a -S now-30days -X -P           (about N/2 jobs)
#   all_month_fixed   the same, fixed-width columns
#   sql_month   the month's rows read by sqlite3 alone (what the database costs)
#   report_month  hreport cluster AccountUtilizationByUser over the month (the rollups)
# No controller runs (hacct's live merge gives up at once: no ControllerHost answers).
# Output: one line per figure, "what=... median= min= max= rows=".
#   N=1000000 RUNS=3 HERD_BUILD=build KEEP_DB=path (reuse a filled file)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
N=${N:-1000000}
RUNS=${RUNS:-3}
BUILD=${HERD_BUILD:-$REPO/build}
work=$(mktemp -d /tmp/herd-bench-acctq.XXXXXX)
trap 'rm -rf "$work"' EXIT
db=${KEEP_DB:-$work/acct.db}
if [[ ! -s $db ]]; then
  log "filling $db with $N jobs"
  "$BUILD/tests/acct_fill" sqlite "$db" bench "$N" 200 60 || exit 1
fi
cat >"$work/herd.conf" <<CONF
ClusterName=bench
ControllerHost=127.0.0.1
ControllerPort=1
AccountingStorageType=accounting_storage/sqlite
AccountingStorageLoc=$db
MessageTimeout=1
CONF
export HERD_CONF=$work/herd.conf
hacct_bin=$BUILD/bin/hacct
# time_it WHAT CMD...: RUNS timings of CMD (its output counted, not kept).
time_it() {
  local what=$1 t rows=0 i times=()
  shift
  for ((i = 0; i < RUNS; i++)); do
    t=$(now)
    rows=$("$@" | wc -l)
    times+=("$(elapsed "$t")")
  done
  echo "what=$what $(printf '%s\n' "${times[@]}" | stats | awk '{print "median="$1" min="$2" max="$3}') rows=$rows"
}
time_it user_week "$hacct_bin" -u 10007 -S now-7days -X -n
time_it all_month "$hacct_bin" -a -S now-30days -X -P -n
time_it all_month_fixed "$hacct_bin" -a -S now-30days -X -n
since=$(($(date +%s) - 30 * 86400))
time_it sql_month sqlite3 "$db" "SELECT * FROM jobs WHERE cluster='bench' AND end_time >= $since"
time_it report_month "$BUILD/bin/hreport" -P -n cluster AccountUtilizationByUser \
  start=now-30days end=now
echo "db_bytes_per_job=$(($(stat -c %s "$db") / N))"
