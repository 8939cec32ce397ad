#!/usr/bin/env bash
# The accounting purge with its archive: N jobs over 60 days (acct_fill's shape), of which
# PurgeJobAfter=30days removes about half, written to archive files first. Times, RUNS
# times on a fresh copy of the filled database each (median min max):
#   herd_purge    hacctmgr archive dump PurgeJobAfter=30days Jobs (SQLite)
#   herd_load     hacctmgr archive load of every file written (the rows stored again)
# With ANCHOR_DIR (a running ../shared/slurm-anchor with ACCOUNTING=1), Slurm's side on the
# same shape: bench_acct_anchor.sh fills its job table, then
#   slurm_purge   sacctmgr -i archive dump PurgeJobAfter=30days Jobs Directory=...
# (once: slurmdbd's purge empties what it times). Output: "what=... median= min= max=".
#   N=1000000 RUNS=3 HERD_BUILD=build ANCHOR_DIR= CLUSTER=anchor
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
N=${N:-1000000}
RUNS=${RUNS:-3}
BUILD=${HERD_BUILD:-$REPO/build}
work=$(mktemp -d /tmp/herd-bench-purge.XXXXXX)
trap 'rm -rf "$work"' EXIT
log "filling an SQLite file with $N jobs"
"$BUILD/tests/acct_fill" sqlite "$work/filled.db" bench "$N" 200 60 >&2 || exit 1
cat >"$work/herd.conf" <<CONF
ClusterName=bench
ControllerHost=127.0.0.1
ControllerPort=1
AccountingStorageType=accounting_storage/sqlite
AccountingStorageLoc=$work/acct.db
CONF
export HERD_CONF=$work/herd.conf
purge_times=() load_times=()
for ((i = 0; i < RUNS; i++)); do
  rm -rf "$work/acct.db"* "$work/archive"
  cp "$work/filled.db" "$work/acct.db"
  t=$(now)
  out=$("$BUILD/bin/hacctmgr" archive dump PurgeJobAfter=30days Jobs Directory="$work/archive") ||
    exit 1
  purge_times+=("$(elapsed "$t")")
  purged=$(tail -1 <<<"$out" | awk '{print $1}')
  t=$(now)
  for f in "$work"/archive/*; do "$BUILD/bin/hacctmgr" archive load file="$f" >/dev/null || exit 1; done
  load_times+=("$(elapsed "$t")")
done
summary() { printf '%s\n' "$@" | stats | awk '{print "median="$1" min="$2" max="$3}'; }
echo "what=herd_purge $(summary "${purge_times[@]}") jobs=$purged archive_bytes=$(du -sb "$work/archive" | cut -f1)"
echo "what=herd_load $(summary "${load_times[@]}") jobs=$purged"
if [[ -n ${ANCHOR_DIR:-} ]]; then
  N=$N RUNS=0 ANCHOR_DIR=$ANCHOR_DIR "$HERE/bench_acct_anchor.sh" >/dev/null || exit 1
  # shellcheck source=/dev/null
  source "$ANCHOR_DIR/env.sh" || exit 1
  mkdir -p "$work/slurm-archive"
  t=$(now)
  sacctmgr -i archive dump PurgeJobAfter=30days Jobs Directory="$work/slurm-archive" >&2 || exit 1
  echo "what=slurm_purge $(summary "$(elapsed "$t")") archive_bytes=$(du -sb "$work/slurm-archive" | cut -f1)"
fi
