#!/usr/bin/env bash
# Nodes as separate hosts: herd-local up --netns runs every herdd in its own network
# namespace and UTS hostname, on a private 10.x.y.0/24 behind a bridge holding the
# controller's address. MPI steps then span real network paths: fences go from each
# node's herdstepd to hrun over the bridge, and Open MPI's TCP traffic between nodes too.
# down removes the namespaces, veths and bridge.
# shellcheck disable=SC2016  # the task commands are single-quoted: the tasks expand them
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
command -v ip >/dev/null || skip "no 'ip' command (iproute2)"
if ! command -v nsenter >/dev/null || ! command -v unshare >/dev/null; then
  skip "no nsenter/unshare (util-linux)"
fi
probe=herd-probe-$$
if ! ip netns add "$probe" 2>"${TMPDIR:-/tmp}/$probe.err"; then
  why=$(cat "${TMPDIR:-/tmp}/$probe.err")
  rm -f "${TMPDIR:-/tmp}/$probe.err"
  skip "'ip netns add' does not work here: $why"
fi
ip netns del "$probe"
rm -f "${TMPDIR:-/tmp}/$probe.err"
ensure_test_user

cluster_up --nodes 4 --cpus 4 --netns
HELLO=$(mpi_program hello)
NETNS_FILE=$CLUSTER/netns
[[ -f $NETNS_FILE ]] || fail "herd-local up --netns wrote no $NETNS_FILE"
prefix=$(awk '$1 == "prefix" { print $2 }' "$NETNS_FILE")
bridge=$(awk '$1 == "bridge" { print $2 }' "$NETNS_FILE")
mapfile -t namespaces < <(awk '$1 == "ns" { print $3 }' "$NETNS_FILE")
mapfile -t veths < <(awk '$1 == "veth" { print $2 }' "$NETNS_FILE")
assert_match '^10\.[0-9]+\.[0-9]+$' "$prefix" "address prefix of the namespaces"
assert_eq 4 "${#namespaces[@]}" "number of namespaces"

step "every herdd runs in its own network namespace, with its node name as hostname"
root_ns=$(readlink /proc/self/ns/net)
declare -A seen_ns=()
for i in 1 2 3 4; do
  pid=$(daemon_pid "n$i") || fail "herdd n$i is not running"
  ns=$(readlink "/proc/$pid/ns/net")
  [[ $ns != "$root_ns" ]] || fail "herdd n$i runs in the root network namespace"
  [[ -z ${seen_ns[$ns]:-} ]] || fail "herdd n$i shares network namespace $ns with ${seen_ns[$ns]}"
  seen_ns[$ns]=n$i
  assert_eq "n$i" "$(nsenter --uts --target "$pid" hostname)" "hostname of herdd n$i"
  nsenter --net --target "$pid" ip -4 -o addr show dev eth0 | grep -qF " $prefix.$i/24" \
    || fail "n$i's namespace has no $prefix.$i on eth0: $(nsenter --net --target "$pid" ip -o addr)"
  assert_match "(^| )NodeAddr=$prefix\\.$i( |$)" "$(hcontrol show node "n$i" | tr '\n' ' ')" "NodeAddr of n$i"
done
ip -4 -o addr show dev "$bridge" | grep -qF " $prefix.254/24" \
  || fail "bridge $bridge does not hold $prefix.254"
grep -q "^ControllerHost=ctl1($prefix.254:" "$HERD_CONF" \
  || fail "the controller does not listen on the bridge address: $(grep ControllerHost "$HERD_CONF")"

step "tasks see their node's hostname and address"
timeout 60 hrun -N4 -n4 --label sh -c 'echo "$(hostname) $(ip -4 -o addr show dev eth0 | awk "{print \$4}")"' \
  >"$WORK/where.out" 2>"$WORK/where.err" || fail "hrun -N4 -n4 exited $?: $(cat "$WORK/where.err")"
for t in 0 1 2 3; do
  line=$(grep -E "^ *$t: " "$WORK/where.out") || fail "no output of task $t: $(cat "$WORK/where.out")"
  node=$(awk '{ print $2 }' <<<"$line")
  assert_match '^n[1-4]$' "$node" "hostname of task $t"
  assert_eq "$prefix.${node#n}/24" "$(awk '{ print $3 }' <<<"$line")" "address of task $t on $node"
done
assert_eq 4 "$(awk '{ print $2 }' "$WORK/where.out" | sort -u | wc -l)" "distinct hostnames of 4 tasks on 4 nodes"

# check_hello FILE NTASKS NNODES [COUNTS]: the ranks are right and ran on NNODES different
# hosts named like herd's nodes; COUNTS: the ranks per host, most first, as Slurm's block
# layout gives them (one task per node, then the first nodes filled: -N2 -n4 on 4-cpu
# nodes is "3 1").
check_hello() {
  assert_mpi_hello "$1" "$2"
  local hosts
  hosts=$(sed -nE 's/^rank [0-9]+\/[0-9]+ on ([^ ]+) .*/\1/p' "$1" | sort | uniq -c | awk '{ print $2 "=" $1 }' | paste -sd' ' -)
  assert_eq "$3" "$(wc -w <<<"$hosts")" "number of hosts the ranks ran on ($hosts)"
  local h
  for h in $hosts; do
    assert_match "^n[1-4]=[0-9]+\$" "$h" "host=ranks of $1"
  done
  if [[ -n ${4:-} ]]; then
    assert_eq "$4" "$(tr ' ' '\n' <<<"$hosts" | cut -d= -f2 | sort -rn | paste -sd' ' -)" \
      "ranks per host in $1 ($hosts)"
  fi
}

step "hrun --mpi=pmix -N2 -n4 across namespaces: two hostnames, right allreduce"
timeout 60 hrun --mpi=pmix -N2 -n4 "$HELLO" >"$WORK/mpi2.out" 2>"$WORK/mpi2.err" \
  || fail "hrun --mpi=pmix -N2 -n4 exited $?: $(cat "$WORK/mpi2.err")"
check_hello "$WORK/mpi2.out" 4 2 "3 1"

step "hrun --mpi=pmix -N4 -n8 across namespaces"
timeout 60 hrun --mpi=pmix -N4 -n8 "$HELLO" >"$WORK/mpi4.out" 2>"$WORK/mpi4.err" \
  || fail "hrun --mpi=pmix -N4 -n8 exited $?: $(cat "$WORK/mpi4.err")"
check_hello "$WORK/mpi4.out" 8 4 "4 2 1 1"

step "the same as $TEST_USER"
as_test_user "timeout 60 hrun --mpi=pmix -N2 -n4 '$HELLO' >'$WORK/umpi.out' 2>'$WORK/umpi.err'" \
  || fail "hrun --mpi=pmix as $TEST_USER exited $?: $(cat "$WORK/umpi.err")"
check_hello "$WORK/umpi.out" 4 2 "3 1"

step "mpirun -N2 -n4 inside a batch job, across namespaces (hrun runs inside a node's namespace)"
cat >"$WORK/mpirun.sh" <<EOF
#!/bin/bash
echo "batch on \$(hostname)"
hrun --label hostname
if [ "\$(id -u)" = 0 ]; then flags="--allow-run-as-root --oversubscribe"; else flags=; fi
mpirun \$flags "$HELLO"
echo "mpirun_rc=\$?"
EOF
chmod 755 "$WORK/mpirun.sh"
id=$(submit -N2 -n4 -o "$WORK/mpirun-%j.out" "$WORK/mpirun.sh")
wait_state "$id" COMPLETED 90
out=$WORK/mpirun-$id.out
assert_file_has_line "$out" "mpirun_rc=0"
assert_file_matches "$out" '^batch on n[1-4]$'
assert_eq 2 "$(sed -nE 's/^ *[0-3]: (n[1-4])$/\1/p' "$out" | sort -u | wc -l)" "hostnames of hrun's 4 tasks in the job"
grep '^rank ' "$out" >"$out.ranks" || true
check_hello "$out.ranks" 4 2

step "a wrong HERD_IO_ADDR (unreachable from the nodes) fails the step, it does not hang"
rc=0
HERD_IO_ADDR=127.0.0.1 timeout 90 hrun -N2 -n2 true 2>"$WORK/badio.err" || rc=$?
((rc != 0 && rc != 124)) || fail "hrun with HERD_IO_ADDR=127.0.0.1 exited $rc: $(cat "$WORK/badio.err")"
step "HERD_IO_ADDR set to the bridge address works"
out=$(HERD_IO_ADDR=$prefix.254 timeout 60 hrun -N2 -n2 --label hostname | sort) \
  || fail "hrun with HERD_IO_ADDR=$prefix.254 failed"
assert_match '^0: n[1-4]'$'\n''1: n[1-4]$' "$out" "output with HERD_IO_ADDR=$prefix.254"

step "a node daemon stopped and started again comes back in its namespace"
"$HERD_LOCAL" stop n3 --dir "$CLUSTER" >&2 || fail "herd-local stop n3 failed"
daemon_start n3
pid=$(daemon_pid n3)
assert_eq "n3" "$(nsenter --uts --target "$pid" hostname)" "hostname of the restarted herdd n3"
wait_node_state n3 idle 30
timeout 60 hrun -N1 -n1 -w n3 hostname >"$WORK/n3.out" || fail "hrun -w n3 failed after the restart"
assert_eq n3 "$(cat "$WORK/n3.out")" "hostname of a task on the restarted n3"

step "down removes the namespaces, veths and bridge"
"$HERD_LOCAL" down --dir "$CLUSTER" >/dev/null 2>&1 || fail "herd-local down failed"
for ns in "${namespaces[@]}"; do
  ! ip netns list | awk '{ print $1 }' | grep -qxF "$ns" || fail "namespace $ns is still there"
done
for l in "$bridge" "${veths[@]}"; do
  ! ip link show "$l" >/dev/null 2>&1 || fail "link $l is still there after down"
done
! ip -4 -o addr show | grep -qF " $prefix." || fail "an address in $prefix.0/24 is still there"
[[ ! -e $NETNS_FILE ]] || fail "$NETNS_FILE is still there after down"
