#!/usr/bin/env bash
# shellcheck disable=SC2016  # $HERD_* in --wrap strings expand in the job, not here
# A --no-requeue job never runs twice: its node "reboots" (kill -9 of herdd and of the
# job, the spool wiped, herdd started again) and the controller restarts (kill -9); the
# confirmation of its launch is in the journal, so the controller does not launch it
# again: it ends FAILED with the reason. Before, the confirmation lived in memory and the
# job ran a second time (Restarts=0).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2
runs=$WORK/runs

step "a --no-requeue job runs"
id=$(submit --no-requeue -o /dev/null --wrap "echo \"\$\$ \$(date +%s.%N)\" >>$runs; sleep 300")
wait_state "$id" RUNNING 30
wait_for 10 "the job's first line" test -s "$runs"
node=$(job_field "$id" NodeList)
sleep 1 # the node's confirmation reaches the journal

step "reboot $node: kill -9 herdd and the job, wipe the spool"
daemon_kill9 "$node"
spool=$CLUSTER/spool/$node
stepd=$(awk '{ print $1 }' "$spool/job$id.1/pid") || fail "no pid file for job $id on $node"
job_pid=$(awk '{ print $1 }' "$runs")
kill -9 "$stepd" "$job_pid" 2>/dev/null || true
pkill -9 -P "$job_pid" 2>/dev/null || true
rm -rf "${spool:?}"/*

step "kill -9 the controller and start it again, then herdd $node"
daemon_kill9 ctl1
daemon_start ctl1
daemon_start "$node"
wait_state "$id" FAILED 30
reason=$(hqueue -t all -h -j "$id" -o %r)
log "job $id: $(show_job "$id")"
[[ $reason == *"lost on $node"* ]] || fail "reason of job $id: '$reason'"
assert_eq 0 "$(job_field "$id" Restarts)" "Restarts of the job"
sleep 3
assert_eq 1 "$(wc -l <"$runs")" "runs of the --no-requeue job (lines in $runs)"
