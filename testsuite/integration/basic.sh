#!/usr/bin/env bash
# A batch job runs to COMPLETED, its output file holds what the script printed and the
# job environment; a failing script ends FAILED with its exit code recorded.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2

step "submit a script that prints its environment"
cat >"$WORK/env.sh" <<'SCRIPT'
#!/bin/bash
echo "hello from herd"
echo "stderr line" >&2
env | grep -E '^(HERD|SLURM)_' | sort
echo "cwd=$PWD"
SCRIPT
id=$(submit -J envjob -o "$WORK/basic-%j.out" -e "$WORK/basic-%j.err" "$WORK/env.sh")
wait_state "$id" COMPLETED 30
out=$WORK/basic-$id.out
assert_file_has_line "$out" "hello from herd"
assert_file_has_line "$WORK/basic-$id.err" "stderr line"
assert_file_has_line "$out" "HERD_JOB_ID=$id"
assert_file_has_line "$out" "SLURM_JOB_ID=$id"
assert_file_has_line "$out" "HERD_JOB_NAME=envjob"
assert_file_has_line "$out" "HERD_JOB_NUM_NODES=1"
assert_file_has_line "$out" "HERD_NTASKS=1"
assert_file_has_line "$out" "cwd=$WORK"
assert_file_matches "$out" '^HERD_JOB_NODELIST=n[12]$'
assert_file_matches "$out" '^SLURM_JOB_NODELIST=n[12]$'
assert_eq "0:0" "$(job_field "$id" ExitCode)" "ExitCode of a job that exited 0"
assert_eq "COMPLETED" "$(job_field "$id" JobState)" "JobState in hcontrol show job"
assert_eq "envjob" "$(hqueue -t all -h -j "$id" -o %j | tr -d '[:space:]')" "hqueue %j (name)"

step "--wrap, and a job that exits 3"
id=$(submit -o "$WORK/fail-%j.out" --wrap "echo about to fail; exit 3")
wait_state "$id" FAILED 30
assert_eq "3:0" "$(job_field "$id" ExitCode)" "ExitCode of a job that exited 3"
assert_file_has_line "$WORK/fail-$id.out" "about to fail"

step "%j in the default-style output name and the working directory"
mkdir -p "$WORK/sub"
id=$(cd "$WORK/sub" && submit -o "sub-%j.out" --wrap 'pwd')
wait_state "$id" COMPLETED 30
assert_file_has_line "$WORK/sub/sub-$id.out" "$WORK/sub"

step "a job that cannot start ends FAILED with the reason its step daemon gave"
id=$(submit -D "$WORK/no-such-dir" -o /dev/null --wrap 'true')
wait_state "$id" FAILED 30
assert_match 'Reason=cannot_enter_the_work_directory' "$(hcontrol show job "$id")" \
  "the reason of a job whose work directory is missing"

step "herdd reported the completions of the step daemons it started"
# (a step daemon whose herdd is gone reports itself: herdd_restart.sh)
for id in $(hqueue -t all -h -o %i); do
  grep -qE "reported completion of job$id\.[0-9]+ " "$CLUSTER"/log/herdd-n*.log ||
    fail "no herdd reported the completion of job $id"
done

step "the nodes are idle again"
wait_node_state n1 idle 15
wait_node_state n2 idle 15
