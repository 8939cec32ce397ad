#!/usr/bin/env bash
# Slurm's side of bench_acct_query.sh: the same month query on the anchor's accounting
# database (slurmdbd + MariaDB, ../shared/slurm-anchor/up.sh with ACCOUNTING=1) holding N
# jobs shaped as acct_fill makes them (over 60 days, 13 accounts, every tenth FAILED, 60
# s to an hour each, 4 cpus on one node). The rows go straight into the cluster's job
# table with one INSERT ... SELECT over MariaDB's seq_1_to_N (the Sequence engine):
# sacct then reads them through slurmdbd as it reads jobs that ran. Then times, RUNS
# times (median min max):
#   sacct_month   sacct -a -S now-30days -X -P -n -o (hacct's default fields)
# Knobs: ANCHOR_DIR (its env.sh and slurmdbd.conf), N=1000000, RUNS=3, CLUSTER=anchor,
# FILL=0 to time a database already filled.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
ANCHOR_DIR=${ANCHOR_DIR:-/tmp/slurm-anchor}
N=${N:-1000000}
RUNS=${RUNS:-3}
CLUSTER=${CLUSTER:-anchor}
FILL=${FILL:-1}
# shellcheck source=/dev/null
source "$ANCHOR_DIR/env.sh" || exit 1
conf=$ANCHOR_DIR/etc/slurmdbd.conf
key() { sed -n "s/^$1=//p" "$conf"; }
sql() { mysql -h "$(key StorageHost)" -P "$(key StoragePort)" -u "$(key StorageUser)" \
  -p"$(key StoragePass)" "$(key StorageLoc)" "$@"; }
if ((FILL)); then
  t=$(date +%s)
  span=$((60 * 86400))
  assoc=$(sql -N -e "SELECT id_assoc FROM ${CLUSTER}_assoc_table WHERE user='root' LIMIT 1")
  log "inserting $N jobs into ${CLUSTER}_job_table"
  sql <<SQL || exit 1
INSERT INTO ${CLUSTER}_job_table (mod_time, account, cpus_req, job_name, id_assoc, id_job,
  id_qos, id_resv, id_wckey, id_user, id_group, het_job_id, het_job_offset,
  state_reason_prev, nodelist, nodes_alloc, node_inx, \`partition\`, priority, state,
  exit_code, timelimit, time_submit, time_eligible, time_start, time_end, work_dir,
  submit_line, tres_alloc, tres_req)
SELECT $t, CONCAT('acct', seq % 13), 4, CONCAT('job', seq % 97), $assoc, 100000 + seq, 1, 0,
  0, 0, 0, 0, 4294967294, 0, 'n1', 1, '0', 'debug', 1, IF(seq % 10 = 0, 5, 3),
  IF(seq % 10 = 0, 256, 0), 120, $t - $span + FLOOR(seq * $span / $N),
  $t - $span + FLOOR(seq * $span / $N), $t - $span + FLOOR(seq * $span / $N) + 5,
  $t - $span + FLOOR(seq * $span / $N) + 65 + seq % 3600, '/root', 'sbatch job.sh',
  '1=4,4=1,5=4', '1=4,4=1,5=4'
FROM seq_1_to_$N;
SQL
  log "inserted in $(($(date +%s) - t)) s"
fi
times=()
rows=0
for ((i = 0; i < RUNS; i++)); do
  t=$(now)
  rows=$(sacct -a -S now-30days -X -P -n -o JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode | wc -l)
  times+=("$(elapsed "$t")")
done
echo "what=sacct_month $(printf '%s\n' "${times[@]}" | stats | awk '{print "median="$1" min="$2" max="$3}') rows=$rows"
