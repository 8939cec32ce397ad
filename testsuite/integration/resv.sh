#!/usr/bin/env bash
# Advance reservations on real daemons: one made on n1 from now keeps a job without it off
# n1 (the job runs on n2, a second one waits rather than take n1); a job with
# --reservation runs on n1; hcontrol show reservation / hinfo -T show it; it survives
# kill -9 of the controller; it cannot be deleted while a job runs in it, then can, and
# the waiting job takes n1.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

until_marker() { echo "while [ ! -e $WORK/$1 ]; do sleep 0.1; done"; }

step "create a reservation on n1 from now, named as Slurm names it"
out=$(hcontrol create reservation StartTime=now Duration=10 Nodes=n1 Users=root 2>&1) \
  || fail "create reservation: $out"
assert_eq "Reservation created: root_1" "$out" "hcontrol create's answer"
err=$(hcontrol create reservation StartTime=now Duration=10 Nodes=n1 Users=root 2>&1) \
  && fail "an overlapping reservation was accepted"
assert_eq "Error creating the reservation: Requested reservation overlaps with another reservation" \
  "$err" "the overlap's refusal"
err=$(hbatch --reservation=nosuch --wrap true 2>&1) && fail "an unknown reservation was accepted"
assert_match "Requested reservation is invalid" "$err" "hbatch --reservation=nosuch"

step "jobs without it keep off n1; a job in it runs there"
outside=$(submit -N1 -n2 -t 5 -o /dev/null --wrap "$(until_marker end)")
wait_state "$outside" RUNNING 20
assert_eq n2 "$(hqueue -h -j "$outside" -o %N | tr -d ' ')" "the job without the reservation's node"
waiting=$(submit -N1 -n2 -t 5 -o /dev/null --wrap "$(until_marker end)")
inside=$(submit --reservation=root_1 -N1 -n2 -t 5 -o /dev/null --wrap "$(until_marker end)")
wait_state "$inside" RUNNING 20
assert_eq n1 "$(hqueue -h -j "$inside" -o %N | tr -d ' ')" "the job in the reservation's node"
assert_eq PENDING "$(job_state "$waiting")" "the second job without the reservation"
assert_eq root_1 "$(job_field "$inside" Reservation)" "hcontrol show job Reservation="

step "shown as scontrol and sinfo -T show it"
show=$(hcontrol show reservation root_1 -o)
assert_match "^ReservationName=root_1 StartTime=[0-9T:-]+ EndTime=[0-9T:-]+ Duration=00:10:00 Nodes=n1 NodeCnt=1 CoreCnt=2 .* Flags=SPEC_NODES .* Users=root .* State=ACTIVE " \
  "$show" "hcontrol show reservation -o"
assert_match "^root_1 +ACTIVE +[0-9T:-]+ +[0-9T:-]+ +00:10:00  n1$" "$(hinfo -T -h)" "hinfo -T"

step "kill -9 of the controller keeps it"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hcontrol to answer after the restart" hcontrol show reservation root_1
assert_match "Nodes=n1 " "$(hcontrol show reservation root_1 -o)" "the reservation after kill -9"

step "not deleted while a job runs in it; then deleted, and n1 is anyone's"
err=$(hcontrol delete reservation root_1 2>&1) && fail "a reservation in use was deleted"
assert_match "Requested reservation is in use" "$err" "delete of a reservation in use"
hcancel "$inside"
wait_state "$inside" CANCELLED 20
hcontrol delete ReservationName=root_1 || fail "delete reservation"
assert_eq "No reservations in the system" "$(hcontrol show reservation)" "after the delete"
wait_state "$waiting" RUNNING 20
assert_eq n1 "$(hqueue -h -j "$waiting" -o %N | tr -d ' ')" "the waiting job's node"
touch "$WORK/end"
