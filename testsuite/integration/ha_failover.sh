#!/usr/bin/env bash
# Controller pair + witness: kill -9 of the active while 4 clients submit continuously.
# Every acknowledged job exists afterwards on the new active, a job that was running
# completes and is recorded, and the old active comes back as the passive.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 4 --cpus 4 --controllers 2
wait_active ctl1 20

step "a job runs across the failover"
run=$(submit -o "$WORK/run-%j.out" --wrap 'sleep 5; echo done')
wait_state "$run" RUNNING 20

step "4 submitters; kill -9 the active controller (ctl1) under load"
submitters_start 4 "$WORK/sub"
sleep 2
daemon_kill9 ctl1
sleep 4
submitters_stop "$WORK/sub"
n=$(wc -l <"$WORK/sub/acked")
((n > 20)) || fail "only $n submissions were acknowledged"
log "$n submissions acknowledged, $(cat "$WORK"/sub/failed.* 2>/dev/null | wc -l || true) failed"

step "ctl2 is active; every acknowledged job exists there, none twice"
wait_active ctl2 10
assert_all_acked_exist "$WORK/sub"
# A submission in flight at the kill is sent again to ctl2 with the same token: it gets
# the job ctl1 may have committed, not a second one. Beyond the acknowledged jobs there
# is the running job, and at most one per submission that gave up.
failed=$(cat "$WORK"/sub/failed.* 2>/dev/null | wc -l || true)
extra=$(comm -13 "$WORK/sub/acked" "$WORK/sub/known" | wc -l)
((extra <= failed + 1)) || fail "$extra jobs beyond the acknowledged ones ($failed submissions failed)"

step "the running job completes and is recorded"
wait_state "$run" COMPLETED 30
assert_file_has_line "$WORK/run-$run.out" "done"

step "a new job runs on the new active"
id=$(submit -o /dev/null --wrap true)
wait_state "$id" COMPLETED 30

step "ctl1 restarts as the passive and catches up"
daemon_start ctl1
wait_for 20 "ctl1 to be passive and in sync" \
  bash -c "hcontrol ping | grep -E '^herdctld ctl1 .*is UP: passive, in sync'"
wait_active ctl2 5
