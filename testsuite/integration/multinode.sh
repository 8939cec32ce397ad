#!/usr/bin/env bash
# shellcheck disable=SC2016  # $HERD_* in --wrap strings expand in the job, not here
# A -N2 job is allocated two nodes; its environment and hcontrol agree on them, both nodes
# are busy while it runs and idle after.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 3

step "submit -N2"
id=$(submit -N 2 -o "$WORK/mn-%j.out" \
  --wrap 'echo "NODELIST=$HERD_JOB_NODELIST"; echo "NUM_NODES=$HERD_JOB_NUM_NODES"; echo "SNODES=$SLURM_JOB_NUM_NODES"; sleep 3')
wait_state "$id" RUNNING 30

step "both allocated nodes are busy while it runs"
nodelist=$(job_field "$id" NodeList)
assert_match '^n(\[[1-3][-,][1-3]\]|[1-3],n[1-3])$' "$nodelist" "NodeList of a -N2 job"
busy=$(hinfo -N -h -o "%N %t" | awk '$2 != "idle" { print $1 }' | sort | tr '\n' ' ')
n_busy=$(wc -w <<<"$busy")
assert_eq 2 "$n_busy" "number of non-idle nodes while the -N2 job runs (busy: $busy)"
assert_eq 2 "$(job_field "$id" NumNodes)" "NumNodes in hcontrol show job"

step "the job completes with the 2-node environment"
wait_state "$id" COMPLETED 30
out=$WORK/mn-$id.out
assert_file_has_line "$out" "NODELIST=$nodelist"
assert_file_has_line "$out" "NUM_NODES=2"
assert_file_has_line "$out" "SNODES=2"

step "-N3 uses every node; the nodes are idle afterwards"
id=$(submit -N 3 -o "$WORK/mn3-%j.out" --wrap 'echo "NODELIST=$HERD_JOB_NODELIST"')
wait_state "$id" COMPLETED 30
assert_file_has_line "$WORK/mn3-$id.out" "NODELIST=n[1-3]"
for n in n1 n2 n3; do wait_node_state "$n" idle 15; done
