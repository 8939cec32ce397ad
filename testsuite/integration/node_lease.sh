#!/usr/bin/env bash
# shellcheck disable=SC2016  # $HERD_* in --wrap strings expand in the job, not here
# No job runs twice when its node is cut off (doc/ha.md, "Lost nodes"): the node goes DOWN
# after NodeTimeout, its herdd stops the job itself once it has had no answer from the
# controller for NodeLease, and the controller requeues the job only after NodeLease +
# KillWait + 5 s since its last contact with the node. The job appends a timestamped line
# every 0.2 s to a file both runs share: every line of the first run comes before the
# second run's first line. Prints the requeue delay (cut -> second start).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
command -v ip >/dev/null || skip "no 'ip' command (iproute2)"
command -v nsenter >/dev/null || skip "no nsenter (util-linux)"

cluster_up --nodes 2 --cpus 2 --netns # NodeTimeout=5, KillWait=2: NodeLease 10 s
runs=$WORK/runs

step "a job that logs its node and the time"
id=$(submit -o "$WORK/lease-%j.out" --wrap "
  echo \"start \$HERD_JOB_NODELIST \$(date +%s.%N)\" >>$runs
  for i in \$(seq 150); do echo \"tick \$HERD_JOB_NODELIST \$(date +%s.%N)\" >>$runs; sleep 0.2; done
  echo \"end \$HERD_JOB_NODELIST \$(date +%s.%N)\" >>$runs")
wait_state "$id" RUNNING 30
node=$(job_field "$id" NodeList)
other=n1
[[ $node == n1 ]] && other=n2
wait_for 10 "the job's first line" grep -q "^start $node " "$runs"

step "cut $node off"
t_cut=$(date +%s.%N)
"$HERD_LOCAL" cut "$node" --dir "$CLUSTER" >&2
wait_node_state "$node" 'down\*?|DOWN\*?' 20
log "$node DOWN after $(awk -v a="$t_cut" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
assert_eq RUNNING "$(job_state "$id")" "state of the job while $node's lease may still run"

step "herdd $node stops the job itself; the controller requeues it onto $other afterwards"
wait_for 60 "the job to start again on $other" grep -q "^start $other " "$runs"
t_second=$(awk -v n="$other" '$1 == "start" && $2 == n { print $3; exit }' "$runs")
last_first=$(awk -v n="$node" '$2 == n { t = $3 } END { print t }' "$runs")
log "first run's last line at $last_first, second run's start at $t_second"
awk -v a="$last_first" -v b="$t_second" 'BEGIN { exit !(a < b) }' \
  || fail "the two runs overlap: $node wrote at $last_first, after $other started at $t_second"
grep -q "^end $node " "$runs" && fail "the first run was not stopped: it ran to its end on $node"
log "requeue delay (cut -> start on $other): $(awk -v a="$t_cut" -v b="$t_second" 'BEGIN { printf "%.1f", b - a }') s"
grep -q "NodeLease" "$CLUSTER/log/herdd-$node.log" \
  || fail "herdd $node did not log stopping the job for its lease: $(tail -5 "$CLUSTER/log/herdd-$node.log")"
assert_eq 1 "$(job_field "$id" Restarts)" "Restarts of the requeued job"

step "heal $node: it returns, the old run's report does not end the new run"
"$HERD_LOCAL" heal "$node" --dir "$CLUSTER" >&2
wait_node_state "$node" idle 30
sleep 2
assert_eq RUNNING "$(job_state "$id")" "state of the second run after $node reported the first"
assert_eq "$other" "$(job_field "$id" NodeList)" "NodeList of the second run"
# The first run logged nothing after the second started.
t_after=$(awk -v n="$node" '$2 == n { t = $3 } END { print t }' "$runs")
assert_eq "$last_first" "$t_after" "last line of the first run after the heal"
hcancel "$id"
wait_state "$id" CANCELLED 30
