#!/usr/bin/env bash
# halloc: an allocation that runs a command (or an interactive shell, driven through a
# pseudo-terminal) whose hrun calls are steps on the allocated nodes; the allocation ends
# COMPLETED when the command or shell exits; Ctrl-C while the request is pending cancels it.
# shellcheck disable=SC2016  # the commands are single-quoted: the shells expand them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 4 --cpus 4

PY=$(command -v python3 || echo /usr/bin/python3)
PTY_DRIVE=$LIB_DIR/pty_drive.py
# pty_drive ARGS...: pty_drive.py under python3 (see the script for the actions)
pty_drive() { "$PY" "$PTY_DRIVE" "$@"; }

# expand_nodes "n[1-2,4]" -> "n1,n2,n4" (the simple lists of herd-local: nN, n[..], a,b)
expand_nodes() {
  local list=$1 out=() part a
  if [[ $list =~ ^([a-z]+)\[([0-9,-]+)\]$ ]]; then
    local prefix=${BASH_REMATCH[1]} parts=()
    IFS=, read -ra parts <<<"${BASH_REMATCH[2]}"
    for part in "${parts[@]}"; do
      if [[ $part == *-* ]]; then
        for ((a = ${part%-*}; a <= ${part#*-}; a++)); do out+=("$prefix$a"); done
      else
        out+=("$prefix$part")
      fi
    done
  else
    IFS=, read -ra out <<<"$list"
  fi
  printf '%s\n' "${out[@]}" | sort | paste -sd, -
}

# alloc_job FILE WORD: the job id of "WORD job allocation N" (Granted, Pending) in FILE.
alloc_job() {
  sed -nE "s/.*$2 job allocation ([0-9]+).*/\\1/p" "$1" | head -n 1
}

step "halloc -N2 -n2 with a command: hrun in it runs on the two allocated nodes"
timeout 60 halloc -N2 -n2 bash -c \
  'hrun hostname; hrun --label printenv HERD_NODENAME; echo "nnodes=$HERD_JOB_NUM_NODES"; echo "job=$HERD_JOB_ID"' \
  >"$WORK/cmd.out" 2>"$WORK/cmd.err" || fail "halloc exited $?: $(cat "$WORK/cmd.err")"
id=$(alloc_job "$WORK/cmd.err" Granted)
assert_match '^[0-9]+$' "$id" "job id in halloc's 'Granted job allocation' line ($(cat "$WORK/cmd.err"))"
assert_file_has_line "$WORK/cmd.out" "nnodes=2"
assert_file_has_line "$WORK/cmd.out" "job=$id"
assert_eq 2 "$(grep -cxF "$(hostname)" "$WORK/cmd.out")" "hostname lines of hrun hostname"
n0=$(sed -n 's/^ *0: //p' "$WORK/cmd.out")
n1=$(sed -n 's/^ *1: //p' "$WORK/cmd.out")
assert_match '^n[1-4]$' "$n0" "node of task 0"
assert_match '^n[1-4]$' "$n1" "node of task 1"
[[ $n0 != "$n1" ]] || fail "both tasks of hrun in halloc -N2 -n2 ran on $n0"
assert_eq "$(printf '%s\n' "$n0" "$n1" | sort | paste -sd, -)" \
  "$(expand_nodes "$(hqueue -t all -h -j "$id" -o %N | tr -d '[:space:]')")" \
  "nodes of the tasks = nodes of the allocation"
wait_state "$id" COMPLETED 30
grep -q "Relinquishing job allocation $id" "$WORK/cmd.err" \
  || fail "halloc did not say it relinquished job $id: $(cat "$WORK/cmd.err")"

step "halloc exits with the command's exit status"
rc=0
timeout 60 halloc -N1 bash -c 'exit 3' >/dev/null 2>"$WORK/rc.err" || rc=$?
assert_eq 3 "$rc" "exit code of halloc bash -c 'exit 3'"
id=$(alloc_job "$WORK/rc.err" Granted)
wait_state "$id" "COMPLETED|FAILED" 30

step "an interactive halloc shell on a terminal: hrun -l hostname, then exit"
mkdir -p "$WORK/home"
printf 'PS1="herd-shell> "\nunset PROMPT_COMMAND\n' >"$WORK/home/.bashrc"
HOME=$WORK/home SHELL=/bin/bash pty_drive --timeout 60 --log "$WORK/pty.log" \
  --expect 'Granted job allocation [0-9]+' \
  --expect '^herd-shell> ' \
  --send 'hrun -l hostname; hrun -l printenv HERD_NODENAME; echo "job $HERD_JOB_ID done-$((6 * 7))"' \
  --expect 'done-42' \
  --send 'exit' \
  -- halloc -N2 -n2 >"$WORK/pty.out" 2>&1 || fail "halloc on a terminal exited $?: $(cat "$WORK/pty.out")"
tr -d '\r' <"$WORK/pty.out" >"$WORK/pty.txt"
id=$(alloc_job "$WORK/pty.txt" Granted)
assert_match '^[0-9]+$' "$id" "job id of the interactive halloc"
assert_file_has_line "$WORK/pty.txt" "0: $(hostname)"
assert_file_has_line "$WORK/pty.txt" "1: $(hostname)"
n0=$(sed -nE 's/^ *0: (n[0-9]+)$/\1/p' "$WORK/pty.txt")
n1=$(sed -nE 's/^ *1: (n[0-9]+)$/\1/p' "$WORK/pty.txt")
assert_match '^n[1-4]$' "$n0" "node of task 0 (terminal)"
assert_match '^n[1-4]$' "$n1" "node of task 1 (terminal)"
[[ $n0 != "$n1" ]] || fail "both tasks ran on $n0"
assert_file_has_line "$WORK/pty.txt" "job $id done-42"
wait_state "$id" COMPLETED 30

step "Ctrl-C while the allocation is pending cancels the request"
busy=$(submit -N4 --exclusive -o /dev/null --wrap 'sleep 300')
wait_state "$busy" RUNNING 30
rc=0
SHELL=/bin/bash pty_drive --timeout 60 \
  --expect 'Pending job allocation [0-9]+' \
  --sleep 1 \
  --ctrl-c \
  -- halloc -N2 -n2 bash -c 'echo INSIDE-THE-ALLOCATION' >"$WORK/pend.out" 2>&1 || rc=$?
tr -d '\r' <"$WORK/pend.out" >"$WORK/pend.txt"
((rc != 0 && rc != 124)) || fail "halloc interrupted while pending exited $rc: $(cat "$WORK/pend.txt")"
if grep -q 'INSIDE-THE-ALLOCATION' "$WORK/pend.txt"; then
  fail "the command ran although the request was interrupted: $(cat "$WORK/pend.txt")"
fi
id=$(alloc_job "$WORK/pend.txt" Pending)
assert_match '^[0-9]+$' "$id" "job id of the pending halloc ($(cat "$WORK/pend.txt"))"
wait_state "$id" CANCELLED 30
assert_eq RUNNING "$(job_state "$busy")" "state of the job that kept the cluster busy"

step "SIGINT (kill -INT) while pending cancels the request too"
halloc -N2 -n2 bash -c 'echo INSIDE-THE-ALLOCATION' >"$WORK/pend2.out" 2>"$WORK/pend2.err" &
hpid=$!
wait_for 30 "halloc reports a pending allocation" grep -q 'Pending job allocation' "$WORK/pend2.err"
kill -INT "$hpid"
wait_exit "$hpid" 30 "halloc after SIGINT"
((EXIT_RC != 0)) || fail "halloc interrupted while pending exited 0"
[[ ! -s $WORK/pend2.out ]] || fail "the command ran: $(cat "$WORK/pend2.out")"
id=$(alloc_job "$WORK/pend2.err" Pending)
wait_state "$id" CANCELLED 30
hcancel "$busy"
wait_state "$busy" CANCELLED 30
