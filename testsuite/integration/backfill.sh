#!/usr/bin/env bash
# Backfill on real daemons (SchedulerType=sched/backfill, the default): a wide job blocked
# behind a running one gets a reservation (hqueue --start, hcontrol show job); a short
# narrow job submitted after it starts at once on the node the running job leaves free;
# a long one waits (Priority) rather than delay the wide job; the wide job starts as soon
# as the running one ends.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

# A job that runs until its marker file appears.
until_marker() { echo "while [ ! -e $WORK/$1 ]; do sleep 0.1; done"; }

step "a full-node job runs on one node (5 min limit)"
running=$(submit -N1 -n2 -t 5 -o /dev/null --wrap "$(until_marker end-running)")
wait_state "$running" RUNNING 20

step "a wide job waits for it with a reservation"
wide=$(submit -N2 -n4 -t 2 -o /dev/null --wrap "$(until_marker end-wide)")
short=$(submit -N1 -n1 -t 1 -o /dev/null --wrap "$(until_marker end-short)")
long=$(submit -N1 -n1 -t 10 -o /dev/null --wrap true)

step "the short job is backfilled at once; the long one would delay the wide one"
wait_state "$short" RUNNING 20
assert_eq PENDING "$(job_state "$wide")" "the wide job's state"
assert_eq PENDING "$(job_state "$long")" "the long job's state"
reasons=$(hqueue -h -t PD -o "%i %r" | tr '\n' ' ')
assert_eq "$wide Resources $long Priority " "$reasons" "pending reasons"
hqueue --start >"$WORK/start"
head -n 1 "$WORK/start" | grep -q "START_TIME  NODES SCHEDNODES" \
  || fail "hqueue --start header: $(head -n 1 "$WORK/start")"
read -r id start nodes < <(hqueue --start -h -o "%i %S %Y" | head -n 1)
assert_eq "$wide" "$id" "the first job of hqueue --start"
assert_eq "n[1-2]" "$nodes" "the wide job's reserved nodes"
[[ $start =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]] || fail "the wide job's expected start: $start"
assert_eq "$start" "$(job_field "$wide" StartTime)" "hcontrol show job StartTime="
assert_eq "n[1-2]" "$(job_field "$wide" SchedNodeList)" "hcontrol show job SchedNodeList="
assert_eq N/A "$(hqueue --start -h -j "$long" -o %S | tr -d ' ')" "the long job's start"

step "the wide job starts when the running job ends, before the long one"
touch "$WORK/end-short" "$WORK/end-running"
wait_state "$wide" RUNNING 20
assert_eq PENDING "$(job_state "$long")" "the long job's state while the wide one runs"
touch "$WORK/end-wide"
wait_state "$long" COMPLETED 20
