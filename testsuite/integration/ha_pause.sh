#!/usr/bin/env bash
# A paused (SIGSTOP) active is replaced; when it wakes up (SIGCONT) it finds itself fenced:
# it accepts no write and launches nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2 --controllers 2
wait_active ctl1 20
only_ctl_conf ctl1 "$WORK/ctl1-only.conf"

step "SIGSTOP the active (ctl1) past its lease; ctl2 takes over"
kill -STOP "$(daemon_pid ctl1)"
wait_active ctl2 10
id=$(submit -o "$WORK/out-%j" --wrap 'echo ran')
wait_state "$id" COMPLETED 20

step "queue work that ctl1 could try to launch, then SIGCONT it"
for i in 1 2 3; do submit -o "$WORK/held-%j" -H --wrap 'echo ran' >>"$WORK/held.ids"; done
kill -CONT "$(daemon_pid ctl1)"
sleep 2

step "ctl1 refuses writes (it names the active) and is passive"
if out=$(HERD_CONF=$WORK/ctl1-only.conf hbatch -o /dev/null --wrap true 2>&1); then
  fail "the woken old active accepted a submission: $out"
fi
log "ctl1 answered: $out"
assert_match 'passive|not the active|active' "$(ha_role ctl1)" "role of ctl1"
[[ $(ha_role ctl1) != active ]] || fail "ctl1 is active again"
wait_active ctl2 5

step "the job that ran did so once; the held jobs did not run"
assert_eq 1 "$(grep -c ran "$WORK/out-$id")" "lines of job $id's output"
while read -r h; do
  [[ ! -e $WORK/held-$h ]] || fail "held job $h ran"
  assert_eq PENDING "$(job_state "$h")" "state of held job $h"
done <"$WORK/held.ids"
grep -q 'lease expired\|no longer active\|fenced\|-> passive' "$CLUSTER/log/herdctld-ctl1.log" \
  || fail "ctl1's log does not show it stepping down"
