#!/usr/bin/env bash
# A local user who binds a stopped daemon's port gets nothing and changes nothing
# (doc/security.md). The fakes (fake_daemon.py) run as the unprivileged test user, plain
# ZeroMQ servers or CURVE servers with a key of their own, recording every frame and
# answering everything as harmfully as they can (votes granted, epoch 2^64-1 or 2^62):
#   - a fake herdd on a stopped node's port is sent no job (script, environment);
#   - hbatch against a fake controller sends it nothing and fails with a clear message;
#     the node daemons that talk to it meanwhile are not poisoned: the real controller
#     comes back, the running job is not killed, completes and new jobs run;
#   - a fake witness changes no epoch: the active stays active, the vote files stay sane;
#   - a vote file already poisoned (by an older herd) stops the controller with a clear
#     message, and `herdctld --reset-vote` brings it back.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2
ensure_test_user
py=$(zmq_python) || fail "no python3 with the zmq module (apt-get install python3-zmq)"
SECRET=pw-$RANDOM$RANDOM$RANDOM
ctl_port=$(sed -n 's|^ControllerHost=[^(]*([^:]*:\([0-9]*\)[/)].*|\1|p' "$HERD_CONF")
cmd_port=$(sed -n 's|^ControllerHost=[^(]*([^:]*:[0-9]*/\([0-9]*\)).*|\1|p' "$HERD_CONF")
n1_port=$(sed -n 's/^NodeName=.* Port=\([0-9]*\).*/\1/p' "$HERD_CONF")
n2_port=$((n1_port + 1))

# fake_start NAME PORT [fake_daemon.py options]: the fake, as the test user, in the
# background (for 120 s at most: a failed test leaves none behind); its capture is
# $WORK/fake-NAME.
fake_start() {
  local name=$1 port=$2
  shift 2
  rm -f "$WORK/fake-$name" "$WORK/fake-$name".*
  as_test_user "nohup timeout 120 '$py' '$LIB_DIR/fake_daemon.py' 127.0.0.1 $port '$WORK/fake-$name' $* \
    >'$WORK/fake-$name.log' 2>&1 &"
  wait_for 10 "the fake $name on port $port" test -s "$WORK/fake-$name.ready"
}
fake_stop() {
  local pid
  pid=$(head -n 1 "$WORK/fake-$1.ready")
  kill "$pid" 2>/dev/null || true
  wait_for 10 "the fake $1 to exit" bash -c "! kill -0 $pid"
}
# fake_got_nothing NAME: not one frame reached the fake, and the secret is nowhere in
# what it recorded.
fake_got_nothing() {
  local frames=0
  [[ -f $WORK/fake-$1.count ]] && frames=$(<"$WORK/fake-$1.count")
  if [[ -f $WORK/fake-$1 ]] && grep -qa "$SECRET" "$WORK/fake-$1"; then
    fail "the fake $1 received the secret ($frames frames)"
  fi
  assert_eq 0 "$frames" "frames the fake $1 received"
}

step "a fake herdd on n2's port is sent no job"
"$HERD_LOCAL" stop n2 --signal KILL --dir "$CLUSTER" >&2
fake_start n2 "$n2_port" --plain --epoch 4611686018427387904
# n2 is still idle for the controller (NodeTimeout=5): the job is meant for it.
leak=$(as_test_user "HERD_PASSWORD=$SECRET hbatch --parsable -w n2 -o '$WORK/leak-%j.out' \
  --wrap 'echo script-$SECRET \$HERD_PASSWORD'") || fail "hbatch -w n2 failed"
leak=${leak%%;*}
sleep 3
fake_got_nothing n2
fake_stop n2

step "the real n2 comes back and runs the job"
daemon_start n2
wait_state "$leak" COMPLETED 60
assert_file_has_line "$WORK/leak-$leak.out" "script-$SECRET $SECRET"

step "a job runs on n1 while the controller is replaced by a fake"
run=$(submit -w n1 -o "$WORK/run-%j.out" --wrap 'sleep 15; echo survived')
wait_state "$run" RUNNING 20
daemon_kill9 ctl1
fake_start ctl1 "$ctl_port" --epoch 4611686018427387904

step "hbatch sends the fake controller nothing readable and fails clearly"
# Commands send sealed requests to the command port: a fake there gets ciphertext only.
fake_start ctl1-cmd "$cmd_port" --plain --epoch 4611686018427387904
# hbatch waits MessageTimeout for a controller that may come back: 4 s here, so that the
# real one is back before the nodes' lease (2 x NodeTimeout = 10 s) runs out.
{ cat "$HERD_CONF"; echo "MessageTimeout=4"; } >"$WORK/short-timeout.conf"
chmod 644 "$WORK/short-timeout.conf"
rc=0
err=$(as_test_user "HERD_CONF=$WORK/short-timeout.conf HERD_PASSWORD=$SECRET timeout 60 \
  hbatch --wrap 'echo $SECRET' 2>&1") || rc=$?
((rc != 0 && rc != 124)) || fail "hbatch against the fake controller exited $rc: $err"
assert_match "not sealed with the cluster's key" "$err" "hbatch's error against the fake controller"
log "hbatch: $err"
fake_got_nothing ctl1
if grep -qa "$SECRET" "$WORK/fake-ctl1-cmd"; then
  fail "the fake on the command port could read the secret"
fi
(($(<"$WORK/fake-ctl1-cmd.count") > 0)) || fail "hbatch never tried the command port"
fake_stop ctl1-cmd
fake_stop ctl1

step "the real controller comes back: nodes are not fenced, the job was not killed"
daemon_start ctl1
wait_node_state n2 idle 30
wait_state "$run" COMPLETED 40
assert_file_has_line "$WORK/run-$run.out" "survived"
id=$(submit -N 2 -o "$WORK/after-%j.out" --wrap 'echo after')
wait_state "$id" COMPLETED 30
if grep -Eh "fenced|highest seen 4611686018427387904" "$CLUSTER"/log/herdd-n*.log >&2; then
  fail "a node daemon believed the fake controller's epoch"
fi

step "a controller pair and a fake witness"
cluster_up --nodes 1 --cpus 2 --controllers 2
wait_active ctl1 20
w_port=$(sed -n 's/^WitnessHost=[^(]*([^:]*:\([0-9]*\)).*/\1/p' "$HERD_CONF")
daemon_kill9 w
fake_start w "$w_port" --plain --name w
# ctl1 renews its lease with the witness every HaLeaseMs/4: it would adopt 2^64-1 here.
sleep 3
fake_got_nothing w
for ctl in ctl1 ctl2; do
  epoch=$(sed -n 's/.* epoch=\([0-9]*\) .*/\1/p' "$CLUSTER/state/$ctl/vote")
  if [[ -z $epoch ]] || ((${#epoch} >= 15)); then
    fail "$ctl's vote file: $(cat "$CLUSTER/state/$ctl/vote")"
  fi
done
wait_active ctl1 5
id=$(submit -o /dev/null --wrap true)
wait_state "$id" COMPLETED 30
fake_stop w
daemon_start w

step "a vote file poisoned earlier stops ctl2 with the way out"
daemon_kill9 ctl2
echo "herd-vote 1 epoch=18446744073709551615 voted_for=w log_epoch=1 excluded=" \
  >"$CLUSTER/state/ctl2/vote"
if daemon_start ctl2 2>/dev/null; then
  sleep 1
  "$HERD_LOCAL" pid ctl2 --dir "$CLUSTER" >/dev/null 2>&1 && fail "ctl2 runs on a poisoned vote file"
fi
assert_file_matches "$CLUSTER/log/ctl2.out" "above the ceiling.*herdctld --reset-vote"
out=$("$BIN/herdctld" --reset-vote --conf "$HERD_CONF" --name ctl2) || fail "--reset-vote failed"
assert_match "18446744073709551615 -> 65537" "$out" "what --reset-vote did"
daemon_start ctl2
wait_for 30 "ctl2 to be passive and in sync" \
  bash -c "hcontrol ping | grep -E '^herdctld ctl2 .*is UP: passive, in sync'"
wait_active ctl1 5
