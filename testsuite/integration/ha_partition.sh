#!/usr/bin/env bash
# Controllers and witness each in their own network namespace: the active cut off from
# both other voters stops accepting writes; the other side (ctl2 + witness) elects ctl2;
# healed, ctl1 rejoins as the passive.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_root

cluster_up --nodes 2 --cpus 2 --controllers 2 --netns
wait_active ctl1 20
only_ctl_conf ctl1 "$WORK/ctl1-only.conf"
ns=$(awk '$1 == "ns" && $2 == "ctl1" { print $3 }' "$CLUSTER/netns")
[[ -n $ns ]] || fail "ctl1 has no namespace"

step "cut ctl1 off"
"$HERD_LOCAL" cut ctl1 --dir "$CLUSTER" >&2
wait_active ctl2 10
id=$(submit -o /dev/null --wrap true)
wait_state "$id" COMPLETED 20

step "inside its namespace, ctl1 accepts no write"
if out=$(HERD_CONF=$WORK/ctl1-only.conf nsenter --net="/run/netns/$ns" \
  "$CLUSTER/bin/hbatch" -o /dev/null --wrap true 2>&1); then
  fail "ctl1, cut off from the majority, accepted a submission: $out"
fi
log "ctl1 answered: $out"

step "heal: ctl1 rejoins as the passive and gets the new state"
"$HERD_LOCAL" heal ctl1 --dir "$CLUSTER" >&2
wait_for 20 "ctl1 to be passive and in sync" \
  bash -c "hcontrol ping | grep -E '^herdctld ctl1 .*is UP: passive, in sync'"
wait_active ctl2 5
