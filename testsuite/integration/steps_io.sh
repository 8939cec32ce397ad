#!/usr/bin/env bash
# hrun's I/O and exit status: labelled output arrives in whole lines from the right rank,
# stdin reaches task 0 only, -o %t writes one file per task, hrun exits with the highest
# task exit code (a signal N counts as 128+N), hqueue -s lists a running step, and hrun
# inside a batch job runs steps of that job.
# shellcheck disable=SC2016  # the task commands are single-quoted: the tasks expand them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 4 --cpus 4

# Every task prints 5 lines of 500 zeros, each line in three writes with pauses between
# them, so the pieces of a line reach hrun separately and must be put back together.
cat >"$WORK/lines.sh" <<'EOF'
#!/bin/sh
for k in 1 2 3 4 5; do
  printf 'line %s of task %s on %s ' "$k" "$HERD_PROCID" "$HERD_NODENAME"
  sleep 0.05
  printf '%0500d' 0
  sleep 0.02
  printf ' end\n'
done
EOF
chmod 755 "$WORK/lines.sh"
zeros=$(printf '%0500d' 0)

# check_lines FILE LABELLED: 5 whole lines per rank 0..7, labelled with their own rank
# (when LABELLED), ranks 0-3 on one node and 4-7 on another (block distribution).
check_lines() {
  local file=$1 labelled=$2 line re r k node count
  local -A seen_node=() per_rank=()
  if ((labelled)); then
    re="^ *([0-9]+): line ([1-5]) of task ([0-9]+) on (n[0-9]+) $zeros end$"
  else
    re="^line ([1-5]) of task ([0-9]+) on (n[0-9]+) $zeros end$"
  fi
  while IFS= read -r line; do
    [[ $line =~ $re ]] || fail "a torn or foreign line in the output: '${line:0:120}...'"
    if ((labelled)); then
      [[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[3]}" ]] \
        || fail "line of task ${BASH_REMATCH[3]} labelled ${BASH_REMATCH[1]}"
      r=${BASH_REMATCH[3]} node=${BASH_REMATCH[4]}
    else
      r=${BASH_REMATCH[2]} node=${BASH_REMATCH[3]}
    fi
    per_rank[$r]=$((${per_rank[$r]:-0} + 1))
    seen_node[$r]=$node
  done <"$file"
  for ((r = 0; r < 8; r++)); do
    count=${per_rank[$r]:-0}
    ((count == 5)) || fail "task $r: $count lines in the output, expected 5"
  done
  for r in 1 2 3; do
    assert_eq "${seen_node[0]}" "${seen_node[$r]}" "node of task $r (block: with task 0)"
  done
  for r in 5 6 7; do
    assert_eq "${seen_node[4]}" "${seen_node[$r]}" "node of task $r (block: with task 4)"
  done
  [[ ${seen_node[0]} != "${seen_node[4]}" ]] || fail "tasks 0 and 4 on the same node ${seen_node[0]}"
  k=$(wc -l <"$file")
  ((k == 40)) || fail "$file has $k lines, expected 40"
}

step "hrun -N2 -n8 --label: whole lines, each labelled with its rank"
timeout 60 hrun -N2 -n8 --label "$WORK/lines.sh" >"$WORK/label.out" 2>"$WORK/label.err" \
  || fail "hrun -N2 -n8 --label exited $?: $(cat "$WORK/label.err")"
check_lines "$WORK/label.out" 1

step "hrun -N2 -n8 without --label: whole lines too"
timeout 60 hrun -N2 -n8 "$WORK/lines.sh" >"$WORK/plain.out" 2>"$WORK/plain.err" \
  || fail "hrun -N2 -n8 exited $?: $(cat "$WORK/plain.err")"
check_lines "$WORK/plain.out" 0

step "stdin goes to task 0 only"
out=$(echo data | timeout 60 hrun -n2 cat) || fail "echo data | hrun -n2 cat exited $?"
assert_eq "data" "$out" "output of echo data | hrun -n2 cat"
out=$(printf 'first\nsecond\n' | timeout 60 hrun -N2 -n2 --label cat) \
  || fail "hrun -N2 -n2 --label cat exited $?"
assert_eq $'0: first\n0: second' "$out" "output of printf 'first\\nsecond\\n' | hrun -N2 -n2 -l cat"
out=$(timeout 60 hrun -N2 -n2 --label sh -c 'wc -c </dev/stdin' </dev/null) \
  || fail "hrun with stdin /dev/null exited $?"
assert_eq $'0: 0\n1: 0' "$(sort <<<"$out")" "bytes read by each task from an empty stdin"

step "5 MB of binary stdin reach task 0 intact (and 50 MB to a task that reads late)"
head -c 5000000 /dev/urandom >"$WORK/stdin.bin"
sum=$(timeout 60 hrun -N2 -n2 --label sh -c 'md5sum | cut -d" " -f1' <"$WORK/stdin.bin") \
  || fail "hrun md5sum of stdin exited $?"
assert_eq "0: $(md5sum <"$WORK/stdin.bin" | cut -d' ' -f1)"$'\n'"1: d41d8cd98f00b204e9800998ecf8427e" \
  "$(sort <<<"$sum")" "md5 of what tasks 0 and 1 read from stdin"
head -c 50000000 /dev/urandom >"$WORK/stdin50.bin"
sum=$(timeout 120 hrun -n1 sh -c 'sleep 3; md5sum | cut -d" " -f1' <"$WORK/stdin50.bin") \
  || fail "hrun sleep 3; md5sum exited $?"
assert_eq "$(md5sum <"$WORK/stdin50.bin" | cut -d' ' -f1)" "$sum" "md5 of 50 MB read after 3 s"
rm -f "$WORK/stdin50.bin"

step "-o out.%t: one file per task, holding that task's output (and stderr)"
timeout 60 hrun -N2 -n4 -o "$WORK/out.%t" \
  sh -c 'echo "out of task $HERD_PROCID"; echo "err of task $HERD_PROCID" >&2' \
  >"$WORK/o.stdout" 2>"$WORK/o.stderr" || fail "hrun -o out.%t exited $?: $(cat "$WORK/o.stderr")"
for t in 0 1 2 3; do
  assert_eq "out of task $t"$'\n'"err of task $t" "$(sort -r "$WORK/out.$t")" "content of out.$t"
done
[[ ! -e $WORK/out.4 ]] || fail "out.4 exists for a 4-task step"
[[ ! -s $WORK/o.stdout ]] || fail "hrun printed task output although -o was given: $(cat "$WORK/o.stdout")"
step "-o and -e with %N and %t"
timeout 60 hrun -N2 -n2 -o "$WORK/o-%N-%t.txt" -e "$WORK/e-%N-%t.txt" \
  sh -c 'echo "o $HERD_PROCID"; echo "e $HERD_PROCID" >&2' || fail "hrun -o -e exited $?"
for t in 0 1; do
  f=$(ls "$WORK"/o-n*-"$t".txt 2>/dev/null) || fail "no o-<node>-$t.txt: $(ls "$WORK")"
  assert_eq "o $t" "$(cat "$f")" "content of $f"
  node=${f##*/o-}
  node=${node%-"$t".txt}
  assert_eq "e $t" "$(cat "$WORK/e-$node-$t.txt")" "content of e-$node-$t.txt"
done

step "exit status: the highest task exit code"
timeout 60 hrun -N2 -n4 true || fail "hrun -N2 -n4 true exited $?"
rc=0
timeout 60 hrun -N2 -n4 sh -c 'if [ "$HERD_PROCID" = 2 ]; then exit 3; fi; exit 0' \
  2>"$WORK/rc3.err" || rc=$?
assert_eq 3 "$rc" "exit code of hrun when task 2 exits 3"
grep -q "task 2" "$WORK/rc3.err" || fail "hrun did not name task 2: $(cat "$WORK/rc3.err")"
rc=0
timeout 60 hrun -N2 -n4 sh -c 'case $HERD_PROCID in 0) exit 2;; 3) exit 3;; esac; exit 0' \
  2>/dev/null || rc=$?
assert_eq 3 "$rc" "exit code of hrun when tasks exit 2 and 3"
rc=0
timeout 60 hrun -N2 -n4 sh -c 'case $HERD_PROCID in 1) kill -KILL $$;; 3) exit 3;; esac; exit 0' \
  2>"$WORK/rc137.err" || rc=$?
assert_eq 137 "$rc" "exit code of hrun when task 1 is killed by SIGKILL (and task 3 exits 3)"

step "hqueue -s lists a running step as JOB.STEP"
timeout 90 hrun -N2 -n2 -J iostep sleep 60 >"$WORK/iostep.out" 2>&1 &
hpid=$!
wait_for 30 "hqueue -s shows the step of iostep" \
  sh -c 'hqueue -s -h -o "%i %j" | grep -q " iostep$"'
jobid=$(hqueue -h -n iostep -o %i | tr -d '[:space:]')
assert_match '^[0-9]+$' "$jobid" "job id of the hrun allocation"
line=$(hqueue -s -h | awk -v j="$jobid" '$1 ~ "^" j "\\." { print; exit }')
assert_match "^ *$jobid\\.0 +iostep +[^ ]+ +root +[0-9:]+ +n\\[?[0-9]" "$line" "hqueue -s line of the step"
assert_eq 2 "$(hqueue -h -j "$jobid" -o %D | tr -d '[:space:]')" "nodes of the allocation"
kill -INT "$hpid"
wait_exit "$hpid" 30 "hrun after SIGINT"
((EXIT_RC != 0)) || fail "hrun interrupted while its tasks sleep exited 0"
wait_for 20 "the step leaves hqueue -s" sh -c "! hqueue -s -h | grep -q '^ *$jobid\\.'"
wait_state "$jobid" "CANCELLED|FAILED|COMPLETED" 20

step "hrun inside a batch job runs steps of that job"
cat >"$WORK/batch.sh" <<'EOF'
#!/bin/bash
hrun -l sh -c 'echo "job=$HERD_JOB_ID step=$HERD_STEP_ID node=$HERD_NODENAME ntasks=$HERD_NTASKS"' | sort
hrun -N1 -n1 sh -c 'echo "second step=$HERD_STEP_ID"'
hrun -n1 sh -c 'exit 4'
echo "rc=$?"
EOF
id=$(submit -N2 -n4 -o "$WORK/batch-%j.out" "$WORK/batch.sh")
wait_state "$id" COMPLETED 60
out=$WORK/batch-$id.out
nodes=()
for t in 0 1 2 3; do
  line=$(grep -E "^ *$t: " "$out") || fail "no line of task $t in $out: $(cat "$out")"
  assert_match "^ *$t: job=$id step=0 node=n[0-9]+ ntasks=4$" "$line" "task $t of step $id.0"
  nodes+=("${line##*node=}")
done
assert_eq 2 "$(printf '%s\n' "${nodes[@]}" | awk '{print $1}' | sort -u | wc -l)" \
  "number of nodes the 4 tasks of step $id.0 ran on"
assert_file_has_line "$out" "second step=1"
assert_file_has_line "$out" "rc=4"
