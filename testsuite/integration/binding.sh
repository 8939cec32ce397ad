#!/usr/bin/env bash
# Task placement and cpu binding, checked in each task's Cpus_allowed_list.
#
# herd-local nodes have a synthetic topology (HardwareSource=config) whose logical cpu i
# runs on this host's real PU number i mod nreal, nreal being the PUs hwloc sees here
# (nodedaemon/hw/cpu_map.h). The expected logical cpus of each task follow from the node
# shape and the binding rules (nodedaemon/hw/binding.h); --cpu-bind=...,verbose prints them
# ("cpu-bind=CORES task 3 on n1: mask 0x8 set"), and Cpus_allowed_list must be their real
# PUs. Nothing here assumes how many PUs this host has.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root

# The host's PUs in hwloc's logical order, as OS indexes: logical cpu i -> REAL[i % n].
read_real_pus() {
  local list
  if command -v hwloc-calc >/dev/null; then
    list=$(hwloc-calc --intersect PU --physical-output all 2>/dev/null) || list=
  fi
  if [[ -z $list ]]; then
    list=$(expand_list "$(cat /sys/devices/system/cpu/online)")
  fi
  IFS=, read -ra REAL <<<"$list"
  ((${#REAL[@]} > 0)) || fail "cannot tell this host's PUs"
}

# expand_list "0-1,3" -> "0,1,3" (sorted, no duplicates)
expand_list() {
  local item a items=() out=()
  IFS=, read -ra items <<<"$1"
  for item in "${items[@]}"; do
    item=${item//[[:space:]]/}
    [[ -n $item ]] || continue
    if [[ $item == *-* ]]; then
      for ((a = ${item%-*}; a <= ${item#*-}; a++)); do out+=("$a"); done
    else
      out+=("$item")
    fi
  done
  ((${#out[@]})) || return 0
  printf '%s\n' "${out[@]}" | sort -n -u | paste -sd, -
}

# mask_to_list 0x30 -> "4,5"
mask_to_list() {
  local m=$((16#${1#0x})) i out=()
  for ((i = 0; i < 62; i++)); do
    (((m >> i) & 1)) && out+=("$i")
  done
  (IFS=,; echo "${out[*]}")
}

# real_of "0,2,5" -> the real PUs of these logical cpus
real_of() {
  local c out=() items=()
  IFS=, read -ra items <<<"$1"
  for c in "${items[@]}"; do out+=("${REAL[c % ${#REAL[@]}]}"); done
  printf '%s\n' "${out[@]}" | sort -n -u | paste -sd, -
}

# bind_run HRUN_ARGS...: runs a step whose tasks print their binding; fills, per rank,
# TASK_CPUS (Cpus_allowed_list, expanded), TASK_NODE, TASK_NODEID and, with verbose,
# TASK_MASK (the logical cpus hrun's verbose line names).
TASK_CPUS=() TASK_NODE=() TASK_NODEID=() TASK_MASK=() NTASKS_SEEN=0 BIND_ARGS=
bind_run() {
  local line re_t re_v
  BIND_ARGS="hrun $*"
  TASK_CPUS=() TASK_NODE=() TASK_NODEID=() TASK_MASK=()
  # shellcheck disable=SC2016  # expanded by the task
  timeout 60 hrun "$@" sh -c 'echo "T $HERD_PROCID $HERD_NODEID $HERD_NODENAME $HERD_CPUS_PER_TASK $(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status)"' \
    >"$WORK/bind.out" 2>"$WORK/bind.err" \
    || fail "$BIND_ARGS exited $?: $(cat "$WORK/bind.err")"
  re_t='^T ([0-9]+) ([0-9]+) (n[0-9]+) ([0-9]+) ([0-9,-]+)$'
  re_v='^cpu-bind=[A-Z_]+ task ([0-9]+) on (n[0-9]+): mask (0x[0-9a-f]+) set$'
  NTASKS_SEEN=0
  while IFS= read -r line; do
    [[ $line =~ $re_t ]] || fail "$BIND_ARGS: unexpected output line '$line'"
    TASK_NODEID[BASH_REMATCH[1]]=${BASH_REMATCH[2]}
    TASK_NODE[BASH_REMATCH[1]]=${BASH_REMATCH[3]}
    TASK_CPUS[BASH_REMATCH[1]]=$(expand_list "${BASH_REMATCH[5]}")
    NTASKS_SEEN=$((NTASKS_SEEN + 1))
  done <"$WORK/bind.out"
  while IFS= read -r line; do
    [[ $line =~ $re_v ]] || continue
    TASK_MASK[BASH_REMATCH[1]]=$(mask_to_list "${BASH_REMATCH[3]}")
    [[ ${TASK_NODE[BASH_REMATCH[1]]:-} == "${BASH_REMATCH[2]}" ]] \
      || fail "$BIND_ARGS: verbose line of task ${BASH_REMATCH[1]} names ${BASH_REMATCH[2]}," \
        "the task ran on ${TASK_NODE[BASH_REMATCH[1]]:-?}: $line"
  done <"$WORK/bind.err"
}

# expect_ntasks N [verbose]
expect_ntasks() {
  assert_eq "$1" "$NTASKS_SEEN" "$BIND_ARGS: number of tasks that reported"
  if [[ ${2:-} == verbose ]]; then
    assert_eq "$1" "${#TASK_MASK[@]}" "$BIND_ARGS: number of cpu-bind verbose lines"
  fi
}

# expect_task RANK LOGICAL_CPUS: the task's logical cpus (when verbose) and its real ones.
expect_task() {
  local r=$1 logical=$2
  if [[ -n ${TASK_MASK[r]:-} ]]; then
    assert_eq "$logical" "${TASK_MASK[r]}" "$BIND_ARGS: logical cpus of task $r (verbose mask)"
  fi
  assert_eq "$(real_of "$logical")" "${TASK_CPUS[r]:-}" \
    "$BIND_ARGS: Cpus_allowed_list of task $r (logical cpus $logical on real PUs ${REAL[*]})"
}

# expect_tasks LOGICAL_OF_RANK0 LOGICAL_OF_RANK1 ...
expect_tasks() {
  local r=0 l
  for l in "$@"; do
    expect_task "$r" "$l"
    r=$((r + 1))
  done
}

read_real_pus
log "this host's PUs (hwloc logical order): ${REAL[*]}"

# ---------------------------------------------------------------- 4 nodes x package:1 core:4 pu:1
cluster_up --nodes 4 --cpus 4

step "default binding (cores), -N2 -n8: local task j on core j of its node"
bind_run -N2 -n8
expect_ntasks 8
for r in 0 1 2 3 4 5 6 7; do
  expect_task "$r" "$((r % 4))"
  assert_eq "$((r / 4))" "${TASK_NODEID[r]}" "node index of task $r (block: 4 per node)"
done
[[ ${TASK_NODE[0]} != "${TASK_NODE[4]}" ]] || fail "tasks 0 and 4 both ran on ${TASK_NODE[0]}"

step "--cpu-bind=cores,verbose -N2 -n8"
bind_run -N2 -n8 --cpu-bind=cores,verbose
expect_ntasks 8 verbose
for r in 0 1 2 3 4 5 6 7; do expect_task "$r" "$((r % 4))"; done

step "--cpu-bind=none: every task on all the step's cpus of its node"
bind_run -N2 -n8 --cpu-bind=none
expect_ntasks 8
for r in 0 1 2 3 4 5 6 7; do expect_task "$r" "0,1,2,3"; done
if ((${#REAL[@]} <= 4)); then
  all=$(printf '%s\n' "${REAL[@]}" | sort -n -u | paste -sd, -)
  assert_eq "$all" "${TASK_CPUS[0]}" "--cpu-bind=none: task 0 may run on every real PU"
fi

step "--cpu-bind=map_cpu:3,2,1,0"
bind_run -N1 -n4 --cpu-bind=map_cpu:3,2,1,0,verbose
expect_ntasks 4 verbose
expect_tasks 3 2 1 0

step "--cpu-bind=mask_cpu:0x3,0xc,0x5,0xa"
bind_run -N1 -n4 --cpu-bind=mask_cpu:0x3,0xc,0x5,0xa,verbose
expect_ntasks 4 verbose
expect_tasks 0,1 2,3 0,2 1,3

step "map_cpu with fewer entries than tasks: the list is cycled"
bind_run -N1 -n4 --cpu-bind=map_cpu:2,1
expect_ntasks 4
expect_tasks 2 1 2 1

step "-c 2: two cpus (cores) per task"
bind_run -N1 -n2 -c 2 --cpu-bind=cores,verbose
expect_ntasks 2 verbose
expect_tasks 0,1 2,3
bind_run -N2 -n4 -c 2
expect_ntasks 4
expect_tasks 0,1 2,3 0,1 2,3
assert_eq 0 "${TASK_NODEID[1]}" "-c 2 -N2 -n4: task 1 with task 0 (block)"
assert_eq 1 "${TASK_NODEID[2]}" "-c 2 -N2 -n4: task 2 on the second node"

# The allocation is Slurm's block layout, 3 tasks on the first node and 1 on the second;
# the node index of each task is what Slurm 22.05 gives (block 0 0 0 1, cyclic 0 1 0 0).
step "-m block vs -m cyclic across nodes (-N2 -n4)"
bind_run -N2 -n4 -m block --cpu-bind=cores,verbose
expect_ntasks 4 verbose
block_nodeid=(0 0 0 1)
for r in 0 1 2 3; do
  assert_eq "${block_nodeid[r]}" "${TASK_NODEID[r]}" "-m block: node index of task $r"
  # each task has one cpu of the step; Cpus_allowed_list is its PU
  assert_match '^[0-9]+$' "${TASK_MASK[r]}" "-m block: task $r bound to one logical cpu"
  expect_task "$r" "${TASK_MASK[r]}"
done
[[ ${TASK_MASK[0]} != "${TASK_MASK[1]}" ]] || fail "-m block: tasks 0 and 1 share cpu ${TASK_MASK[0]}"
[[ ${TASK_NODE[0]} == "${TASK_NODE[1]}" && ${TASK_NODE[1]} == "${TASK_NODE[2]}" &&
  ${TASK_NODE[0]} != "${TASK_NODE[3]}" ]] || fail "-m block: nodes of tasks 0-3: ${TASK_NODE[*]}"
bind_run -N2 -n4 -m cyclic --cpu-bind=cores,verbose
expect_ntasks 4 verbose
cyclic_nodeid=(0 1 0 0)
for r in 0 1 2 3; do
  assert_eq "${cyclic_nodeid[r]}" "${TASK_NODEID[r]}" "-m cyclic: node index of task $r"
  assert_match '^[0-9]+$' "${TASK_MASK[r]}" "-m cyclic: task $r bound to one logical cpu"
  expect_task "$r" "${TASK_MASK[r]}"
done
[[ ${TASK_MASK[0]} != "${TASK_MASK[2]}" ]] || fail "-m cyclic: tasks 0 and 2 share cpu ${TASK_MASK[0]}"
[[ ${TASK_NODE[0]} == "${TASK_NODE[2]}" && ${TASK_NODE[2]} == "${TASK_NODE[3]}" &&
  ${TASK_NODE[0]} != "${TASK_NODE[1]}" ]] || fail "-m cyclic: nodes of tasks 0-3: ${TASK_NODE[*]}"

step "bad bindings are refused before anything runs"
rc=0
timeout 60 hrun -N1 -n1 --cpu-bind=map_cpu:9 true 2>"$WORK/bad.err" || rc=$?
((rc != 0)) || fail "hrun --cpu-bind=map_cpu:9 on a 4-cpu node exited 0"
rc=0
timeout 60 hrun -N1 -n1 --cpu-bind=bogus true 2>"$WORK/bad.err" || rc=$?
((rc != 0)) || fail "hrun --cpu-bind=bogus exited 0"

# ---------------------------------------------------------------- package:2 core:2 pu:1
cluster_up --nodes 2 --cpus 4 --sockets 2
# logical cpus 0,1 on socket 0, 2,3 on socket 1; one cpu per core

step "2 sockets, cores, -m *:cyclic (default): tasks alternate sockets"
bind_run -N1 -n4 --cpu-bind=cores,verbose
expect_ntasks 4 verbose
expect_tasks 0 2 1 3

step "2 sockets, cores, -m block:block: a socket is filled first"
bind_run -N1 -n4 -m block:block --cpu-bind=cores,verbose
expect_ntasks 4 verbose
expect_tasks 0 1 2 3

step "2 sockets, --cpu-bind=sockets: each task on its whole socket"
bind_run -N1 -n4 --cpu-bind=sockets,verbose
expect_ntasks 4 verbose
expect_tasks 0,1 2,3 0,1 2,3
bind_run -N1 -n4 -m block:block --cpu-bind=sockets,verbose
expect_ntasks 4 verbose
expect_tasks 0,1 0,1 2,3 2,3

step "2 sockets, -c 2: one socket per task"
bind_run -N1 -n2 -c 2 --cpu-bind=cores,verbose
expect_ntasks 2 verbose
expect_tasks 0,1 2,3

step "2 sockets, -N2 -n8 -m cyclic:block"
bind_run -N2 -n8 -m cyclic:block --cpu-bind=cores,verbose
expect_ntasks 8 verbose
# ranks 0,2,4,6 on the first node (local tasks 0-3), 1,3,5,7 on the second
expect_tasks 0 0 1 1 2 2 3 3
for r in 0 1 2 3 4 5 6 7; do assert_eq "$((r % 2))" "${TASK_NODEID[r]}" "node index of task $r"; done

# ---------------------------------------------------------------- package:2 core:2 pu:2
cluster_up --nodes 1 --cpus 8 --sockets 2 --threads 2
# cores 0,1 (cpus 0-1, 2-3) on socket 0, cores 2,3 (cpus 4-5, 6-7) on socket 1

step "threads: --cpu-bind=threads -n8, -m *:cyclic"
bind_run -N1 -n8 --cpu-bind=threads,verbose
expect_ntasks 8 verbose
expect_tasks 0 4 1 5 2 6 3 7

step "threads: --cpu-bind=threads -n8, -m block:block"
bind_run -N1 -n8 -m block:block --cpu-bind=threads,verbose
expect_ntasks 8 verbose
expect_tasks 0 1 2 3 4 5 6 7

step "threads: --cpu-bind=cores -n4 -c 2: one whole core each"
bind_run -N1 -n4 -c 2 --cpu-bind=cores,verbose
expect_ntasks 4 verbose
expect_tasks 0,1 4,5 2,3 6,7
bind_run -N1 -n4 -c 2 -m block:block --cpu-bind=cores,verbose
expect_ntasks 4 verbose
expect_tasks 0,1 2,3 4,5 6,7

step "threads: --cpu-bind=cores -n8 (two tasks per core share it)"
bind_run -N1 -n8 --cpu-bind=cores,verbose
expect_ntasks 8 verbose
expect_tasks 0,1 4,5 0,1 4,5 2,3 6,7 2,3 6,7

step "threads: --cpu-bind=sockets -n4 -c 2"
bind_run -N1 -n4 -c 2 --cpu-bind=sockets,verbose
expect_ntasks 4 verbose
expect_tasks 0,1,2,3 4,5,6,7 0,1,2,3 4,5,6,7
