#!/usr/bin/env bash
# Administering a live cluster (doc/admin.md): a partition created, used, changed (MaxTime,
# Nodes) and deleted (refused while busy); a busy node drained through DRAINING to
# DRAINED; a node's Weight steering a job, a feature expression, State=FAIL (FAILING
# under its job); all of it still true after kill -9 of the controller; the audit trail
# names each change and its user; hcontrol write config writes the merged herd.conf.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

# part_field NAME KEY: the value of KEY= in hcontrol show partition NAME.
part_field() {
  hcontrol show partition "$1" 2>&1 | tr '\n' ' ' | grep -oE "(^|[[:space:]])$2=[^[:space:]]*" |
    head -n 1 | sed "s/^[[:space:]]*$2=//"
}

step "create partition p1 on n2; a job submitted to it runs there"
hcontrol create PartitionName=p1 Nodes=n2 MaxTime=30 || fail "hcontrol create failed"
assert_eq n2 "$(part_field p1 Nodes)" "Nodes of p1"
id=$(submit -p p1 -t 10 -o /dev/null --wrap 'sleep 300')
wait_state "$id" RUNNING 20
assert_eq n2 "$(job_field "$id" NodeList)" "node of job $id"

step "MaxTime and Nodes change at once; the running job keeps its limit"
hcontrol update PartitionName=p1 MaxTime=5 Nodes=n1,n2 || fail "hcontrol update failed"
assert_eq 00:05:00 "$(part_field p1 MaxTime)" "MaxTime of p1"
assert_eq 'n[1-2]' "$(part_field p1 Nodes)" "Nodes of p1"
if hbatch -p p1 -t 10 -o /dev/null --wrap true 2>"$WORK/long.err"; then
  fail "a 10-minute job was accepted in p1 (MaxTime=5)"
fi
assert_match 'time limit' "$(cat "$WORK/long.err")" "refusal of a job beyond MaxTime"
assert_eq 00:10:00 "$(job_field "$id" TimeLimit)" "TimeLimit of the running job"

step "delete is refused while the partition has a job, naming it"
if hcontrol delete PartitionName=p1 2>"$WORK/del.err"; then fail "busy p1 was deleted"; fi
assert_match "in use.*$id" "$(cat "$WORK/del.err")" "refusal of the delete"

step "drain n2 under its job: DRAINING, with the reason, user and time in hinfo -R"
hcontrol update NodeName=n2 State=DRAIN Reason=maint || fail "drain failed"
wait_node_state n2 drng 10
reasons=$(hinfo -R -h -o '%E|%u|%H|%N')
assert_match '^maint\|root\|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\|n2$' "$reasons" "hinfo -R"

step "non-admins may not change partitions"
ensure_test_user
if as_test_user "hcontrol create PartitionName=x Nodes=n1" 2>"$WORK/user.err"; then
  fail "$TEST_USER created a partition"
fi
assert_match 'denied' "$(cat "$WORK/user.err")" "refusal of a non-admin"

step "kill -9 of the controller: every change is still there"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h
assert_eq 00:05:00 "$(part_field p1 MaxTime)" "MaxTime of p1 after the restart"
assert_eq 'n[1-2]' "$(part_field p1 Nodes)" "Nodes of p1 after the restart"
assert_eq RUNNING "$(job_state "$id")" "state of job $id after the restart"
wait_node_state n2 drng 20

step "the job ends: n2 is DRAINED; p1, empty, is deleted"
hcancel "$id" || fail "hcancel failed"
wait_state "$id" CANCELLED 30
wait_node_state n2 drain 20
hcontrol delete PartitionName=p1 || fail "delete of the empty p1 failed"
if hcontrol show partition p1 >/dev/null 2>&1; then fail "p1 still shown after delete"; fi
hcontrol update NodeName=n2 State=RESUME || fail "resume failed"
wait_node_state n2 idle 20

step "node values at runtime: Weight steers a job, a feature expression, State=FAIL"
hcontrol update NodeName=n1 Weight=10 Features=big,ib ActiveFeatures=big ||
  fail "update of n1's values failed"
if hcontrol update NodeName=n1 ActiveFeatures=gpu 2>"$WORK/act.err"; then
  fail "ActiveFeatures beyond the available ones accepted"
fi
assert_match 'not subset of available' "$(cat "$WORK/act.err")" "refusal of ActiveFeatures"
heavy=$(submit -n 2 -o /dev/null --wrap 'sleep 300')
wait_state "$heavy" RUNNING 20
assert_eq n2 "$(job_field "$heavy" NodeList)" "node of a job when n1 weighs 10"
feat=$(submit -C '(big|ib)&[ib|big]' -o /dev/null --wrap 'sleep 300')
wait_state "$feat" RUNNING 20
assert_eq n1 "$(job_field "$feat" NodeList)" "node of the job asking for big"
if hbatch -C nosuch -o /dev/null --wrap true 2>"$WORK/feat.err"; then
  fail "a job asking for a feature no node has was accepted"
fi
assert_match 'Invalid feature specification' "$(cat "$WORK/feat.err")" "refusal of -C nosuch"
inactive=$(submit -C ib -o /dev/null --wrap true)  # available on n1, not active: it waits
hcontrol update NodeName=n2 State=FAIL Reason=flaky || fail "State=FAIL failed"
wait_node_state n2 failg 10
assert_match '^n1 mix 10 big,ib big \(null\)$' "$(hinfo -N -h -o '%N %t %w %f %b %G' -n n1)" \
  "hinfo of n1"

step "the audit trail has each change with its user"
hcontrol -o show audit >"$WORK/audit.txt"
for want in 'Entity=partition=p1 Action=create' 'Entity=partition=p1 Action=update' \
  'Entity=partition=p1 Action=delete' 'Entity=node=n2 Action=drain' \
  'Entity=node=n2 Action=resume'; do
  grep -q "User=root(0) .*$want" "$WORK/audit.txt" || fail "no audit record '$want' by root:
$(cat "$WORK/audit.txt")"
done
assert_eq 3 "$(hcontrol -o show audit entity=partition=p1 | grep -c .)" "records of p1"
grep -q 'Old=.*MaxTime=30:00 .*New=.*MaxTime=5:00 ' "$WORK/audit.txt" ||
  fail "the update's record lacks MaxTime old -> new"

step "still there after another kill -9; write config merges a runtime partition"
hcontrol create PartitionName=p2 Nodes=n1 PriorityTier=3 || fail "create p2 failed"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h
assert_eq 8 "$(hcontrol -o show audit | grep -c .)" "audit records after the restart"
wait_node_state n2 failg 20
assert_eq RUNNING "$(job_state "$heavy")" "the job on the failing n2 after the restart"
assert_eq PENDING "$(job_state "$inactive")" "the job asking for an inactive feature"
hcontrol show node n1 | tr '\n' ' ' >"$WORK/n1.txt"
for want in 'AvailableFeatures=big,ib ' 'ActiveFeatures=big ' ' Weight=10'; do
  grep -q -- "$want" "$WORK/n1.txt" || fail "hcontrol show node n1 lacks '$want': $(cat "$WORK/n1.txt")"
done
grep -q 'Entity=node=n1 Action=update .*New=State=UP Weight=10 Features=big,ib ActiveFeatures=big' \
  <(hcontrol -o show audit entity=node=n1) || fail "no audit record of n1's values"
hcancel "$heavy" "$feat" || fail "hcancel failed"
wait_node_state n2 fail 20
hcontrol update NodeName=n1 ActiveFeatures=big,ib || fail "activating ib failed"
wait_state "$inactive" COMPLETED 20
hcontrol update NodeName=n2 State=RESUME || fail "resume of the failed n2 failed"
wait_node_state n2 idle 10
hcontrol write config "$WORK/merged.conf" || fail "write config failed"
assert_file_matches "$WORK/merged.conf" '^PartitionName=p2 Nodes=n1 .*PriorityTier=3$'
assert_file_matches "$WORK/merged.conf" '^NodeName=.* Weight=10 Features=big,ib'
