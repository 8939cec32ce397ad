#!/usr/bin/env bash
# Accounting into a real PostgreSQL server (private, started here): jobs with known
# outcomes show in hacct as sacct prints them (and through the sacct name, as Snakemake
# polls it); kill -9 of the database while jobs end holds up neither scheduling nor loses
# a record; a kill -9 of the controller sends again without a second row; with a
# controller pair, kill -9 of the active while jobs end loses none.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
PGROOT=$(mktemp -d "${HERD_TEST_ROOT:-/tmp}/herd-acct-pg.XXXXXX")
chmod 755 "$PGROOT"
PGPORT=$((40000 + $$ % 20000))
pg_cleanup() {
  "$REPO/contribs/herd-pg" stop "$PGROOT/pg" >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
step "private PostgreSQL server"
"$REPO/contribs/herd-pg" start "$PGROOT/pg" "$PGPORT" >/dev/null || fail "herd-pg start failed"
"$REPO/contribs/herd-pg" createdb "$PGROOT/pg" herd || fail "createdb failed"

export HERD_LOCAL_EXTRA_CONF="AccountingStorageType=accounting_storage/pgsql
AccountingStorageHost=$PGROOT/pg
AccountingStoragePort=$PGPORT
AccountingStorageUser=postgres
AccountingStorageLoc=herd
MinJobAge=1"
cluster_up --nodes 2
# The database goes at exit too, before lib.sh's teardown (which reads the exit status).
acct_exit() {
  local rc=$?
  set +e
  pg_cleanup
  (exit "$rc")
  _teardown
}
trap acct_exit EXIT

step "jobs with known outcomes"
ok=$(submit -J acct-ok -o "$WORK/%j.out" --wrap true)
bad=$(submit -J acct-bad -o "$WORK/%j.out" --wrap "exit 3")
sig=$(submit -J acct-sig -o "$WORK/%j.out" --wrap "kill -9 \$\$")
can=$(submit -J acct-can -o "$WORK/%j.out" --wrap "sleep 300")
uuid=wf-$RANDOM$RANDOM
wf=$(submit -J "$uuid" -o "$WORK/%j.out" --wrap true)
# wait_acct ID STATES TIMEOUT: until hacct shows the job in one of STATES ("A|B"); hacct
# has it from the controller, then from the database (MinJobAge=1 forgets it at once).
wait_acct() {
  wait_for "$3" "job $1 $2 in hacct" bash -c "[[ \$(hacct -X -P -n -o State -j $1) =~ ^($2)\$ ]]"
}
wait_state "$can" RUNNING 20
hcancel "$can"
for id in "$ok" "$bad" "$sig" "$wf"; do wait_acct "$id" "COMPLETED|FAILED" 20; done
wait_acct "$can" CANCELLED 20

rows() { hacct -X -P -n -o JobID,JobName,State,ExitCode -j "$1" 2>&1; }
# each_stored_once TOTAL ID...: the database (asked directly: hacct also shows the jobs the
# controller holds) has each job once, COMPLETED (4), and TOTAL jobs in all.
DBNAME=herd
each_stored_once() {
  local total=$1 all id c
  shift
  all=$(psql -h "$PGROOT/pg" -p "$PGPORT" -U postgres -d "$DBNAME" -Atc \
    "SELECT job_id, CASE state WHEN 4 THEN 'COMPLETED' ELSE 'other' END FROM jobs")
  for id in "$@"; do
    c=$(grep -c "^$id|COMPLETED\$" <<<"$all") || true
    ((c == 1)) || fail "job $id is $c times in the database: $all"
  done
  (($(wc -l <<<"$all") == total)) || fail "expected $total jobs in the database: $all"
}
wait_for 20 "job $can stored" bash -c "[[ \$(hacct -X -P -n -o State -j $can) == CANCELLED ]]"
[[ $(rows "$ok") == "$ok|acct-ok|COMPLETED|0:0" ]] || fail "ok job: $(rows "$ok")"
[[ $(rows "$bad") == "$bad|acct-bad|FAILED|3:0" ]] || fail "failed job: $(rows "$bad")"
[[ $(rows "$sig") == "$sig|acct-sig|FAILED|0:9" ]] || fail "signalled job: $(rows "$sig")"
[[ $(rows "$can") == "$can|acct-can|CANCELLED|0:0" ]] || fail "cancelled job: $(rows "$can")"

step "steps: the batch step as sacct shows it"
out=$(hacct -P -n -o JobID,JobName,State,ExitCode -j "$bad")
want="$bad|acct-bad|FAILED|3:0
$bad.batch|batch|FAILED|3:0"
[[ $out == "$want" ]] || fail "hacct -j $bad: '$out'"
out=$(hacct -P -n -o JobID,State,ExitCode -j "$can" | tail -n 1)
[[ $out == "$can.batch|CANCELLED|0:15" ]] || fail "cancelled batch step: '$out'"

step "the fixed-width default format"
out=$(hacct -X -j "$bad")
want=$(printf '%s\n%s\n%-12s %10s %10s %10s %10s %10s %8s ' \
  "JobID           JobName  Partition    Account  AllocCPUS      State ExitCode " \
  "------------ ---------- ---------- ---------- ---------- ---------- -------- " \
  "$bad" acct-bad debug "" 1 FAILED 3:0)
[[ $out == "$want" ]] || fail "hacct -X -j $bad:
$out
want:
$want"

step "account, QOS, submit line and the nodes' usage figures"
use=$(submit -A physics -q high -J acct-use -o "$WORK/%j.out" \
  --wrap "dd if=/dev/zero of=/dev/null bs=16M count=64 2>/dev/null")
wait_acct "$use" COMPLETED 20
wait_for 20 "job $use's usage stored" bash -c "hacct -P -n -o JobID,MaxRSS -j $use | grep -q batch.*K"
out=$(hacct -X -P -n -o Account,QOS,SubmitLine -j "$use")
[[ $out == "physics|high|"*"hbatch --parsable -A physics -q high -J acct-use -o $WORK/%j.out --wrap dd if=/dev/zero of=/dev/null bs=16M count=64 2>/dev/null" ]] ||
  fail "account, QOS, submit line: '$out'"
IFS='|' read -r id rss node task cpu <<<"$(hacct -P -n -o JobID,MaxRSS,MaxRSSNode,MaxRSSTask,TotalCPU -j "$use" | grep batch)"
[[ $id == "$use.batch" && $rss =~ ^[0-9]+K$ && ${rss%K} -ge 16384 && $node == n? && $task == 0 ]] ||
  fail "batch usage: $id $rss $node $task"
[[ $cpu =~ ^[0-9:.]+$ ]] || fail "TotalCPU: '$cpu'"

step "halloc's account, QOS and submit line"
timeout 60 halloc -N1 -A chem -q low -J acct-alloc true || fail "halloc failed"
alloc=$(hacct -X -P -n -o JobID --name acct-alloc | tail -n 1)
wait_acct "$alloc" COMPLETED 20
out=$(hacct -X -P -n -o Account,QOS,SubmitLine -j "$alloc")
[[ $out == "chem|low|"*"halloc -N1 -A chem -q low -J acct-alloc true" ]] ||
  fail "halloc's account, QOS, submit line: '$out'"

step "hacct --json as sacct's"
hacct --json -j "$bad,$sig,$use" | python3 -c '
import json, sys
jobs = {j["job_id"]: j for j in json.load(sys.stdin)["jobs"]}
bad, sig, use = (jobs[int(i)] for i in sys.argv[1:])
assert bad["state"]["current"] == "FAILED", bad["state"]
assert bad["exit_code"] == {"status": "FAILED", "return_code": 3}, bad["exit_code"]
assert sig["exit_code"]["signal"] == {"signal_id": 9, "name": "Killed"}, sig["exit_code"]
assert use["account"] == "physics" and use["qos"] == "high", use
assert [s["step"]["id"] for s in use["steps"]] == ["batch"], use["steps"]
assert use["time"]["end"] >= use["time"]["start"] > 0 and use["time"]["total"]["seconds"] >= 0
' "$bad" "$sig" "$use" || fail "hacct --json"

step "heff (seff) of a job with usage"
out=$("$REPO/contribs/slurm-compat/seff" "$use")
for want in "Job ID: $use" "State: COMPLETED (exit code 0)" \
  "CPU Efficiency: [0-9.]*% of [0-9:]* core-walltime" "Memory Utilized: [0-9.]* [KMG]B"; do
  grep -q "^$want\$" <<<"$out" || fail "seff $use, no '$want': $out"
done
out=$(heff 999999 2>&1) && fail "heff of an unknown job succeeded"
[[ $out == "Job not found." ]] || fail "heff of an unknown job: '$out'"

step "hreport (sreport) from the rollups: the account's time is its jobs'"
rep=$(submit -A physics -J acct-rep -o "$WORK/%j.out" --wrap "sleep 2")
wait_acct "$rep" COMPLETED 20
wait_for 20 "job $rep stored" bash -c "hcontrol ping | grep -q 'accounting pgsql up, backlog 0'"
from=$(date -d '-1 hours' +%Y-%m-%dT%H:00)
used=0
for id in $(hacct -a -X -P -n -o JobID -A physics -S "$from"); do
  used=$((used + $(hacct -X -P -n -o CPUTimeRAW -j "$id")))
done
out=$("$REPO/contribs/slurm-compat/sreport" -P -n -t seconds cluster \
  AccountUtilizationByUser accounts=physics start="$from" end=now+1hours)
[[ $out == *"|physics|||$used|0"* ]] || fail "sreport for physics ($used s): '$out'"
hreport -t hours cluster utilization start="$from" end=now+1hours | grep -q "Allocate" ||
  fail "hreport cluster utilization"

step "a drain and a resume in sacctmgr show event"
hcontrol update nodename=n2 state=drain reason="fan broken"
hcontrol update nodename=n2 state=resume
wait_for 20 "the drain stored" bash -c \
  "\"$REPO/contribs/slurm-compat/sacctmgr\" -P -n show event nodes=n2 | grep -q '|n2|.*|DRAIN|fan broken|root(0)\$'"
hacctmgr show event nodes=n2 format=NodeName,State,Reason | grep -q "^n2 .* DRAIN .* fan broken \$" ||
  fail "hacctmgr: $(hacctmgr show event nodes=n2 format=NodeName,State,Reason)"

step "sacct as Snakemake polls it"
out=$("$REPO/contribs/slurm-compat/sacct" -X --parsable2 --noheader \
  --format=JobIdRaw,State --name "$uuid")
[[ $out == "$wf|COMPLETED" ]] || fail "sacct --name $uuid: '$out'"
hacct -o NoSuchField 2>"$WORK/err" && fail "an unknown field was accepted"
grep -q 'Invalid field requested: "NoSuchField"' "$WORK/err" || fail "error: $(cat "$WORK/err")"

step "hcontrol ping shows the link"
wait_for 10 "backlog 0 in hcontrol ping" bash -c "hcontrol ping | grep -q 'accounting pgsql up, backlog 0'"

step "kill -9 of the database while 20 jobs run and end"
"$REPO/contribs/herd-pg" kill "$PGROOT/pg"
ids=()
for i in $(seq 1 20); do ids+=("$(submit -J "out-$i" -o "$WORK/%j.out" --wrap true)"); done
for id in "${ids[@]}"; do wait_state "$id" COMPLETED 30; done
wait_for 15 "the link down in hcontrol ping" bash -c "hcontrol ping | grep -q 'accounting pgsql down'"
ping=$(hcontrol ping)
if ! [[ $ping =~ backlog\ ([0-9]+) ]] || ((BASH_REMATCH[1] < 20)); then fail "backlog: $ping"; fi
hinfo --controllers | grep -q "^Accounting .*down" || fail "hinfo: $(hinfo --controllers)"

hcontrol update nodename=n1 state=drain reason="while away"

step "kill -9 of the controller while the database is away"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 20 "the controller back" hcontrol ping
for id in "${ids[@]}"; do wait_state "$id" COMPLETED 10; done  # kept: not stored yet

step "the database returns: every job stored exactly once"
"$REPO/contribs/herd-pg" start "$PGROOT/pg" "$PGPORT" >/dev/null || fail "herd-pg start failed"
wait_for 60 "backlog 0" bash -c "hcontrol ping | grep -q 'accounting pgsql up, backlog 0'"
each_stored_once 28 "${ids[@]}"
out=$(hacctmgr -P -n show event nodes=n1 states=drain format=NodeName,State,Reason)
[[ $out == "n1|DRAIN|while away" ]] || fail "the drain made while the database was away: '$out'"
hcontrol update nodename=n1 state=resume

step "a controller pair: kill -9 of the active while jobs run and end"
"$REPO/contribs/herd-pg" createdb "$PGROOT/pg" herd2 || fail "createdb failed"
export HERD_LOCAL_EXTRA_CONF=${HERD_LOCAL_EXTRA_CONF/AccountingStorageLoc=herd/AccountingStorageLoc=herd2}
DBNAME=herd2
cluster_up --nodes 2 --controllers 2
wait_active ctl1 20
ids=()
for i in $(seq 1 10); do ids+=("$(submit -J "ha-$i" -o "$WORK/%j.out" --wrap "sleep 0.$i")"); done
wait_acct "${ids[0]}" "RUNNING|COMPLETED" 20
daemon_kill9 ctl1
wait_active ctl2 20
step "every job stored once, by one controller or the other"
# (Stored jobs leave the controllers after MinJobAge=1: hacct is where they are.)
wait_for 40 "10 jobs COMPLETED in hacct" \
  bash -c "(( \$(hacct -a -X -P -n -o State -S now-1hours | grep -c '^COMPLETED\$') >= 10 ))"
wait_for 30 "backlog 0 on ctl2" bash -c "hcontrol ping | grep -q 'accounting pgsql up, backlog 0'"
each_stored_once 10 "${ids[@]}"
