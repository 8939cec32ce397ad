#!/usr/bin/env bash
# Nodes enforce the allocation through cgroups (ConstrainCores, ConstrainRAMSpace): a job
# that allocates past its --mem ends OUT_OF_MEMORY (ExitCode=0:125, the oom_kill line in
# its output) while its neighbour on the node runs on; a job that widens its cpu affinity
# stays on its cores; a job stays confined across kill -9 and restart of herdd; a step of
# hrun is confined too; nothing of a job's groups is left once it ended.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_root

# What herdd will use: the v2 tree when /sys/fs/cgroup is cgroup2, else the v1 memory and
# cpuset hierarchies (mounted by herdd when they are not).
if [[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) == cgroup2fs ]]; then
  VERSION=2
  for c in memory cpuset; do
    grep -qw "$c" /sys/fs/cgroup/cgroup.controllers 2>/dev/null \
      || skip "cgroup v2 host whose root offers no '$c' controller ($(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null))"
  done
else
  VERSION=1
  for c in memory cpuset; do
    awk '$3 == "cgroup"' /proc/self/mounts | grep -qE "[ ,]${c}[ ,]" && continue
    probe=$(mktemp -d)
    if ! mount -t cgroup -o "$c" cgroup "$probe" 2>/dev/null; then
      rmdir "$probe"
      skip "the cgroup v1 '$c' controller is neither mounted nor mountable here"
    fi
    umount "$probe"
    rmdir "$probe"
  done
fi

HERD_LOCAL_EXTRA_CONF=$'CgroupPlugin=autodetect\nConstrainCores=yes\nConstrainRAMSpace=yes' \
  cluster_up --nodes 2

# group_dir ID CONTROLLER: the directory of the job's group (file "$WORK/cg-ID" holds the
# line of /proc/self/cgroup the job printed).
group_dir() {
  local line pattern=":$2:"
  ((VERSION == 1)) || pattern="^0::"
  line=$(grep -E "$pattern" "$WORK/cg-$1" | head -n 1) || fail "job $1 printed no cgroup"
  if ((VERSION == 1)); then
    echo "/sys/fs/cgroup/$2${line##*:}"
  else
    echo "/sys/fs/cgroup${line##*:}"
  fi
}
limit_file() { if ((VERSION == 1)); then echo memory.limit_in_bytes; else echo memory.max; fi; }
ALLOC='python3 -c "x = b\"x\" * (256 << 20)"'

step "a job past its --mem=64M ends OUT_OF_MEMORY; its neighbour on n1 is untouched"
neighbour=$(submit -w n1 --mem=64M -o "$WORK/nb.out" \
  --wrap "while [ ! -e $WORK/oom.done ]; do sleep 0.1; done; echo neighbour ok")
wait_state "$neighbour" RUNNING 30
oom=$(submit -w n1 --mem=64M -o "$WORK/oom-%j.out" \
  --wrap "cat /proc/self/cgroup > $WORK/cg-\$HERD_JOB_ID; $ALLOC; echo after")
wait_state "$oom" OUT_OF_MEMORY 30
touch "$WORK/oom.done"
assert_eq "0:125" "$(job_field "$oom" ExitCode)" "ExitCode of the OOM job"
assert_eq "OutOfMemory" "$(job_field "$oom" Reason)" "Reason of the OOM job"
assert_eq "OUT_OF_MEMORY" "$(hqueue -t all -h -j "$oom" -o %T | tr -d ' ')" "hqueue's state"
assert_file_matches "$WORK/oom-$oom.out" \
  "^herdstepd: error: Detected 1 oom_kill event in StepId=$oom\\.batch\\. "
wait_state "$neighbour" COMPLETED 30
assert_file_has_line "$WORK/nb.out" "neighbour ok"

step "a job that sets its affinity to every cpu still runs on its allocated one"
aff=$(submit -w n2 -c 1 -o "$WORK/aff.out" --wrap "cat /proc/self/cgroup > $WORK/cg-\$HERD_JOB_ID
python3 -c 'import os; os.sched_setaffinity(0, range(os.cpu_count())); print(\"widened\", sorted(os.sched_getaffinity(0)))'
grep Cpus_allowed_list /proc/self/status")
wait_state "$aff" COMPLETED 30
widened=$(sed -n 's/^widened //p' "$WORK/aff.out")
allowed=$(awk '/^Cpus_allowed_list/ {print $2}' "$WORK/aff.out")
[[ -n $widened && -n $allowed ]] || fail "the job printed: $(cat "$WORK/aff.out")"
if (($(nproc) > 1)); then
  [[ $widened =~ ^\[[0-9]+\]$ ]] || fail "the job widened its affinity to $widened"
  assert_eq "${widened//[][]/}" "$allowed" "Cpus_allowed_list after widening"
fi

step "herdd kill -9 and restart: the running job stays confined"
kept=$(submit -w n1 --mem=64M -o "$WORK/kept-%j.out" \
  --wrap "cat /proc/self/cgroup > $WORK/cg-\$HERD_JOB_ID; while [ ! -e $WORK/go ]; do sleep 0.1; done; $ALLOC")
wait_state "$kept" RUNNING 30
wait_for 10 "job $kept to record its cgroup" test -s "$WORK/cg-$kept"
daemon_kill9 n1
daemon_start n1
dir=$(group_dir "$kept" memory)
assert_eq "$((64 << 20))" "$(cat "$dir/$(limit_file)")" "the memory limit after the restart"
[[ -n $(cat "$dir/cgroup.procs") ]] || fail "no process left in $dir"
touch "$WORK/go"
wait_state "$kept" OUT_OF_MEMORY 30

step "an hrun step is confined to its cpus and memory"
stepjob=$(submit -w n2 --mem=64M -o "$WORK/step-%j.out" \
  --wrap "hrun -n 1 bash -c 'cat /proc/self/cgroup > $WORK/cg-step; $ALLOC'; echo hrun=\$?")
wait_state "$stepjob" 'COMPLETED|FAILED|OUT_OF_MEMORY' 30
assert_file_matches "$WORK/step-$stepjob.out" "Detected 1 oom_kill event in StepId=$stepjob\\.0\\."
grep -qE "(:memory:|^0::).*/job$stepjob\\.[0-9]+/step_0\$" "$WORK/cg-step" \
  || fail "the step ran outside its group: $(cat "$WORK/cg-step")"

step "the jobs' groups are gone"
for id in "$oom" "$aff" "$kept"; do
  for c in memory cpuset; do
    job_dir=$(dirname "$(group_dir "$id" "$c")")
    wait_for 10 "$job_dir to be removed" test ! -e "$job_dir"
  done
done
