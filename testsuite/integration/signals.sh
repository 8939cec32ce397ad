#!/usr/bin/env bash
# Signals and failures around a running step: SIGINT is forwarded to the tasks; two
# SIGINTs within a second abort the step; --kill-on-bad-exit ends the step when a task
# fails; a node whose herdd and step daemon are killed (-9) mid-step ends the step with a
# message naming it, releases a standalone allocation and does not leave a batch job
# hanging; the restarted herdd kills what is left of the step there.
# shellcheck disable=SC2016  # the task commands are single-quoted: the tasks expand them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 4 --cpus 4

# wait_lines FILE REGEX COUNT TIMEOUT_S: until FILE has COUNT lines matching REGEX.
wait_lines() {
  local file=$1 re=$2 count=$3 timeout=$4 t0=$SECONDS n
  while :; do
    n=$(grep -cE -- "$re" "$file" 2>/dev/null || true)
    ((n >= count)) && return 0
    ((SECONDS - t0 < timeout)) \
      || fail "$file: $n of $count lines /$re/ after ${timeout}s; it holds: $(head -c 2000 "$file")"
    sleep 0.1
  done
}

step "SIGINT reaches the tasks: both run their INT trap and hrun exits with their code"
hrun -N2 -n2 --label sh -c 'trap "echo got INT; exit 5" INT; echo ready; sleep 100' \
  >"$WORK/int.out" 2>"$WORK/int.err" &
hpid=$!
wait_lines "$WORK/int.out" '^ *[01]: ready$' 2 30
kill -INT "$hpid"
wait_exit "$hpid" 30 "hrun after one SIGINT"
assert_eq 5 "$EXIT_RC" "exit code of hrun (both tasks exit 5 from their trap)"
assert_file_has_line "$WORK/int.out" "0: got INT"
assert_file_has_line "$WORK/int.out" "1: got INT"
assert_eq 2 "$(grep -c 'got INT' "$WORK/int.out")" "number of 'got INT' lines"
wait_no_cluster_procs 20 "sleep 100"

step "two SIGINTs within a second: hrun ends the step at once (plain sleep tasks)"
hrun -N2 -n4 --label sh -c 'echo ready; exec sleep 391' >"$WORK/int2.out" 2>"$WORK/int2.err" &
hpid=$!
wait_lines "$WORK/int2.out" '^ *[0-3]: ready$' 4 30
t0=$SECONDS
kill -INT "$hpid"
sleep 0.2
kill -INT "$hpid" 2>/dev/null || true # hrun may be gone already: sleep dies of the first
wait_exit "$hpid" 30 "hrun after two SIGINTs"
log "hrun exited $EXIT_RC after $((SECONDS - t0)) s"
((EXIT_RC != 0)) || fail "hrun exited 0 after two SIGINTs"
wait_no_cluster_procs 20 "sleep 391"

step "two SIGINTs within a second: tasks that ignore SIGINT are killed"
hrun -N2 -n4 --label sh -c 'trap "" INT; echo ready; sleep 392; echo "still here"' \
  >"$WORK/int3.out" 2>"$WORK/int3.err" &
hpid=$!
wait_lines "$WORK/int3.out" '^ *[0-3]: ready$' 4 30
t0=$SECONDS
kill -INT "$hpid"
sleep 0.2
kill -INT "$hpid"
wait_exit "$hpid" 30 "hrun after two SIGINTs (tasks ignore SIGINT)"
log "hrun exited $EXIT_RC after $((SECONDS - t0)) s: $(tr '\n' '|' <"$WORK/int3.err")"
((EXIT_RC != 0)) || fail "hrun exited 0 after two SIGINTs"
wait_no_cluster_procs 20 "sleep 392"
if grep -q 'still here' "$WORK/int3.out"; then fail "a task survived: $(cat "$WORK/int3.out")"; fi

step "--kill-on-bad-exit: one task fails, the sleeping others are killed"
t0=$SECONDS
rc=0
timeout 60 hrun -N4 -n4 --kill-on-bad-exit \
  sh -c 'if [ "$HERD_PROCID" = 2 ]; then sleep 1; exit 4; fi; sleep 393; echo "still here"' \
  >"$WORK/k.out" 2>"$WORK/k.err" || rc=$?
log "hrun -K exited $rc after $((SECONDS - t0)) s"
((rc != 0 && rc != 124)) || fail "hrun --kill-on-bad-exit exited $rc: $(cat "$WORK/k.err")"
if grep -q 'still here' "$WORK/k.out"; then fail "a task survived: $(cat "$WORK/k.out")"; fi
grep -q 'task 2' "$WORK/k.err" || fail "hrun did not name the failed task 2: $(cat "$WORK/k.err")"
wait_no_cluster_procs 20 "sleep 393"
step "without --kill-on-bad-exit the others run on"
timeout 60 hrun -N2 -n2 --label sh -c 'if [ "$HERD_PROCID" = 1 ]; then exit 4; fi; sleep 2; echo done' \
  >"$WORK/nok.out" 2>/dev/null && fail "hrun exited 0 although task 1 exited 4"
assert_file_has_line "$WORK/nok.out" "0: done"

# stepd_pid NODE JOBID: the step daemon of step JOBID.0 on NODE.
stepd_pid() {
  cluster_procs "herdstepd .*--node $1 .*--dir $CLUSTER/spool/$1/job$2\\.[0-9]+\\.0( |\$)"
}

# kill_node NODE JOBID: kill -9 NODE's herdd and the step daemon of JOBID.0 there.
kill_node() {
  local node=$1 job=$2 hd sd
  hd=$(daemon_pid "$node") || fail "no herdd for $node"
  sd=$(stepd_pid "$node" "$job")
  [[ -n $sd ]] || fail "no step daemon of $job.0 on $node"
  log "kill -9 herdd $hd and herdstepd $sd of $node"
  # shellcheck disable=SC2086  # one pid per word
  kill -KILL "$hd" $sd
}

step "kill -9 of one node's herdd and step daemon mid-step (standalone hrun)"
hrun -N3 -n3 -w 'n[1-3]' -J nfjob --label sh -c 'echo ready; exec sleep 394' >"$WORK/nf.out" 2>"$WORK/nf.err" &
hpid=$!
wait_lines "$WORK/nf.out" '^ *[0-2]: ready$' 3 30
jobid=$(hqueue -h -n nfjob -o %i | tr -d '[:space:]')
assert_match '^[0-9]+$' "$jobid" "job id of the standalone hrun"
stepd_on_n3() { [[ -n $(stepd_pid n3 "$jobid") ]]; }
wait_for 20 "step daemons on n1-n3" stepd_on_n3
t0=$SECONDS
kill_node n2 "$jobid"
wait_exit "$hpid" 60 "hrun after n2 died"
log "hrun exited $EXIT_RC after $((SECONDS - t0)) s: $(tr '\n' '|' <"$WORK/nf.err")"
((EXIT_RC != 0)) || fail "hrun exited 0 although node n2 died"
grep -E 'error' "$WORK/nf.err" | grep -qw 'n2' \
  || fail "hrun's messages do not name n2: $(cat "$WORK/nf.err")"
wait_state "$jobid" "NODE_FAIL|FAILED|CANCELLED|COMPLETED" 30
wait_node_state n1 idle 30
wait_node_state n3 idle 30
# the tasks on n1 and n3 are gone; the one on n2 lost its step daemon
left=$(cluster_procs "sleep 394")
assert_eq 1 "$(wc -w <<<"$left")" "tasks of the step left (only the one of dead n2)"

step "the restarted herdd of n2 kills what is left of the step"
daemon_start n2
wait_no_cluster_procs 30 "sleep 394"
wait_node_state n2 idle 30

step "kill -9 of a node's herdd and step daemon under hrun in a batch job: the job ends"
cat >"$WORK/nf.sh" <<'EOF'
#!/bin/bash
hrun -N2 -n2 --label sh -c 'echo ready; exec sleep 395'
echo "hrun_rc=$?"
EOF
id=$(submit --no-requeue -N2 -w 'n[3-4]' -o "$WORK/nfb-%j.out" "$WORK/nf.sh")
wait_state "$id" RUNNING 30
wait_lines "$WORK/nfb-$id.out" '^ *[01]: ready$' 2 30
batch_node=$(hqueue -h -j "$id" -o %N | tr -d '[:space:]')
victim=n4
[[ $batch_node == "n[3-4]" ]] || fail "job $id runs on $batch_node, not n[3-4]"
kill_node "$victim" "$id"
wait_state "$id" "NODE_FAIL|FAILED|CANCELLED|COMPLETED" 60
log "job $id ended $(job_state "$id"); output: $(tr '\n' '|' <"$WORK/nfb-$id.out")"
wait_node_state n3 idle 30
# everything of the job on n3 (its batch script, its task) is gone
wait_no_cluster_procs 30 "herdstepd(-batch)? .*--node n3 "
daemon_start "$victim"
wait_no_cluster_procs 30 "sleep 395"
