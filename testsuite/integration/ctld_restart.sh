#!/usr/bin/env bash
# kill -9 of the controller loses nothing: 200 queued (held) jobs are still there after a
# restart, 4 jobs that ran (and ended) while it was dead end COMPLETED, and an allocation
# (halloc) lives through a restart, its hrun steps before and after it included.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 4 --cpus 4

step "queue 200 held jobs"
for ((i = 0; i < 200; i++)); do
  submit -H -o /dev/null --wrap true >>"$WORK/held.ids"
done
sort -n "$WORK/held.ids" >"$WORK/held.sorted"
assert_eq 200 "$(sort -u "$WORK/held.ids" | wc -l)" "distinct job ids of 200 submissions"

step "run 4 whole-node jobs (-c 4, sleep 6)"
running=()
for ((i = 0; i < 4; i++)); do
  running+=("$(submit -c 4 -o "$WORK/run-%j.out" --wrap 'sleep 6; echo done')")
done
for id in "${running[@]}"; do wait_state "$id" RUNNING 30; done
for n in n1 n2 n3 n4; do wait_node_state "$n" 'alloc' 10; done

step "kill -9 herdctld, keep it dead while the 4 jobs end"
daemon_kill9 ctl1
sleep 7

step "restart herdctld"
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h

step "all 200 held jobs are still queued, still held"
hqueue -t all -h -o "%i %T" | sort -n >"$WORK/after.txt"
awk '$2 == "PENDING" { print $1 }' "$WORK/after.txt" >"$WORK/after.pending"
if ! diff -q "$WORK/held.sorted" "$WORK/after.pending" >/dev/null; then
  fail "held jobs after restart differ: $(diff "$WORK/held.sorted" "$WORK/after.pending" | head -n 10)"
fi
first=$(head -n 1 "$WORK/held.sorted")
assert_match 'held|Held|JobHeld' "$(job_field "$first" Reason)" "Reason of held job $first"

step "the 4 jobs that ran across the restart end COMPLETED"
for id in "${running[@]}"; do
  wait_state "$id" COMPLETED 30
  assert_file_has_line "$WORK/run-$id.out" "done"
done
for n in n1 n2 n3 n4; do wait_node_state "$n" idle 20; done

step "a new job gets a fresh id and runs"
last=$(tail -n 1 "$WORK/held.sorted")
for id in "${running[@]}"; do ((id > last)) && last=$id; done
id=$(submit -o /dev/null --wrap true)
((id > last)) || fail "job id $id reused after restart (highest before: $last)"
wait_state "$id" COMPLETED 30

step "the held jobs can be cancelled"
# shellcheck disable=SC2046
hcancel $(cat "$WORK/held.sorted") || fail "hcancel of the 200 held jobs failed"
wait_for 30 "no job pending" bash -c "[[ -z \$(hqueue -h -t PENDING -o %i) ]]"

step "a halloc allocation lives through a restart of herdctld; hrun in it works after it"
# shellcheck disable=SC2016  # expanded by the allocation's shell
timeout 120 halloc -N2 -n2 bash -c \
  'hrun hostname >"$0.before" && while [[ ! -e $0.go ]]; do sleep 0.2; done &&
   hrun hostname >"$0.after"' "$WORK/alloc" >"$WORK/alloc.stdout" 2>"$WORK/alloc.err" &
apid=$!
wait_for 60 "the allocation's first hrun" test -s "$WORK/alloc.before"
alloc_id=$(hqueue -h -t RUNNING -o %i | head -n 1)
daemon_kill9 ctl1
sleep 1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h
for n in n1 n2 n3 n4; do wait_node_state "$n" '(idle|mix|alloc)' 20; done
assert_eq RUNNING "$(job_field "$alloc_id" JobState)" "state of allocation $alloc_id after the restart"
touch "$WORK/alloc.go"
wait_exit "$apid" 60 "halloc across the restart"
assert_eq 0 "$EXIT_RC" "halloc's exit status (stderr: $(head -c 1500 "$WORK/alloc.err"))"
assert_eq 2 "$(wc -l <"$WORK/alloc.after")" "tasks of the hrun after the restart"
wait_state "$alloc_id" COMPLETED 30
