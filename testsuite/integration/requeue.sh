#!/usr/bin/env bash
# hcontrol requeue|requeuehold on real daemons, as Slurm 22.05 answers them: a running job's
# run is killed and it is PENDING again with the same id, Restarts=1 and Reason=BeginTime
# (eligible 121 s later); kill -9 of the controller keeps the requeue; StartTime=now lets it
# run again, once, with SLURM_RESTART_COUNT=1. requeuehold holds it with Slurm's reason;
# pending and --no-requeue jobs are refused with Slurm's messages; a running job may be held
# (it runs on); one array task by its id in show job, update and uhold.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

# refused WHAT EXPECTED CMD...: CMD fails, printing EXPECTED.
refused() {
  local what=$1 want=$2 out
  shift 2
  if out=$("$@" 2>&1); then fail "$what accepted: $out"; fi
  assert_match "$want" "$out" "$what"
}

step "a running job is requeued: its run killed, PENDING, Restarts=1, Reason=BeginTime"
id=$(submit -o /dev/null --wrap "echo \$\$ \$SLURM_RESTART_COUNT >>$WORK/runs; exec sleep 300")
wait_state "$id" RUNNING 10
wait_for 10 "the first run to start" test -s "$WORK/runs"
read -r first_pid _ <"$WORK/runs"
hcontrol requeue "$id" || fail "hcontrol requeue $id"
assert_eq PENDING "$(job_state "$id")" "state after the requeue"
assert_eq 1 "$(job_field "$id" Restarts)" "Restarts after the requeue"
assert_eq BeginTime "$(job_field "$id" Reason)" "Reason after the requeue"
wait_for 10 "the first run ($first_pid) to be killed" bash -c "! kill -0 $first_pid"

step "kill -9 of the controller keeps the requeue"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h
assert_eq PENDING "$(job_state "$id")" "state after the restart"
assert_eq 1 "$(job_field "$id" Restarts)" "Restarts after the restart"

step "StartTime=now: it runs again, once, with SLURM_RESTART_COUNT=1"
hcontrol update JobId="$id" StartTime=now || fail "update StartTime=now"
wait_state "$id" RUNNING 20
wait_for 10 "the second run to start" test "$(wc -l <"$WORK/runs")" -eq 2
assert_eq 1 "$(awk 'NR == 2 { print $2 }' "$WORK/runs")" "SLURM_RESTART_COUNT of the second run"

step "a running job may be held: it runs on; requeuehold holds it with Slurm's reason"
hcontrol hold "$id" || fail "hold of a running job"
assert_eq "RUNNING JobHeldAdmin" "$(job_state "$id") $(job_field "$id" Reason)" "held running job"
hcontrol release "$id" || fail "release of a running job"
hcontrol requeuehold "$id" || fail "hcontrol requeuehold $id"
assert_eq "PENDING job_requeued_in_held_state 2" \
  "$(job_state "$id") $(job_field "$id" Reason) $(job_field "$id" Restarts)" "after requeuehold"
assert_match 'job requeued in held state' "$(hqueue -h -j "$id" -o %r)" "hqueue's reason"

step "refused as Slurm: a pending job, a --no-requeue job, an unknown id"
refused "requeue of a pending job" "Job is pending execution for job $id" hcontrol requeue "$id"
nr=$(submit --no-requeue -o /dev/null --wrap "exec sleep 300")
wait_state "$nr" RUNNING 10
refused "requeue of a --no-requeue job" "Requested operation is presently disabled for job $nr" \
  hcontrol requeue "$nr"
refused "requeue of an unknown job" "Invalid job id specified for job 999999" hcontrol requeue 999999
hcancel "$id" "$nr"

step "one array task by its id: show job, update, uhold"
a=$(submit -H -a 1-3 -o /dev/null --wrap true)
assert_eq "$a 2" "$(job_field "${a}_2" ArrayJobId) $(job_field "${a}_2" ArrayTaskId)" \
  "show job ${a}_2 (pending in the array's record)"
refused "show job of a task the array never had" "Job ${a}_9 not found" hcontrol show job "${a}_9"
hcontrol update JobId="${a}_3" TimeLimit=5 || fail "update JobId=${a}_3"
assert_eq "3 00:05:00" "$(job_field "${a}_3" ArrayTaskId) $(job_field "${a}_3" TimeLimit)" \
  "task 3 after its update"
[[ $(job_field "${a}_3" JobId) != "$a" ]] || fail "task 3 was not split off the array's record"
hcontrol hold "${a}_1" || fail "hold of ${a}_1"
assert_eq JobHeldAdmin "$(job_field "${a}_1" Reason)" "Reason of ${a}_1 after hold"
hcontrol uhold "${a}_1" || fail "uhold of ${a}_1"
assert_eq JobHeldUser "$(job_field "${a}_1" Reason)" "Reason of ${a}_1 after uhold"
hcancel "$a"
