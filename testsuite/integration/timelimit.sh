#!/usr/bin/env bash
# A job over its time limit ends TIMEOUT (SIGTERM, then SIGKILL after KillWait).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 1

mark=0.$((RANDOM * 32768 + RANDOM))
step "-t 0:02 (2 s) job running sleep 100"
id=$(submit -t 0:02 -o "$WORK/tl-%j.out" --wrap "sleep 100 $mark")
wait_state "$id" RUNNING 30
wait_state "$id" TIMEOUT 30
assert_eq "TimeLimit" "$(job_field "$id" Reason)" "Reason of a timed-out job, as Slurm's"
wait_for 10 "the job's sleep to be gone" bash -c "! pgrep -f -- ' $mark\$'"

step "a job that ignores SIGTERM is killed too"
mark2=0.$((RANDOM * 32768 + RANDOM))
cat >"$WORK/stubborn.sh" <<SCRIPT
#!/bin/bash
trap 'echo got TERM' TERM
sleep 100 $mark2 &
while :; do wait; done
SCRIPT
id=$(submit -t 0:03 -o "$WORK/tl2-%j.out" "$WORK/stubborn.sh")
wait_state "$id" RUNNING 30
wait_state "$id" TIMEOUT 30
wait_for 10 "the stubborn job's processes to be gone" bash -c "! pgrep -f -- ' $mark2\$'"
assert_file_has_line "$WORK/tl2-$id.out" "got TERM"

step "a job within its limit completes"
id=$(submit -t 1 -o /dev/null --wrap "sleep 1")
wait_state "$id" COMPLETED 30
wait_node_state n1 idle 15
