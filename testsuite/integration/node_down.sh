#!/usr/bin/env bash
# shellcheck disable=SC2016  # $HERD_* in --wrap strings expand in the job, not here
# A node whose herdd dies goes DOWN after NodeTimeout and its job is requeued and runs on
# another node; when the herdd comes back the node returns to service.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 # NodeTimeout=5, HeartbeatInterval=1

step "a job is running"
id=$(submit -o "$WORK/nd-%j.out" --wrap 'echo "ran on $HERD_JOB_NODELIST"; sleep 15; echo "end $HERD_JOB_NODELIST"')
wait_state "$id" RUNNING 30
node=$(job_field "$id" NodeList)
other=n1
[[ $node == n1 ]] && other=n2

step "kill -9 herdd $node and leave it dead"
t0=$SECONDS
daemon_kill9 "$node"
wait_node_state "$node" 'down\*?|DOWN\*?' 15
log "node $node DOWN after $((SECONDS - t0)) s"

step "the job is requeued and runs on $other"
t1=$SECONDS
while :; do
  st=$(job_state "$id")
  nl=$(job_field "$id" NodeList)
  [[ $st == RUNNING && $nl == "$other" ]] && break
  [[ $st == COMPLETED && $nl == "$other" ]] && break
  if ((SECONDS - t1 > 30)); then
    fail "job $id not requeued onto $other within 30 s: state $st, NodeList $nl ($(show_job "$id"))"
  fi
  sleep 0.2
done
restarts=$(job_field "$id" Restarts)
[[ -z $restarts ]] || assert_eq 1 "$restarts" "Restarts of the requeued job"
wait_state "$id" COMPLETED 40
# The first run (its herdstepd outlives the dead herdd) also ends and reports; that stale
# report must not complete the job: it is COMPLETED only once the second run printed "end".
assert_file_has_line "$WORK/nd-$id.out" "end $other"
assert_file_has_line "$WORK/nd-$id.out" "ran on $other"
assert_eq "0:0" "$(job_field "$id" ExitCode)" "ExitCode of the requeued job"

step "herdd $node comes back; the node returns to service"
daemon_start "$node"
wait_node_state "$node" idle 30
id=$(submit -N 2 -o /dev/null --wrap true)
wait_state "$id" COMPLETED 30
