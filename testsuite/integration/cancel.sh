#!/usr/bin/env bash
# hcancel of a running job: the job ends CANCELLED and none of its processes is left,
# including one that left the session (setsid) and one that ignores SIGTERM.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2

mark=0.$((RANDOM * 32768 + RANDOM)) # `sleep 300 0.NNN` sleeps 300.NNN s: a unique command line
step "start a job with a daemonized child (marker $mark)"
cat >"$WORK/cancel.sh" <<SCRIPT
#!/bin/bash
setsid sleep 301 $mark </dev/null >/dev/null 2>&1 &
bash -c "trap '' TERM; sleep 302 $mark" &
echo started
sleep 300 $mark
SCRIPT
id=$(submit -o "$WORK/cancel-%j.out" "$WORK/cancel.sh")
wait_state "$id" RUNNING 30
wait_for 15 "the job's 3 sleep processes" bash -c "[[ \$(pgrep -fc -- ' $mark\$') -ge 3 ]]"
node=$(job_field "$id" NodeList)

step "hcancel $id"
hcancel "$id" || fail "hcancel $id exited $?"
wait_state "$id" CANCELLED 20

step "no process of the job is left (KillWait=2)"
t0=$SECONDS
while [[ -n $(procs_matching " $mark\$") ]]; do
  if ((SECONDS - t0 > 15)); then
    fail "processes of cancelled job $id still alive: $(pgrep -af -- " $mark\$")"
  fi
  sleep 0.2
done
wait_node_state "$node" idle 15

step "hcancel of a pending (held) job"
id=$(submit -H --wrap true -o /dev/null)
wait_state "$id" PENDING 10
hcancel "$id" || fail "hcancel of held job $id exited $?"
wait_state "$id" CANCELLED 10

step "hqueue and hcancel by account and QOS"
chem=$(submit -H -A chem -q low --wrap true -o /dev/null)
bio=$(submit -H -A bio --wrap true -o /dev/null)
[[ $(hqueue -h -o %i -A CHEM) == "$chem" ]] || fail "hqueue -A chem: $(hqueue -h -o %i -A chem)"
[[ $(hqueue -h -o "%i %a %q" -q low) == "$chem chem low" ]] || fail "hqueue -q low"
hcancel -A nosuch || fail "hcancel -A of an account without jobs exited $?"
hcancel -R maint || fail "hcancel -R exited $?"
hcancel -A chem -q high
wait_state "$chem" PENDING 5
hcancel -A chem || fail "hcancel -A chem exited $?"
wait_state "$chem" CANCELLED 10
[[ $(hqueue -h -o %T -j "$bio") == PENDING ]] || fail "hcancel -A chem touched job $bio"
hcancel "$bio"

step "hcancel of an unknown job fails"
if hcancel 999999 2>"$WORK/err"; then
  fail "hcancel 999999 succeeded"
fi
[[ -s $WORK/err ]] || fail "hcancel 999999 printed no error"
