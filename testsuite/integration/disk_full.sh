#!/usr/bin/env bash
# Exhaustion: the controller's StateDir on a small tmpfs. A full state disk makes the
# controller refuse submissions with the cause while it answers queries and keeps its
# running job, whose completion is recorded once space returns; new submissions are then
# accepted by themselves, and a restart on the full disk says why it cannot serve. Also:
# MaxScriptSize checked by hbatch (fast) and by the controller (a request from a client
# with a doctored configuration), MaxSubmitJobsPerUser as an unprivileged user, and the
# per-peer rate limit of refused frames in the log.
source "$(dirname "$0")/lib.sh"

ensure_test_user
export HERD_LOCAL_EXTRA_CONF=$'StateDirReserve=4M\nMaxSubmitJobsPerUser=3'
cluster_up --nodes 2
CTL_LOG=$CLUSTER/log/herdctld-ctl1.log
STATE=$CLUSTER/state/ctl1
FILLER=

# ------------------------------------------------------------ state dir on a small tmpfs
step "move ctl1's StateDir onto a 24 MB tmpfs"
"$HERD_LOCAL" stop ctl1 --dir "$CLUSTER" >&2
mv "$STATE" "$STATE.disk"
mkdir "$STATE"
mount -t tmpfs -o size=24m,mode=0700 herd-test-state "$STATE" || skip "cannot mount a tmpfs"
# Unmounted lazily before the cluster is torn down (the controller may still hold files).
_exit_trap() {
  local rc=$?
  set +e
  [[ -z $FILLER ]] || kill "$FILLER" 2>/dev/null
  umount -l "$STATE" 2>/dev/null
  (exit "$rc")
  _teardown
}
trap _exit_trap EXIT
cp -a "$STATE.disk/." "$STATE/"
daemon_start ctl1
wait_for 20 "ctl1 to serve" hqueue

# The tmpfs full, and kept full: space the controller frees (a job blob segment it drops)
# is taken again within 50 ms, until free_disk.
fill_disk() {
  dd if=/dev/zero of="$STATE/fill.0" bs=1M 2>/dev/null || true
  rm -f "$WORK/stop-fill"
  (
    i=1
    while [[ ! -e $WORK/stop-fill ]]; do
      dd if=/dev/zero of="$STATE/fill.$i" bs=4k 2>/dev/null || true
      i=$((i + 1))
      sleep 0.05
    done
  ) &
  FILLER=$!
}
free_disk() {
  touch "$WORK/stop-fill"
  wait "$FILLER" 2>/dev/null || true
  rm -f "$STATE"/fill.*
}
free_kb() { df -k --output=avail "$STATE" | tail -n 1 | tr -d ' '; }

# ------------------------------------------------------------------------ script size
step "a 5 MB script is refused by hbatch at once, naming MaxScriptSize"
{
  echo '#!/bin/sh'
  head -c $((5 << 20)) /dev/zero | tr '\0' '#'
  echo
  echo 'true'
} >"$WORK/big.sh"
t0=$(date +%s%N)
rc=0
out=$(hbatch "$WORK/big.sh" 2>&1) || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
((rc != 0)) || fail "hbatch accepted a 5 MB script: $out"
assert_match "Batch job submission failed: Batch script is too large: [0-9]+ bytes, the limit \(MaxScriptSize\) is 4194304" "$out" "hbatch's message"
log "refused by hbatch in $ms ms"

step "the controller refuses the same script sent by a client that ignores the limit"
sed 's/^StateDirReserve=.*/MaxScriptSize=64M/' "$HERD_CONF" >"$WORK/loose.conf"
rc=0
out=$(HERD_CONF=$WORK/loose.conf hbatch "$WORK/big.sh" 2>&1) || rc=$?
((rc != 0)) || fail "the controller accepted a 5 MB script: $out"
assert_match "Batch script is too large: [0-9]+ bytes, the limit \(MaxScriptSize\) is 4194304" "$out" "controller's message"
assert_eq 0 "$(job_count)" "jobs after the refused submissions"

# ------------------------------------------------------------------- per-user pending
step "MaxSubmitJobsPerUser=3 for an unprivileged user; root is not limited"
for i in 1 2 3; do
  as_test_user "hbatch -H -o /dev/null --wrap true" >/dev/null || fail "submission $i as $TEST_USER refused"
done
rc=0
out=$(as_test_user "hbatch -H -o /dev/null --wrap true" 2>&1) || rc=$?
((rc != 0)) || fail "a 4th pending job of $TEST_USER was accepted: $out"
assert_match "user $TEST_USER has 3 jobs pending or running, MaxSubmitJobsPerUser is 3" "$out" "per-user message"
root_job=$(submit -H -o /dev/null --wrap true)
as_test_user "hcancel -u $TEST_USER" || fail "hcancel -u $TEST_USER failed"
hcancel "$root_job"
wait_for 10 "$TEST_USER's jobs to end" bash -c "[[ -z \$(hqueue -h -u $TEST_USER -o %i) ]]"
as_test_user "hbatch -H -o /dev/null --wrap true" >/dev/null || fail "$TEST_USER cannot submit after cancelling"
as_test_user "hcancel -u $TEST_USER" || true

# --------------------------------------------------------------------------- full disk
step "a job runs while the state disk fills up"
held=$(submit -H -o /dev/null --wrap true)
job=$(submit -o "$WORK/run.out" --wrap "echo started; sleep 25; echo finished")
wait_state "$job" RUNNING 20
# Its node's launch confirmation is a journal record too: let it in before the disk fills.
wait_for 20 "the job to start on its node" grep -qx started "$WORK/run.out"
sleep 1
fill_disk
log "free on the state disk: $(free_kb) kB"
# The controller looks at the free space at most every 50 ms: a figure it took while the
# disk was filling must be older than that before the next submission, or that submission
# is accepted, its commit fails, and it waits unanswered for space (outcome unknown to
# its client, as when a controller does not answer).
sleep 0.2

step "below the reserve, submissions are refused; queries and pings answer"
rc=0
out=$(hbatch -o /dev/null --wrap true 2>&1) || rc=$?
((rc != 0)) || fail "a submission was accepted on a full state disk: $out"
# The reserve refuses it; should a late record of the running job have hit the full disk
# first, the journal's failure does (either way at once, with the cause).
assert_match "Submissions are refused: the controller's state disk has 0 MB free, below StateDirReserve \(4 MB\)|cannot record changes: .*No space left on device" "$out" "refusal below the reserve"
hqueue >/dev/null || fail "hqueue does not answer on a full state disk"
hcontrol ping | grep -q "is UP" || fail "hcontrol ping: $(hcontrol ping 2>&1)"

step "small records fill the journal's last page; then the journal cannot be written"
# Each hold is a journal record; tmpfs takes them until the journal needs a new page.
for ((i = 0; i < 500; i++)); do
  out=$(timeout 30 hcontrol hold "$held" 2>&1) || true
  [[ $out == *"cannot record changes"* || $out == *"Unable to contact"* ]] && break
  [[ -z $out ]] || fail "hcontrol hold: $out"
done
log "after $i holds: ${out:-nothing}"
grep -q "cannot write the journal: .*No space left on device" "$CTL_LOG" \
  || fail "$CTL_LOG does not report the unwritable journal"
rc=0
out=$(hbatch -o /dev/null --wrap true 2>&1) || rc=$?
((rc != 0)) || fail "a submission was accepted while the journal fails: $out"
assert_match "cannot record changes: .*No space left on device" "$out" "refusal while the journal fails"
log "hbatch: $out"
out=$(hcancel "$job" 2>&1) || true
assert_match "cannot record changes" "$out" "hcancel while the journal fails"
assert_eq RUNNING "$(job_state "$job")" "the running job"
hcontrol ping | grep -q "is UP: active" || fail "not active while the journal fails: $(hcontrol ping 2>&1)"

step "the job's end cannot be recorded: it is not acknowledged, so it is not lost"
wait_for 40 "the job to finish on its node" grep -qx finished "$WORK/run.out"
sleep 3 # the node daemon tries to report it
grep -q "reported completion of job$job\." "$CLUSTER/log/herdd-n1.log" "$CLUSTER/log/herdd-n2.log" \
  && fail "the controller acknowledged a completion it could not record"
hqueue -j "$job" >/dev/null || fail "hqueue does not answer while the journal fails"

step "space returns: the completion is recorded and submissions are accepted by themselves"
free_disk
wait_state "$job" COMPLETED 30
grep -q "the journal is written again" "$CTL_LOG" || fail "no recovery line in $CTL_LOG"
after=$(submit -o "$WORK/after.out" --wrap "echo after")
wait_state "$after" COMPLETED 30
assert_file_has_line "$WORK/after.out" "after"

# ------------------------------------------------------------------- restart, disk full
step "restart on a full state disk says why it cannot serve"
"$HERD_LOCAL" stop ctl1 --dir "$CLUSTER" >&2
fill_disk
daemon_start ctl1
rc=0
out=$(timeout 30 hbatch -o /dev/null --wrap true 2>&1) || rc=$?
((rc != 0)) || fail "a submission was accepted by a controller restarted on a full disk: $out"
assert_match "cannot save its vote: .*No space left on device" "$out" "hbatch after a restart on a full disk"
log "hbatch: $out"
grep -q "cannot save the vote: .*No space left on device" "$CTL_LOG" \
  || fail "$CTL_LOG does not name the full disk"
free_disk
wait_for 30 "ctl1 to become active once space returns" hbatch -o /dev/null --wrap true
assert_eq COMPLETED "$(job_state "$job")" "the job's end, recorded once space returned, after a restart"

# ------------------------------------------------------------------- log rate limit
# flood HOST PORT LOG WHAT NAME: 20,000 garbage frames to HOST:PORT (a CURVE client
# expecting daemon NAME's key, as any local user can be); LOG (the daemon's) must grow by a
# few lines that account for every one of them: WHAT lines plus summaries.
flood() {
  local host=$1 port=$2 logf=$3 what=$4 name=$5 before lines refused summed pid
  before=$(wc -l <"$logf")
  "$py" - "$host" "$port" "$CLUSTER/keys/$name.pub" <<'EOF' &
import sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.DEALER)
s.setsockopt(zmq.LINGER, 5000)
s.setsockopt(zmq.SNDHWM, 0)
public, secret = zmq.curve_keypair()
with open(sys.argv[3], "rb") as f:
    s.setsockopt(zmq.CURVE_SERVERKEY, f.read().strip())
s.setsockopt(zmq.CURVE_PUBLICKEY, public)
s.setsockopt(zmq.CURVE_SECRETKEY, secret)
s.connect("tcp://%s:%s" % (sys.argv[1], sys.argv[2]))
for i in range(20000):
    s.send(b"not a herd frame %d" % i)
s.close()
ctx.term()
EOF
  pid=$!
  for _ in 1 2 3; do
    hcontrol ping | grep -q "is UP" || fail "ping during the flood: $(hcontrol ping 2>&1)"
  done
  wait "$pid" || fail "the flood sender failed"
  wait_for 30 "the summary of refused frames in $logf" \
    grep -qE "[0-9]+ more refused from $host in the last [0-9]+ s" "$logf"
  sleep 2 # a later window's summary, if the flood spanned two
  lines=$(($(wc -l <"$logf") - before))
  refused=$(tail -n "$lines" "$logf" | grep -c "$what" || true)
  summed=$(tail -n "$lines" "$logf" | grep -oE "[0-9]+ more refused from $host" | awk '{ n += $1 } END { print n + 0 }')
  log "$(basename "$logf") grew by $lines lines: $refused refusals written, $summed counted in summaries"
  ((lines < 50)) || fail "$logf grew by $lines lines for 20000 refused frames"
  ((refused + summed == 20000)) || fail "$refused + $summed of the 20000 frames accounted for in $logf"
}

py=$(zmq_python) || skip "python3 with zmq is needed for the flood"
step "20,000 garbage frames to the controller: the log stays small and pings answer"
read -r host port < <(sed -nE 's|^ControllerHost=ctl1\(([^:]+):([0-9]+)(/[0-9]+)?\)$|\1 \2|p' "$HERD_CONF")
[[ -n $port ]] || fail "no ctl1 address in $HERD_CONF"
flood "$host" "$port" "$CTL_LOG" "dropping a malformed message" ctl1
hcontrol ping | grep -q "is UP" || fail "ping after the flood: $(hcontrol ping 2>&1)"

step "20,000 garbage frames to a node daemon: its log stays small, the node stays up"
read -r host port < <(sed -nE 's/^NodeName=.* NodeAddr=([^ ]+) Port=([0-9]+)-.*/\1 \2/p' "$HERD_CONF")
[[ -n $port ]] || fail "no node address in $HERD_CONF"
flood "$host" "$port" "$CLUSTER/log/herdd-n1.log" "dropping a malformed frame" n1
after=$(submit -o "$WORK/flood.out" --wrap "echo still here")
wait_state "$after" COMPLETED 30
