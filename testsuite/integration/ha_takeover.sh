#!/usr/bin/env bash
# hcontrol takeover under submission load moves the active role and loses nothing: every
# acknowledged job exists, no submission failed, and it works back again.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2 --controllers 2
wait_active ctl1 20
wait_for 20 "ctl2 in sync" bash -c "hcontrol ping | grep -E '^herdctld ctl2 .*passive, in sync'"

step "hcontrol takeover while 4 clients submit"
submitters_start 4 "$WORK/sub"
sleep 1
hcontrol takeover || fail "hcontrol takeover failed"
wait_active ctl2 10
sleep 1
submitters_stop "$WORK/sub"
failed=$(cat "$WORK"/sub/failed.* 2>/dev/null | wc -l || true)
assert_eq 0 "$failed" "submissions refused during the takeover ($(cat "$WORK"/sub/errors.* 2>/dev/null | head -n 3))"
assert_all_acked_exist "$WORK/sub"

step "and back to ctl1"
wait_for 20 "ctl1 in sync" bash -c "hcontrol ping | grep -E '^herdctld ctl1 .*passive, in sync'"
hcontrol takeover ctl1 || fail "hcontrol takeover ctl1 failed"
wait_active ctl1 10
id=$(submit -o /dev/null --wrap true)
wait_state "$id" COMPLETED 20
