#!/usr/bin/env bash
# Bad input is refused cleanly: a malformed configuration names file:line; hbatch rejects
# impossible or malformed requests with one error line and creates no job; garbage on the
# wire does not take a daemon down.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 4 --mem 2000

# expect_fail WHAT PATTERN CMD...: CMD exits non-zero (not by timeout) within 10 s and its
# stderr matches PATTERN (extended regex, case-insensitive). Sets LAST_ERR.
expect_fail() {
  local what=$1 pattern=$2 rc=0
  shift 2
  timeout 10 "$@" >"$WORK/out" 2>"$WORK/err" </dev/null || rc=$?
  LAST_ERR=$(cat "$WORK/err")
  ((rc != 0)) || fail "$what: '$*' exited 0 (stdout: $(head -c 500 "$WORK/out"))"
  ((rc != 124)) || fail "$what: '$*' did not exit within 10 s"
  grep -qiE -- "$pattern" "$WORK/err" \
    || fail "$what: '$*' exited $rc; stderr should match /$pattern/, it is: '$LAST_ERR'"
}

step "malformed configuration lines are reported as file:line"
conf_lines=$(wc -l <"$HERD_CONF")
bad_line=$((conf_lines + 1))
cp "$HERD_CONF" "$WORK/bad1.conf"
echo "HeartbeatInterval=abc" >>"$WORK/bad1.conf"
cp "$HERD_CONF" "$WORK/bad2.conf"
echo "NoSuchKey=1" >>"$WORK/bad2.conf"
cp "$HERD_CONF" "$WORK/bad3.conf"
echo "NodeName=x[1-2] NodeAddr=127.0.0.1 Port=1 CPUs=many" >>"$WORK/bad3.conf"
for bad in bad1 bad2 bad3; do
  f=$WORK/$bad.conf
  expect_fail "herdctld with $bad.conf" "$f:$bad_line" "$BIN/herdctld" --conf "$f" --name ctl1
  expect_fail "herdd with $bad.conf" "$f:$bad_line" "$BIN/herdd" --conf "$f" --name n1
  expect_fail "hqueue with $bad.conf" "$f:$bad_line" env HERD_CONF="$f" "$BIN/hqueue"
  expect_fail "hbatch with $bad.conf" "$f:$bad_line" env HERD_CONF="$f" "$BIN/hbatch" --wrap true
done
expect_fail "hqueue with a missing config" "no-such.conf" env HERD_CONF="$WORK/no-such.conf" "$BIN/hqueue"

step "a second daemon on a port in use exits with a clear error"
expect_fail "second herdctld" "in use|address|port|bind" "$BIN/herdctld" --conf "$HERD_CONF" --name ctl1
expect_fail "second herdd n1" "in use|address|port|bind" "$BIN/herdd" --conf "$HERD_CONF" --name n1
expect_fail "herdd for an unknown node" "n99" "$BIN/herdd" --conf "$HERD_CONF" --name n99

step "hbatch refuses impossible or malformed requests, one error line, no job"
before=$(job_count)
check_hbatch() { # WHAT PATTERN HBATCH_ARGS...
  local what=$1 pattern=$2
  shift 2
  expect_fail "hbatch $what" "$pattern" hbatch "$@"
  # one error line (plus, for usage errors, Slurm's 'Try "hbatch --help"' hint)
  local lines
  lines=$(grep -v '^Try "hbatch --help"' "$WORK/err" | grep -c . || true)
  [[ $lines == 1 ]] || fail "hbatch $what: expected one error line, got $lines: '$LAST_ERR'"
}
check_hbatch "unknown partition" "nosuch|partition" -p nosuch --wrap true
check_hbatch "more nodes than exist" "node|not available" -N 3 --wrap true
check_hbatch "more memory than a node has" "mem|not available" --mem 999999 --wrap true
check_hbatch "more cpus than a node has" "cpu|node" -c 5 --wrap true
check_hbatch "invalid time string" "time|abc" -t abc --wrap true
check_hbatch "invalid time string (too many fields)" "time|1:2:3:4" -t 1:2:3:4 --wrap true
check_hbatch "unknown option" "no-such-option|unrecognized|unknown" --no-such-option --wrap true
check_hbatch "missing script" "no-such-script" "$WORK/no-such-script.sh"
after=$(job_count)
assert_eq "$before" "$after" "number of jobs after the rejected submissions"

ctl_port=$(sed -n 's|^ControllerHost=[^(]*([^:]*:\([0-9]*\)[/)].*|\1|p' "$HERD_CONF")
cmd_port=$(sed -n 's|^ControllerHost=[^(]*([^:]*:[0-9]*/\([0-9]*\)).*|\1|p' "$HERD_CONF")
n1_port=$(sed -n 's/^NodeName=.* Port=\([0-9]*\).*/\1/p' "$HERD_CONF")
py=$(zmq_python) || fail "no python3 with the zmq module (apt-get install python3-zmq)"

# send_garbage PORT NAME: raw bytes over TCP (bash /dev/tcp: only ZeroMQ's handshake and,
# for ZMTP/1.0, its framing see these), then malformed herd frames through a DEALER socket
# (a CURVE client expecting daemon NAME's public key, as any local user can be).
send_garbage() {
  if exec 3<>"/dev/tcp/127.0.0.1/$1"; then
    head -c 8192 /dev/urandom >&3 || true
    exec 3>&-
  fi
  "$py" "$LIB_DIR/send_garbage.py" 127.0.0.1 "$1" --expect-unsupported \
    --server-key "$CLUSTER/keys/$2.pub" >&2
}

step "garbage to the controller"
ctl_pid=$(daemon_pid ctl1)
send_garbage "$ctl_port" ctl1 || fail "controller: bad frames (see above)"
# The command port: plain ZeroMQ, sealed requests (and plain ones, answered as ever).
"$py" "$LIB_DIR/send_garbage.py" 127.0.0.1 "$cmd_port" --expect-unsupported >&2 \
  || fail "controller's command port: bad frames (see above)"
sleep 1
assert_eq "$ctl_pid" "$(daemon_pid ctl1 2>/dev/null || echo dead)" "herdctld pid after garbage"
hqueue -t all >/dev/null || fail "hqueue fails after garbage to the controller"
# the controller must still be able to sign its own requests (the launch to a herdd)
id=$(submit -o "$WORK/after-ctl-%j.out" --wrap 'echo still fine')
wait_state "$id" COMPLETED 30
assert_file_has_line "$WORK/after-ctl-$id.out" "still fine"

step "garbage to herdd n1"
n1_pid=$(daemon_pid n1)
send_garbage "$n1_port" n1 || fail "herdd n1: bad frames (see above)"
assert_eq "$n1_pid" "$(daemon_pid n1 2>/dev/null || echo dead)" "herdd n1 pid after garbage"
# heartbeats must go on: the node stays up past NodeTimeout (5 s)
sleep 7
assert_eq idle "$(node_state n1)" "state of n1 7 s after the garbage (NodeTimeout=5)"
id=$(submit -N 2 -o "$WORK/after-n1-%j.out" --wrap 'echo still fine')
wait_state "$id" COMPLETED 30
assert_file_has_line "$WORK/after-n1-$id.out" "still fine"
wait_node_state n1 idle 15
