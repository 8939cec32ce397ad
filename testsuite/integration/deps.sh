#!/usr/bin/env bash
# Dependencies and --begin on real daemons, through a kill -9 of the controller: an afterok
# chain runs in order, an afternotok branch never runs (DependencyNeverSatisfied), one with
# --kill-on-invalid-dep=yes is cancelled, --begin=now+3 starts no earlier; a dependency on
# a job herd does not know is refused at submission.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

step "refused at submission: unknown job, bad syntax, burst buffers"
for bad in afterok:99999 afterok: sometime:1 afterburstbuffer:1; do
  if out=$(hbatch --parsable -d "$bad" --wrap true 2>&1); then
    fail "hbatch -d $bad was accepted: $out"
  fi
  assert_match 'Job dependency problem' "$out" "hbatch -d $bad"
done
if out=$(hbatch --parsable --begin=soonish --wrap true 2>&1); then fail "--begin=soonish accepted"; fi
assert_match 'Invalid --begin specification' "$out" "hbatch --begin=soonish"

step "a chain, a branch that never runs, one cancelled, one that begins later"
a=$(submit -o /dev/null --wrap 'sleep 3')
b=$(submit -d "afterok:$a" -o "$WORK/b.out" --wrap 'date +%s')
c=$(submit -d "afterok:$b" -o "$WORK/c.out" --wrap 'date +%s')
n=$(submit -d "afternotok:$a" -o /dev/null --wrap true)
k=$(submit -d "afternotok:$a" --kill-on-invalid-dep=yes -o /dev/null --wrap true)
t0=$(date +%s)
g=$(submit --begin=now+3 -o "$WORK/g.out" --wrap 'date +%s')
assert_eq Dependency "$(job_field "$b" Reason)" "Reason of $b"
assert_eq "afterok:$a(unfulfilled)" "$(hqueue -h -j "$b" -o %E)" "%E of $b"
assert_eq BeginTime "$(job_field "$g" Reason)" "Reason of $g"

step "kill -9 herdctld while they wait, and start it again"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h

step "the chain ran in order; the branch never will; --begin was kept"
wait_state "$c" COMPLETED 60
a_end=$(job_field "$a" EndTime)
b_start=$(job_field "$b" StartTime)
c_start=$(job_field "$c" StartTime)
b_end=$(job_field "$b" EndTime)
[[ ! $b_start < $a_end ]] || fail "$b started ($b_start) before $a ended ($a_end)"
[[ ! $c_start < $b_end ]] || fail "$c started ($c_start) before $b ended ($b_end)"
assert_eq PENDING "$(job_state "$n")" "state of the afternotok branch $n"
assert_eq DependencyNeverSatisfied "$(job_field "$n" Reason)" "Reason of $n"
assert_eq "afternotok:$a(failed)" "$(job_field "$n" Dependency)" "Dependency= of $n"
wait_state "$k" CANCELLED 30
assert_eq DependencyNeverSatisfied "$(job_field "$k" Reason)" "Reason of the cancelled $k"
wait_state "$g" COMPLETED 30
started=$(cat "$WORK/g.out")
((started >= t0 + 3)) || fail "--begin=now+3 job started at $started, before $((t0 + 3))"

step "still right after a second restart: the branch waits, its job is kept"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h
assert_eq DependencyNeverSatisfied "$(job_field "$n" Reason)" "Reason of $n after a restart"
hcancel "$n" || fail "hcancel $n"
wait_state "$n" CANCELLED 30
