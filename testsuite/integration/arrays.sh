#!/usr/bin/env bash
# Job arrays on real daemons: an array of 6 with %2 never runs more than 2 tasks at once,
# every task sees its SLURM_ARRAY_* environment and writes its %A_%a file, one task is
# cancelled by its own id, pending tasks are cancelled and held by task id (123_4, 123_5),
# and after kill -9 of the controller no task ran twice and none came back; the pending rest
# shows as 123_[2-3%2]; MaxArraySize and bad forms are refused.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2

# running_tasks ARRAY N: N of its tasks run; array_done ARRAY: none pending or running.
running_tasks() { test "$(hqueue -h -j "$1" -t R -o %K | wc -l)" -eq "$2"; }
array_done() { test -z "$(hqueue -h -j "$1" -o %T)"; }

step "refused: past MaxArraySize (1001), bad forms, on halloc"
if out=$(hbatch --parsable -a 0-1001 --wrap true 2>&1); then fail "-a 0-1001 accepted: $out"; fi
assert_match 'Invalid job array specification' "$out" "hbatch -a 0-1001"
if out=$(hbatch --parsable --array=3-1 --wrap true 2>&1); then fail "-a 3-1 accepted: $out"; fi
assert_match 'Batch job submission failed: Invalid job array specification' "$out" "hbatch --array=3-1"
if out=$(halloc --array=1-2 true 2>&1); then fail "halloc --array accepted: $out"; fi

step "an array of 6, at most 2 at once"
mkdir -p "$WORK/running"
cat >"$WORK/task.sh" <<SCRIPT
#!/bin/sh
trap 'rm -f "$WORK/running/\$SLURM_ARRAY_TASK_ID"; exit 143' TERM
touch "$WORK/running/\$SLURM_ARRAY_TASK_ID"
ls "$WORK/running" | wc -l >>"$WORK/concurrent"
echo "\$SLURM_ARRAY_TASK_ID" >>"$WORK/ran"
echo "\$SLURM_ARRAY_JOB_ID \$SLURM_ARRAY_TASK_ID \$SLURM_ARRAY_TASK_COUNT \$SLURM_ARRAY_TASK_MIN \$SLURM_ARRAY_TASK_MAX \$SLURM_ARRAY_TASK_STEP \$HERD_ARRAY_TASK_ID \$SLURM_JOB_ID"
sleep 1.5 &
wait \$!
rm -f "$WORK/running/\$SLURM_ARRAY_TASK_ID"
SCRIPT
a=$(submit -a 0-5%2 -o "$WORK/o-%A_%a.out" "$WORK/task.sh")
hcancel "${a}_4" || fail "hcancel ${a}_4"
hcontrol hold "${a}_[5]" || fail "hcontrol hold ${a}_[5]"
wait_for 10 "two tasks running" running_tasks "$a" 2
assert_eq "${a}_[2-3%2] JobArrayTaskLimit" "$(hqueue -h -j "${a}_[2-4]" -t PD -o '%i %r')" \
  "the pending rest"
assert_match "^${a}_5 PENDING JobHeld(Admin|User)\$" "$(hqueue -h -j "${a}_5" -o '%i %T %r')" \
  "task 5 held"
assert_eq "${a}_4 CANCELLED" "$(hqueue -h -t all -j "${a}_4" -o '%i %T')" "task 4 cancelled"
if out=$(hcancel "${a}_abc" 2>&1); then fail "hcancel ${a}_abc accepted"; fi
assert_match "Invalid job id ${a}_abc" "$out" "hcancel of a malformed task id"
if out=$(hcontrol hold "${a}_99" 2>&1); then fail "hcontrol hold ${a}_99 accepted"; fi
assert_match "${a}_99: Invalid job id specified" "$out" "hold of an unknown task"
assert_eq "$a" "$(job_field "$a" ArrayJobId)" "ArrayJobId="

step "cancel one task by its id"
victim=$(hqueue -h -j "$a" -t R -o '%A %K' | sort -k2n | head -n 1)
victim_id=${victim% *}
victim_task=${victim#* }
hcancel "$victim_id" || fail "hcancel $victim_id"
wait_state "$victim_id" CANCELLED 10

step "kill -9 herdctld while the array runs"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h

step "task 4 stays cancelled and 5 held; 5 released runs"
assert_eq "${a}_4 CANCELLED" "$(hqueue -h -t all -j "${a}_4" -o '%i %T')" "task 4 after kill -9"
assert_match "^JobHeld(Admin|User)\$" "$(hqueue -h -j "${a}_5" -o '%r')" "task 5 after kill -9"
hcontrol release "${a}_5" || fail "hcontrol release ${a}_5"

step "every task ran once, within the throttle, with its environment and file"
wait_for 30 "the array to end" array_done "$a"
shown=$(hqueue -h -t all -j "$a" -o '%A %i %K %T')
assert_eq "0 1 2 3 5" "$(sort -n "$WORK/ran" | tr '\n' ' ' | sed 's/ $//')" "tasks that ran"
max=$(sort -n "$WORK/concurrent" | tail -n 1)
((max <= 2)) || fail "$max tasks ran at once under %2"
for t in 0 1 2 3 5; do
  f="$WORK/o-${a}_$t.out"
  [[ -f $f ]] || fail "no output file $f"
  [[ $t == "$victim_task" ]] && continue
  read -r ajid tid count min tmax tstep htid jid <"$f"
  assert_eq "$a $t 6 0 5 1 $t" "$ajid $tid $count $min $tmax $tstep $htid" "task $t's environment"
  assert_eq "${a}_$t COMPLETED" "$(awk -v j="$jid" '$1 == j {print $2, $4}' <<<"$shown")" \
    "job $jid as hqueue shows it"
done
assert_eq "CANCELLED" "$(awk -v t="$victim_task" '$3 == t {print $4}' <<<"$shown")" \
  "the cancelled task's state"
assert_eq "$a" "$(awk '$3 == 3 {print $1}' <<<"$shown")" "the last task keeps the array's id"
