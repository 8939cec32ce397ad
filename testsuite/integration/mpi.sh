#!/usr/bin/env bash
# Open MPI programs launched by herd: directly (hrun --mpi=pmix, the PMIx server in
# herdstepd, fences across nodes through hrun) and by mpirun inside a batch job (which finds
# the allocation and starts its daemons through herd's srun); as root and as an
# unprivileged user; MPI_Abort ends the whole step with the abort code and leaves no rank
# process and no shared-memory segment behind.
# shellcheck disable=SC2016  # the task commands are single-quoted: the tasks expand them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
ensure_test_user
cluster_up --nodes 4 --cpus 4
HELLO=$(mpi_program hello)
ABORT=$(mpi_program abort)

# What /dev/shm holds now: afterwards, no step may have left anything new there (the step's
# private directory /dev/shm/herd.<node>.<tag>.job..., Open MPI's vader_segment.* files).
shm_list() { find /dev/shm -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort; }
shm_list >"$WORK/shm.before"
# Other clusters on this host may run steps meanwhile: only the step directories of this
# cluster's jobs count, and only what stays there for a while.
check_shm_clean() {
  local new ids t0=$SECONDS
  ids=$(hqueue -t all -h -o %i | tr -d ' ' | paste -sd'|' -)
  while :; do
    new=$(shm_list | comm -13 "$WORK/shm.before" - \
      | grep -E "^(herd\.n[0-9]+\.job($ids)\.|vader_segment\.)" || true)
    [[ -z $new ]] && return 0
    ((SECONDS - t0 < 10)) \
      || fail "left in /dev/shm after the steps ended: $(echo "$new" | tr '\n' ' ')"
    sleep 0.5
  done
}

# strip_labels FILE: checks that every line is labelled with the rank it prints
# ("3: rank 3/8 on ..."), and writes the lines without the labels to FILE.nolabel.
strip_labels() {
  local line re='^ *([0-9]+): (rank ([0-9]+)/.*)$'
  : >"$1.nolabel"
  while IFS= read -r line; do
    [[ $line =~ $re ]] || fail "unexpected line in $1: '$line'"
    [[ ${BASH_REMATCH[1]} == "${BASH_REMATCH[3]}" ]] \
      || fail "MPI rank ${BASH_REMATCH[3]} printed by task ${BASH_REMATCH[1]}: '$line'"
    echo "${BASH_REMATCH[2]}" >>"$1.nolabel"
  done <"$1"
}

for shape in 2:4 4:8; do
  nn=${shape%:*} nt=${shape#*:}
  step "hrun --mpi=pmix -N$nn -n$nt herd_mpi_hello (task number = MPI rank, allreduce right)"
  timeout 60 hrun --mpi=pmix -N "$nn" -n "$nt" --label "$HELLO" \
    >"$WORK/direct-$nn.out" 2>"$WORK/direct-$nn.err" \
    || fail "hrun --mpi=pmix -N$nn -n$nt exited $?: $(cat "$WORK/direct-$nn.err")"
  strip_labels "$WORK/direct-$nn.out"
  assert_mpi_hello "$WORK/direct-$nn.out.nolabel" "$nt"
done

step "the ranks of hrun --mpi=pmix -N4 -n8 ran on 4 nodes, 4,2,1,1 (Slurm's block layout)"
timeout 60 hrun --mpi=pmix -N4 -n8 \
  sh -c 'echo "where $HERD_PROCID $HERD_NODENAME $PMIX_RANK"; exec "$0"' "$HELLO" \
  >"$WORK/where.out" 2>"$WORK/where.err" || fail "hrun exited $?: $(cat "$WORK/where.err")"
grep '^rank ' "$WORK/where.out" >"$WORK/where.ranks" || true
assert_mpi_hello "$WORK/where.ranks" 8
for r in 0 1 2 3 4 5 6 7; do
  assert_file_matches "$WORK/where.out" "^where $r n[0-9]+ $r\$"
done
assert_eq "4 2 1 1" "$(awk '$1 == "where" { print $3 }' "$WORK/where.out" | sort | uniq -c \
  | awk '{ printf "%s%s", sep, $1; sep = " " }')" "ranks per node"

step "mpirun -N2 -n4 inside a batch job (root): no hostfile, daemons started through herd"
cat >"$WORK/mpirun.sh" <<EOF
#!/bin/bash
echo "srun=\$(command -v srun)"
if [ "\$(id -u)" = 0 ]; then flags="--allow-run-as-root --oversubscribe"; else flags=; fi
mpirun \$flags sh -c 'echo "where \$OMPI_COMM_WORLD_RANK \$HERD_NODENAME"; exec "\$0"' "$HELLO"
echo "mpirun_rc=\$?"
EOF
chmod 755 "$WORK/mpirun.sh"
check_mpirun_job() { # ID
  local out=$WORK/mpirun-$1.out
  wait_state "$1" COMPLETED 90
  assert_file_has_line "$out" "mpirun_rc=0"
  assert_file_matches "$out" "^srun=$CLUSTER/libexec/herd/compat/srun\$"
  grep '^rank ' "$out" >"$out.ranks" || true
  assert_mpi_hello "$out.ranks" 4
  assert_eq 2 "$(awk '$1 == "where" { print $3 }' "$out" | sort -u | wc -l)" \
    "number of nodes the 4 ranks of mpirun ran on ($(grep '^where' "$out" | tr '\n' ' '))"
}
id=$(submit -N2 -n4 -o "$WORK/mpirun-%j.out" "$WORK/mpirun.sh")
check_mpirun_job "$id"

step "$TEST_USER: hrun --mpi=pmix -N2 -n4, ranks run as $TEST_USER"
as_test_user "timeout 60 hrun --mpi=pmix -N2 -n4 sh -c 'echo \"user \$HERD_PROCID \$(id -un)\"; exec \"\$0\"' '$HELLO' >'$WORK/user.out' 2>'$WORK/user.err'" \
  || fail "hrun --mpi=pmix as $TEST_USER exited $?: $(cat "$WORK/user.err")"
grep '^rank ' "$WORK/user.out" >"$WORK/user.ranks" || true
assert_mpi_hello "$WORK/user.ranks" 4
for r in 0 1 2 3; do assert_file_has_line "$WORK/user.out" "user $r $TEST_USER"; done
if grep -qiE 'PMIX ERROR|error' "$WORK/user.err"; then
  fail "hrun as $TEST_USER printed errors: $(cat "$WORK/user.err")"
fi

step "$TEST_USER: mpirun inside a batch job, without root flags"
id=$(as_test_user "hbatch --parsable -N2 -n4 -o '$WORK/mpirun-%j.out' '$WORK/mpirun.sh'") \
  || fail "hbatch as $TEST_USER failed"
id=${id%%;*}
check_mpirun_job "$id"
assert_eq "$TEST_USER" "$(stat -c %U "$WORK/mpirun-$id.out")" "owner of the job's output"

step "MPI_Abort(7) in rank 1 of hrun --mpi=pmix -N2 -n4: hrun exits 7, no rank is left"
timeout 120 hrun --mpi=pmix -N2 -n4 "$ABORT" 300 >"$WORK/abort.out" 2>"$WORK/abort.err" &
hpid=$!
wait_exit "$hpid" 30 "hrun of herd_mpi_abort"
assert_eq 7 "$EXIT_RC" "exit code of hrun after MPI_Abort(..., 7) (stderr: $(head -c 1500 "$WORK/abort.err"))"
assert_file_has_line "$WORK/abort.out" "rank 1 aborting"
grep -q 'rank 1 called MPI_Abort (error code 7)' "$WORK/abort.err" \
  || fail "hrun does not say which rank aborted: $(grep 'hrun: error' "$WORK/abort.err")"
if grep -q 'was not killed' "$WORK/abort.out"; then
  fail "a rank outlived MPI_Abort: $(cat "$WORK/abort.out")"
fi
# hrun reports the tasks' ends once their step daemons have reaped them: none is left now
left=$(cluster_procs "herd_mpi_abort")
# shellcheck disable=SC2086  # one pid per word
[[ -z $left ]] || fail "ranks still running when hrun exited: $(describe_procs $left)"
wait_no_cluster_procs 20 "herdstepd(-batch)? .*--dir $CLUSTER/spool/"

step "MPI_Abort as $TEST_USER"
as_test_user "timeout 120 hrun --mpi=pmix -N2 -n4 '$ABORT' 300 >'$WORK/uabort.out' 2>'$WORK/uabort.err'" &
hpid=$!
wait_exit "$hpid" 30 "hrun of herd_mpi_abort as $TEST_USER"
assert_eq 7 "$EXIT_RC" "exit code of hrun after MPI_Abort as $TEST_USER (stderr: $(head -c 1500 "$WORK/uabort.err"))"
wait_no_cluster_procs 20 "herd_mpi_abort"

step "no step left anything in /dev/shm"
wait_no_cluster_procs 20 "herdstepd(-batch)? .*--dir $CLUSTER/spool/"
check_shm_clean
