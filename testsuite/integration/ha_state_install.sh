#!/usr/bin/env bash
# A passive controller's state directory obeys the same rules as the active's: ctl2,
# given an empty state directory while the active (ctl1) has no tail of records in memory
# to send it, receives the active's whole state (a snapshot install, written as its
# checkpoint and a new journal), journals the records after it, loads all of that after
# kill -9, and takes over with every job.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2 --controllers 2
wait_active ctl1 20

step "submit 6 held jobs"
for ((i = 0; i < 6; i++)); do submit -H -o /dev/null --wrap true >>"$WORK/ids"; done

step "ctl2 stops and loses its state directory; ctl1 restarts (checkpoint, no tail)"
"$HERD_LOCAL" stop ctl2 --dir "$CLUSTER" >&2
rm -rf "$CLUSTER/state/ctl2"
"$HERD_LOCAL" stop ctl1 --dir "$CLUSTER" >&2
daemon_start ctl1
wait_active ctl1 20

step "ctl2 starts empty and receives the active's state"
CTL2_LOG=$CLUSTER/log/herdctld-ctl2.log
before=$(wc -l <"$CTL2_LOG")
daemon_start ctl2
wait_for 30 "ctl2 to be passive and in sync" \
  bash -c "hcontrol ping | grep -E '^herdctld ctl2 .*is UP: passive, in sync'"
tail -n +"$((before + 1))" "$CTL2_LOG" | grep -qE "installed the state of ctl1 at record [0-9]+ \(6 jobs\)" \
  || fail "ctl2 did not install the active's state with its 6 jobs (log: $(tail -n 5 "$CTL2_LOG"))"

step "4 more held jobs, journaled by ctl2 after the installed state"
for ((i = 0; i < 4; i++)); do submit -H -o /dev/null --wrap true >>"$WORK/ids"; done
sort -n "$WORK/ids" >"$WORK/want"

step "kill -9 ctl2 and start it: it loads its installed checkpoint (6 jobs) and journal (4)"
daemon_kill9 ctl2
daemon_start ctl2
wait_for 30 "ctl2 to be passive and in sync again" \
  bash -c "hcontrol ping | grep -E '^herdctld ctl2 .*is UP: passive, in sync'"
if grep -q "cannot recover state" "$CTL2_LOG"; then
  fail "ctl2 refused its own state: $(grep "cannot recover state" "$CTL2_LOG")"
fi
tail -n 20 "$CTL2_LOG" | grep -qE "recovered: checkpoint loaded, [1-9][0-9]* journal records.* 10 pending" \
  || fail "ctl2 did not load its checkpoint and the records after it (log: $(grep recovered: "$CTL2_LOG" | tail -n 1))"

step "kill -9 ctl1: ctl2 takes over with all 10 jobs"
daemon_kill9 ctl1
wait_active ctl2 20
hqueue -t all -h -o "%i %T" | awk '$2 == "PENDING" { print $1 }' | sort -n >"$WORK/have"
diff -q "$WORK/want" "$WORK/have" >/dev/null \
  || fail "jobs on ctl2 differ: $(diff "$WORK/want" "$WORK/have" | head -n 10)"
