#!/usr/bin/env bash
# The programs a site runs on its nodes: Prolog and Epilog run as root around a batch job
# with Slurm's environment, the Prolog once on each node where the job ran something, the
# Epilog on every node of the job, which is COMPLETING, its cpus kept, until each has
# ended; a failing Prolog drains the node with its reason and the job, requeued, runs once
# elsewhere (also when it fails at a step on another node than the batch host); a failing
# Epilog drains the node and leaves the job's state alone; a failing HealthCheckProgram
# drains the node with its message. TaskProlog and TaskEpilog run as the job's user around
# the batch script and every task of a step; what the TaskProlog prints sets the task's
# environment and output; a failing TaskProlog fails the task, not the node. A failed
# Prolog requeues the job held (launch failed requeued held) until it is released. On the
# controller, PrologSlurmctld gates the launch (CONFIGURING) and requeues the job when it
# fails, EpilogSlurmctld keeps it COMPLETING; both with Slurm's environment.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_root

HOOKS=$(mktemp -d "${HERD_TEST_ROOT:-/tmp}/herd-hooks.XXXXXX")
chmod 755 "$HOOKS"
for hook in prolog epilog; do
  cat >"$HOOKS/$hook.sh" <<SCRIPT
#!/bin/bash
env | grep -E '^(SLURM|HERD)_' | sort >"$HOOKS/$hook.\$SLURMD_NODENAME.\$SLURM_JOB_ID"
id -u >>"$HOOKS/$hook.\$SLURMD_NODENAME.\$SLURM_JOB_ID"
echo "$hook \$SLURMD_NODENAME" >>"$HOOKS/runs.\$SLURM_JOB_ID"
if [ -e "$HOOKS/fail-$hook-\$SLURMD_NODENAME" ]; then echo "$hook says: scratch is not mounted"; exit 3; fi
SCRIPT
done
# The Epilog of a job named "slowepi" on n2 waits while the gate file exists (bounded by
# PrologEpilogTimeout), so the test sees the job COMPLETING.
cat >>"$HOOKS/epilog.sh" <<SCRIPT
[ "\$SLURM_JOB_NAME" = slowepi ] && [ "\$SLURMD_NODENAME" = n2 ] || exit 0
while [ -e "$HOOKS/gate" ]; do sleep 0.1; done
SCRIPT
# The task programs act only for jobs named "tasked", so the other steps see no output.
cat >"$HOOKS/task_prolog.sh" <<SCRIPT
#!/bin/bash
[ "\$SLURM_JOB_NAME" = tasked ] || exit 0
pid=no; [ "\$SLURM_TASK_PID" = "\$PPID" ] && pid=ok
echo "print TP rank=\$SLURM_PROCID ctx=\$SLURM_SCRIPT_CONTEXT uid=\$(id -u) pid=\$pid"
echo "export FROM_TP=hello world"
echo "unset UNSET_ME"
if [ -e "$HOOKS/fail-task-prolog" ]; then exit 3; fi
SCRIPT
cat >"$HOOKS/task_epilog.sh" <<SCRIPT
#!/bin/bash
[ "\$SLURM_JOB_NAME" = tasked ] || exit 0
echo "\$SLURM_PROCID \$SLURM_SCRIPT_CONTEXT \$(id -u) FROM_TP=\${FROM_TP-none}" >>"$HOOKS/te/\$SLURM_JOB_ID"
echo "print this goes nowhere"
SCRIPT
mkdir -m 1777 "$HOOKS/te"
# The controller's: the environment in ctld.<context>.<job>; the prolog of a job named "cf"
# waits while cf-gate exists, that of a job named "ctldfail" fails once.
cat >"$HOOKS/ctld.sh" <<SCRIPT
#!/bin/bash
env | grep -E '^(SLURM|HERD)_' | sort >"$HOOKS/ctld.\$SLURM_SCRIPT_CONTEXT.\$SLURM_JOB_ID"
echo "\$SLURM_SCRIPT_CONTEXT" >>"$HOOKS/ctldruns.\$SLURM_JOB_ID"
[ "\$SLURM_SCRIPT_CONTEXT" = prolog_slurmctld ] || exit 0
if [ "\$SLURM_JOB_NAME" = cf ]; then while [ -e "$HOOKS/cf-gate" ]; do sleep 0.05; done; fi
if [ "\$SLURM_JOB_NAME" = ctldfail ] && [ -e "$HOOKS/ctldfail" ]; then
  rm "$HOOKS/ctldfail"; echo "no licence left"; exit 4
fi
exit 0
SCRIPT
cat >"$HOOKS/health.sh" <<SCRIPT
#!/bin/bash
if [ -e "$HOOKS/fail-health-\$SLURMD_NODENAME" ]; then echo "disk /scratch is full"; exit 1; fi
SCRIPT
chmod 755 "$HOOKS"/*.sh

HERD_LOCAL_EXTRA_CONF="Prolog=$HOOKS/prolog.sh
Epilog=$HOOKS/epilog.sh
PrologEpilogTimeout=20
PrologSlurmctld=$HOOKS/ctld.sh
EpilogSlurmctld=$HOOKS/ctld.sh
TaskProlog=$HOOKS/task_prolog.sh
TaskEpilog=$HOOKS/task_epilog.sh
HealthCheckProgram=$HOOKS/health.sh
HealthCheckInterval=1" cluster_up --nodes 2

node_reason() { hcontrol show node "$1" | grep -oE 'Reason=.*' | sed -E 's/^Reason=//; s/ \[[^]]*\]$//'; }

step "Prolog and Epilog run as root around the job, with the job's environment"
id=$(submit -w n1 -J hooked -o "$WORK/ok-%j.out" --wrap "echo ran")
wait_state "$id" COMPLETED 30
for hook in prolog epilog; do
  f=$HOOKS/$hook.n1.$id
  [[ -f $f ]] || fail "no $hook ran for job $id on n1"
  for want in "SLURM_JOB_ID=$id" "HERD_JOB_ID=$id" SLURM_JOB_USER=root SLURM_JOB_UID=0 \
    SLURM_JOB_NAME=hooked SLURM_JOB_NODELIST=n1 "SLURM_SCRIPT_CONTEXT=${hook}_slurmd" 0; do
    assert_file_has_line "$f" "$want"
  done
done
assert_file_has_line "$HOOKS/epilog.n1.$id" "SLURM_JOB_EXIT_CODE2=0:0"

step "TaskProlog and TaskEpilog run as the user around the batch script and each task"
ensure_test_user
uid=$(id -u "$TEST_USER")
cat >"$WORK/tasked.sh" <<'SCRIPT'
#!/bin/bash
echo "batch FROM_TP=$FROM_TP UNSET_ME=${UNSET_ME-unset}"
hrun -n3 bash -c 'echo "task $SLURM_PROCID FROM_TP=$FROM_TP UNSET_ME=${UNSET_ME-unset}"'
SCRIPT
chmod 755 "$WORK/tasked.sh"
id=$(as_test_user "UNSET_ME=x hbatch --parsable -J tasked -N2 -n3 -o '$WORK/tasked-%j.out' '$WORK/tasked.sh'") ||
  fail "hbatch as $TEST_USER failed"
wait_state "$id" COMPLETED 30
out=$WORK/tasked-$id.out
assert_eq "TP rank=0 ctx=prolog_task uid=$uid pid=ok" "$(head -n 1 "$out")" "first line of $out"
assert_eq "batch FROM_TP=hello world UNSET_ME=unset" "$(sed -n 2p "$out")" "second line of $out"
for rank in 0 1 2; do
  assert_file_has_line "$out" "TP rank=$rank ctx=prolog_task uid=$uid pid=ok"
  assert_file_has_line "$out" "task $rank FROM_TP=hello world UNSET_ME=unset"
done
assert_eq 8 "$(wc -l <"$out")" "lines of $out"
# One TaskEpilog per task, as the user, with the task's environment as it was before its
# TaskProlog changed it: the batch script's (rank 0 of the batch step) has no FROM_TP, the
# step's tasks inherit it from the script that ran hrun.
assert_eq "4" "$(wc -l <"$HOOKS/te/$id")" "TaskEpilog runs"
assert_file_has_line "$HOOKS/te/$id" "0 epilog_task $uid FROM_TP=none"
for rank in 0 1 2; do
  assert_file_has_line "$HOOKS/te/$id" "$rank epilog_task $uid FROM_TP=hello world"
done

step "Prolog and Epilog ran once on each node of the two-node job, with its environment"
# COMPLETED only once every node's Epilog has ended: n2's has run.
[[ -e $HOOKS/epilog.n2.$id ]] || fail "job $id COMPLETED before n2's Epilog ran"
assert_eq "epilog n1
epilog n2
prolog n1
prolog n2" "$(sort "$HOOKS/runs.$id")" "Prolog and Epilog runs of job $id"
for hook in prolog epilog; do
  for want in "SLURM_JOB_ID=$id" "SLURM_JOB_USER=$TEST_USER" "SLURM_JOB_UID=$uid" \
    SLURM_JOB_NAME=tasked "SLURM_JOB_NODELIST=n[1-2]" "HERD_JOB_NODELIST=n[1-2]" \
    SLURM_JOB_PARTITION=debug HERD_NODENAME=n2 "SLURM_SCRIPT_CONTEXT=${hook}_slurmd" 0; do
    assert_file_has_line "$HOOKS/$hook.n2.$id" "$want"
  done
done

step "a job is COMPLETING (CG), n2's cpus kept, until n2's Epilog ends; it runs there too"
# Nothing of the job runs on n2: its Epilog runs there from the job's terminate.
touch "$HOOKS/gate"
id=$(submit -N2 -J slowepi -A physics -o /dev/null --wrap "exit 3")
wait_state "$id" COMPLETING 30
wait_for 10 "n2's Epilog of job $id" test -s "$HOOKS/epilog.n2.$id"
assert_eq "CG" "$(hqueue -h -j "$id" -o %t)" "hqueue's state of job $id"
assert_eq "COMPLETING" "$(job_field "$id" JobState)" "JobState of job $id"
hqueue -h -o %i | grep -qx "$id" || fail "a plain hqueue does not list the CG job $id"
[[ $(hcontrol show node n2 | grep -oE 'CPUAlloc=[0-9]+') != CPUAlloc=0 ]] ||
  fail "n2's cpus were freed while its Epilog of job $id runs"
rm "$HOOKS/gate"
wait_state "$id" FAILED 30
for want in "SLURM_JOB_ID=$id" SLURM_JOB_NAME=slowepi SLURM_JOB_USER=root SLURM_JOB_UID=0 \
  SLURM_JOB_ACCOUNT=physics "SLURM_JOB_NODELIST=n[1-2]" SLURM_JOB_PARTITION=debug \
  SLURM_JOB_EXIT_CODE=768 SLURM_JOB_EXIT_CODE2=3:0 SLURM_SCRIPT_CONTEXT=epilog_slurmd \
  HERD_NODENAME=n2; do
  assert_file_has_line "$HOOKS/epilog.n2.$id" "$want"
done
[[ ! -e $HOOKS/prolog.n2.$id ]] || fail "n2 ran a Prolog for job $id, where nothing of it ran"
wait_node_state n2 idle 10

step "a failing TaskProlog fails the task with its status; the node stays up"
touch "$HOOKS/fail-task-prolog"
id=$(submit -J tasked -w n1 -o "$WORK/tpfail-%j.out" --wrap "echo the script ran")
wait_state "$id" FAILED 30
assert_eq "3:0" "$(job_field "$id" ExitCode)" "exit code of a job whose TaskProlog failed"
assert_file_has_line "$WORK/tpfail-$id.out" "herdstepd: error: TaskProlog failed status=3"
if grep -q "the script ran" "$WORK/tpfail-$id.out"; then fail "the script ran"; fi
rm "$HOOKS/fail-task-prolog"
wait_node_state n1 idle 5

step "a failing Prolog drains n1 with its reason; the job is requeued held, then runs on n2"
hcontrol update nodename=n2 state=drain reason="held back by the test"
touch "$HOOKS/fail-prolog-n1"
id=$(submit -o "$WORK/requeued-%j.out" --wrap "echo ran >>$WORK/runs.\$HERD_JOB_ID; hostname")
wait_node_state n1 'drain|drng' 30
assert_eq "Prolog error: exited 3: prolog says: scratch is not mounted" "$(node_reason n1)" \
  "n1's reason"
wait_for 30 "job $id held after its Prolog failed" \
  test "$(hqueue -h -j "$id" -o '%t %r')" = "PD launch failed requeued held"
assert_eq launch_failed_requeued_held "$(job_field "$id" Reason)" "show job's Reason of job $id"
assert_eq 0 "$(job_field "$id" Priority)" "Priority of the held job $id"
[[ ! -e $WORK/runs.$id ]] || fail "the script ran on n1 although its Prolog failed"
hcontrol update nodename=n2 state=resume
hcontrol release "$id"
wait_state "$id" COMPLETED 30
assert_eq "1" "$(wc -l <"$WORK/runs.$id")" "runs of the requeued job"
assert_eq "n2" "$(job_field "$id" NodeList)" "where the requeued job ran"
assert_eq "1" "$(job_field "$id" Restarts)" "restarts of the requeued job"
rm "$HOOKS/fail-prolog-n1"
hcontrol update nodename=n1 state=resume

step "a Prolog failing at a step on n2 drains n2 and requeues the job held, which then runs"
touch "$HOOKS/fail-prolog-n2"
id=$(submit -N2 -o "$WORK/step-prolog-%j.out" --wrap "hrun -N2 true && echo ran >>$WORK/runs.\$HERD_JOB_ID")
wait_node_state n2 'drain|drng' 30
assert_eq "Prolog error: exited 3: prolog says: scratch is not mounted" "$(node_reason n2)" \
  "n2's reason"
wait_for 30 "job $id held after its Prolog failed on n2" \
  test "$(hqueue -h -j "$id" -o '%t %r')" = "PD launch failed requeued held"
rm "$HOOKS/fail-prolog-n2"
hcontrol update nodename=n2 state=resume
hcontrol release "$id"
wait_state "$id" COMPLETED 30
assert_eq "1" "$(wc -l <"$WORK/runs.$id")" "runs of the requeued job"
assert_eq "1" "$(job_field "$id" Restarts)" "restarts of the requeued job"

step "PrologSlurmctld: the job is CONFIGURING and not launched until it ends; Slurm's environment"
touch "$HOOKS/cf-gate"
id=$(submit -J cf -A physics -o "$WORK/cf-%j.out" --wrap "echo ran; exit 2")
wait_state "$id" CONFIGURING 30
assert_eq CF "$(hqueue -h -j "$id" -o %t)" "hqueue's state of job $id"
[[ ! -e $HOOKS/prolog.n1.$id && ! -e $HOOKS/prolog.n2.$id ]] ||
  fail "a node ran its Prolog for job $id before PrologSlurmctld ended"
rm "$HOOKS/cf-gate"
wait_state "$id" FAILED 30
assert_file_has_line "$WORK/cf-$id.out" ran
wait_for 10 "EpilogSlurmctld of job $id" test -s "$HOOKS/ctld.epilog_slurmctld.$id"
for want in "SLURM_JOB_ID=$id" "SLURM_JOBID=$id" SLURM_JOB_NAME=cf SLURM_JOB_USER=root \
  SLURM_JOB_UID=0 SLURM_JOB_GID=0 SLURM_JOB_GROUP=root SLURM_JOB_ACCOUNT=physics \
  SLURM_JOB_PARTITION=debug SLURM_JOB_NUM_NODES=1 SLURM_JOB_CPUS_PER_NODE=1 \
  SLURM_JOB_RESTART_COUNT=0 "SLURM_JOB_WORK_DIR=$WORK" HERD_JOB_NAME=cf; do
  assert_file_has_line "$HOOKS/ctld.prolog_slurmctld.$id" "$want"
  assert_file_has_line "$HOOKS/ctld.epilog_slurmctld.$id" "$want"
done
assert_file_has_line "$HOOKS/ctld.prolog_slurmctld.$id" SLURM_SCRIPT_CONTEXT=prolog_slurmctld
for want in SLURM_SCRIPT_CONTEXT=epilog_slurmctld SLURM_JOB_EXIT_CODE=512 \
  SLURM_JOB_EXIT_CODE2=2:0 SLURM_JOB_DERIVED_EC=2; do
  assert_file_has_line "$HOOKS/ctld.epilog_slurmctld.$id" "$want"
done

step "a failing PrologSlurmctld requeues the job (not held); it runs after a second one"
touch "$HOOKS/ctldfail"
id=$(submit -J ctldfail -o /dev/null --wrap "true")
wait_state "$id" COMPLETED 30
assert_eq "1" "$(job_field "$id" Restarts)" "restarts after a failed PrologSlurmctld"
assert_eq "prolog_slurmctld
prolog_slurmctld
epilog_slurmctld" "$(cat "$HOOKS/ctldruns.$id")" "controller programs of job $id"

step "a failing Epilog drains n2; the job's state stays COMPLETED"
touch "$HOOKS/fail-epilog-n2"
id=$(submit -w n2 -o /dev/null --wrap "true")
wait_state "$id" COMPLETED 30
wait_node_state n2 'drain|drng' 30
assert_eq "Epilog error: exited 3: epilog says: scratch is not mounted" "$(node_reason n2)" \
  "n2's reason"
rm "$HOOKS/fail-epilog-n2"
hcontrol update nodename=n2 state=resume

step "a failing HealthCheckProgram drains the node with its message"
touch "$HOOKS/fail-health-n1"
wait_node_state n1 'drain|drng' 30
assert_eq "disk /scratch is full" "$(node_reason n1)" "n1's reason"
wait_node_state n2 idle 5

rm -rf "$HOOKS"
