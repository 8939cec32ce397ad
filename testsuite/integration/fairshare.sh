#!/usr/bin/env bash
# Fair-share on real daemons (PriorityType=priority/multifactor, fair-tree): after root
# used the cluster, the test user's job, submitted later, outranks root's older one and
# starts first; the usage is the controller's journaled state, so this still holds after
# kill -9 of the controller.
# Not yet in HERD_INTEGRATION_TESTS (testsuite/CMakeLists.txt): add it there once it has
# passed on a built tree (HERD_BUILD=build bash testsuite/integration/fairshare.sh).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_test_user
cluster_up --nodes 1 --cpus 2

step "priority/multifactor with fair-share (the controller restarted on it)"
cat >>"$HERD_CONF" <<'CONF'
PriorityType=priority/multifactor
PriorityWeightFairshare=10000
PriorityWeightAge=10
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
  wait_for 20 "priorities computed" test "$(prio "$newer")" -gt "$(prio "$older")"
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
touch "$WORK/end-newer"
wait_state "$older" COMPLETED 20
