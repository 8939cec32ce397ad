#!/usr/bin/env bash
# A controller whose state was lost starts at a low epoch; node daemons that have seen a
# higher one refuse its answers (fencing). They must not stay "unknown" forever: they go
# DOWN with the reason (the epoch they have seen), and come back without a restart of
# herdd once the controller is started with --min-epoch above it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

step "raise the epoch by restarting the controller twice"
for _ in 1 2; do
  daemon_kill9 ctl1
  daemon_start ctl1
  wait_node_state n1 idle 30
done
epoch=$(hinfo --controllers -h 2>/dev/null | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit } }')
log "controllers: $(hinfo --controllers 2>&1 | tr '\n' ' ')"

step "the controller loses its state"
daemon_kill9 ctl1
state=$(sed -n 's/^StateDir=//p' "$HERD_CONF" | sed 's/%n/ctl1/')
[[ -d $state ]] || fail "no state directory $state"
rm -rf "${state:?}"/*
daemon_start ctl1

step "the nodes refuse it: they go DOWN with the reason"
wait_node_state n1 'down\*?' 40
reason=$(hinfo -N -h -o "%N %E" | awk '$1 == "n1" { $1 = ""; print }')
log "n1: $reason"
[[ $reason == *"Fenced: node has seen controller epoch"* ]] || fail "reason of n1: '$reason'"
seen=$(sed -nE 's/.*seen controller epoch ([0-9]+).*/\1/p' <<<"$reason")
[[ -n $seen ]] || fail "no epoch in the reason: $reason"
[[ -z $epoch || $seen -ge $epoch ]] || fail "the node reports epoch $seen, the controller had reached $epoch"
hcontrol show node n1 | grep -q "Fenced" || fail "hcontrol show node n1 does not say why: $(hcontrol show node n1)"
grep -q "refuses this controller: it has seen controller epoch $seen" "$CLUSTER/log/herdctld-ctl1.log" \
  || fail "herdctld did not log the fenced node"

step "the admin step: herdctld --min-epoch $seen; herdd is not restarted"
n1_pid=$(daemon_pid n1)
daemon_kill9 ctl1
HERD_LOCAL_CTLD_ARGS="--min-epoch $seen" daemon_start ctl1
wait_node_state n1 idle 30
wait_node_state n2 idle 30
assert_eq "$n1_pid" "$(daemon_pid n1)" "pid of herdd n1"
id=$(submit -N 2 -o /dev/null --wrap true)
wait_state "$id" COMPLETED 30
