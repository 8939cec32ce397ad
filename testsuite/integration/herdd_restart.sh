#!/usr/bin/env bash
# kill -9 of a node daemon does not touch its running job; restarted, it finds the job
# again and the job ends COMPLETED, once. A job that ends while its herdd is dead is also
# reported COMPLETED.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# A generous NodeTimeout: this test is about restarts, not about nodes going DOWN.
HERD_LOCAL_EXTRA_CONF="NodeTimeout=30" cluster_up --nodes 2

step "a job is running"
id=$(submit -o "$WORK/hr-%j.out" --wrap 'echo start; sleep 5; echo end')
wait_state "$id" RUNNING 30
node=$(job_field "$id" NodeList)
assert_match '^n[12]$' "$node" "NodeList of a 1-node job"

step "kill -9 herdd $node and restart it while the job runs"
daemon_kill9 "$node"
sleep 1
assert_eq RUNNING "$(job_state "$id")" "job state just after herdd died"
daemon_start "$node"
wait_state "$id" COMPLETED 30
assert_eq 1 "$(grep -c '^start$' "$WORK/hr-$id.out")" "times the script started"
assert_file_has_line "$WORK/hr-$id.out" "end"
wait_node_state "$node" idle 20

step "a job that ends while its herdd is dead"
id=$(submit -o "$WORK/hr2-%j.out" --wrap 'sleep 2; echo end')
wait_state "$id" RUNNING 30
node=$(job_field "$id" NodeList)
daemon_kill9 "$node"
sleep 4
daemon_start "$node"
wait_state "$id" COMPLETED 30
assert_file_has_line "$WORK/hr2-$id.out" "end"
wait_node_state "$node" idle 20

step "the restarted node runs new jobs"
ids=()
for ((i = 0; i < 4; i++)); do ids+=("$(submit -o /dev/null --wrap 'sleep 1')"); done
for id in "${ids[@]}"; do wait_state "$id" COMPLETED 40; done
