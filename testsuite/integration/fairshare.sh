#!/usr/bin/env bash
# Fair-share on real daemons (PriorityType=priority/multifactor, fair-tree): after root
# used the cluster, the test user's job, submitted later, outranks root's older one and
# starts first; the usage is the controller's journaled state, so this still holds after
# kill -9 of the controller. hshare shows both users under root (no association
# defined), and a QOS added with hacctmgr raises a job's priority at once.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_test_user
cluster_up --nodes 1 --cpus 2

step "priority/multifactor with fair-share (the controller restarted on it)"
cat >>"$HERD_CONF" <<'CONF'
PriorityType=priority/multifactor
PriorityWeightFairshare=10000
PriorityWeightAge=10
PriorityWeightQOS=100000
CONF
daemon_kill9 ctl1
daemon_start ctl1
wait_for 20 "the controller answers" hqueue -h

# A job that runs until its marker file appears.
until_marker() { echo "while [ ! -e $WORK/$1 ]; do sleep 0.1; done"; }

step "root uses the whole node, then queues a job behind a blocker"
used=$(submit -n2 -o /dev/null --wrap "sleep 1")
wait_state "$used" COMPLETED 20
blocker=$(submit -n2 -o /dev/null --wrap "$(until_marker end-blocker)")
wait_state "$blocker" RUNNING 20
older=$(submit -n2 -o /dev/null --wrap true)
newer=$(as_test_user "hbatch --parsable -n2 -o /dev/null --wrap '$(until_marker end-newer)'") \
  || fail "the test user's submission failed"

# prio ID: the priority hqueue shows.
prio() { hqueue -h -j "$1" -o %Q | tr -d ' '; }
check_order() {
  newer_first() { (($(prio "$newer") > $(prio "$older"))); }
  wait_for 20 "priorities computed" newer_first
  local p_new p_old
  p_new=$(prio "$newer") p_old=$(prio "$older")
  ((p_new >= 10000 && p_old < 10000)) || fail "priorities: $newer $p_new, $older $p_old"
}
check_order

step "kill -9 of the controller keeps the usage"
daemon_kill9 ctl1
daemon_start ctl1
check_order

step "the newer job starts first when the node is free"
touch "$WORK/end-blocker"
wait_state "$newer" RUNNING 20
assert_eq PENDING "$(job_state "$older")" "root's older job while the newer one runs"
# Usage is counted in whole seconds of run time: the test user's job runs one at least.
ran_a_second() { [[ $(hqueue -h -j "$newer" -o %M | tr -d ' ') != 0:00 ]]; }
wait_for 20 "a second of run time" ran_a_second
touch "$WORK/end-newer"
wait_state "$older" COMPLETED 20

step "hshare: root's and the test user's lines under root, root's usage counted"
shares=$(hshare -a -P -n)
grep -q "^ root|root|1|" <<<"$shares" || fail "no root user line: $shares"
grep -q "^ root|$TEST_USER|1|" <<<"$shares" || fail "no test user line: $shares"
root_usage=$(awk -F'|' '$1 == " root" && $2 == "root" { print $5 }' <<<"$shares")
((root_usage > 0)) || fail "root's usage: $shares"

step "a QOS with a priority outranks fair-share at once"
hacctmgr -i add qos high priority=100 >/dev/null || fail "hacctmgr add qos"
blocker=$(submit -n2 -o /dev/null --wrap "$(until_marker end-blocker2)")
wait_state "$blocker" RUNNING 20
plain=$(as_test_user "hbatch --parsable -n2 -o /dev/null --wrap true") || fail "submission"
urgent=$(submit -n2 -q high -o /dev/null --wrap true)
urgent_first() { (($(prio "$urgent") > $(prio "$plain"))); }
wait_for 20 "the QOS job outranks" urgent_first
(($(prio "$urgent") >= 100000)) || fail "QOS job's priority $(prio "$urgent")"
hcancel "$plain" "$urgent"
touch "$WORK/end-blocker2"
wait_state "$blocker" COMPLETED 20
