# shellcheck shell=bash
# Shared helpers for the integration tests: each test is a bash script that sources this
# file, brings up a real cluster (munged, herdctld, herdd) with contribs/herd-local in a
# fresh directory, and checks real behaviour through the real commands.
#
#   source "$(dirname "$0")/lib.sh"
#   cluster_up [herd-local up options...]   # exports PATH, HERD_CONF; sets CLUSTER, WORK
#   id=$(submit -o "$WORK/out.%j" --wrap "echo hi")
#   wait_state "$id" COMPLETED 30
#
# Environment: HERD_BUILD (build dir holding bin/), HERD_TEST_ROOT (parent of the test
# directories, default /tmp), HERD_TEST_KEEP=1 (keep the directory of a passing test).
# Exit code 77 means "skipped" (ctest SKIP_RETURN_CODE).

set -euo pipefail

TEST_NAME=$(basename "$0" .sh)
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/../.." && pwd)
HERD_LOCAL=$REPO/contribs/herd-local
: "${HERD_BUILD:=$REPO/build}"
TEST_USER=herdtest

TEST_DIR=
CLUSTER=
WORK=
_STEP=setup

# ------------------------------------------------------------------------- reporting

log() { echo "[$TEST_NAME $(date +%H:%M:%S)] $*" >&2; }

# step TEXT: names what the test is doing now (printed, and repeated on failure).
step() {
  _STEP=$*
  log "-- $*"
}

fail() {
  echo "FAIL [$TEST_NAME] during '$_STEP': $*" >&2
  exit 1
}

skip() {
  echo "SKIP [$TEST_NAME]: $*" >&2
  exit 77
}

# ------------------------------------------------------------------------- the cluster

_teardown() {
  local rc=$?
  trap - EXIT
  set +e
  if [[ -n $CLUSTER && -d $CLUSTER ]]; then
    if ((rc != 0 && rc != 77)); then
      echo "===== [$TEST_NAME] failed (exit $rc) during '$_STEP'; cluster state:" >&2
      if [[ -f $CLUSTER/herd.conf ]]; then
        timeout 10 hqueue -t all 2>&1 | head -n 40 >&2
        timeout 10 hinfo -N 2>&1 | head -n 20 >&2
      fi
      local f
      for f in "$CLUSTER"/log/*; do
        [[ -f $f && -s $f ]] || continue
        echo "----- tail -n 40 $f" >&2
        tail -n 40 "$f" >&2
      done
    fi
    "$HERD_LOCAL" down --dir "$CLUSTER" >/dev/null 2>&1
  fi
  if [[ -n $TEST_DIR && -d $TEST_DIR ]]; then
    if ((rc == 0 || rc == 77)) && [[ ${HERD_TEST_KEEP:-0} != 1 ]]; then
      rm -rf "$TEST_DIR"
    else
      echo "[$TEST_NAME] files kept in $TEST_DIR" >&2
    fi
  fi
  ((rc == 0)) && echo "PASS [$TEST_NAME]" >&2
  exit "$rc"
}

require_root() {
  [[ $(id -u) -eq 0 ]] || skip "needs root (starts daemons that run jobs as other users)"
}

# cluster_up [herd-local up options]: a cluster in a fresh directory; torn down at exit.
# Called again in the same test, it stops the running cluster and brings up one with the
# new options in the same directory (WORK is kept).
cluster_up() {
  require_root
  if [[ -n $CLUSTER ]]; then
    step "cluster down (before a new cluster_up)"
    "$HERD_LOCAL" down --dir "$CLUSTER" >/dev/null 2>&1 || fail "herd-local down failed"
  else
    local root=${HERD_TEST_ROOT:-/tmp}
    mkdir -p "$root"
    TEST_DIR=$(mktemp -d "$root/herd-integ-$TEST_NAME.XXXXXX")
    chmod 755 "$TEST_DIR"
    trap _teardown EXIT
    CLUSTER=$TEST_DIR/cluster
    WORK=$TEST_DIR/work
    mkdir -p "$WORK"
    chmod 1777 "$WORK" # the test user writes here too
  fi
  step "cluster up ($*)"
  local envlines
  envlines=$("$HERD_LOCAL" up --dir "$CLUSTER" --build "$HERD_BUILD" "$@") \
    || fail "herd-local up failed"
  eval "$envlines"
  export HERD_CONF
  BIN=$CLUSTER/bin
  cd "$WORK"
}

# daemon_pid NAME (ctl1, nI, munge)
daemon_pid() { "$HERD_LOCAL" pid "$1" --dir "$CLUSTER"; }
daemon_start() { "$HERD_LOCAL" start "$1" --dir "$CLUSTER" >&2; }
daemon_kill9() { "$HERD_LOCAL" stop "$1" --signal KILL --dir "$CLUSTER" >&2; }

# -------------------------------------------------------------------------- jobs

# submit HBATCH_ARGS...: prints the job id (hbatch --parsable); fails the test on error.
submit() {
  local out err rc=0
  err=$(mktemp)
  out=$(hbatch --parsable "$@" 2>"$err") || rc=$?
  if ((rc != 0)); then
    fail "hbatch $* exited $rc: $(cat "$err")"
  fi
  rm -f "$err"
  out=${out%%;*}
  [[ $out =~ ^[0-9]+$ ]] || fail "hbatch --parsable $* printed '$out', not a job id"
  echo "$out"
}

# job_state ID: the state hqueue shows (empty if the job is unknown).
job_state() {
  hqueue -t all -h -j "$1" -o %T 2>/dev/null | tr -d '[:space:]' || true
}

# show_job ID: hcontrol show job, as one line of Key=Value words.
show_job() { hcontrol show job "$1" 2>&1 | tr '\n' ' '; }

# job_field ID KEY: the value of KEY= in hcontrol show job.
job_field() {
  show_job "$1" | grep -oE "(^|[[:space:]])$2=[^[:space:]]*" | head -n 1 | sed "s/^[[:space:]]*$2=//"
}

# wait_state ID STATE[|STATE...] TIMEOUT_S: until hqueue shows one of the states.
wait_state() {
  local id=$1 want=$2 timeout=$3 seen='' t0=$SECONDS
  while :; do
    seen=$(job_state "$id")
    if [[ -n $seen && "|$want|" == *"|$seen|"* ]]; then
      return 0
    fi
    if ((SECONDS - t0 >= timeout)); then
      fail "job $id: expected state $want within ${timeout}s, last seen '${seen:-<none>}'" \
        "(hcontrol show job: $(show_job "$id"))"
    fi
    sleep 0.2
  done
}

# wait_for TIMEOUT_S DESCRIPTION CMD...: until CMD succeeds.
wait_for() {
  local timeout=$1 what=$2 t0=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - t0 < timeout)) || fail "timed out after ${timeout}s waiting for: $what"
    sleep 0.2
  done
}

# node_state NODE: hinfo's compact state (idle, alloc, mix, down, down*, ...).
node_state() {
  hinfo -N -h -o "%N %t" 2>/dev/null | awk -v n="$1" '$1 == n { print $2; exit }'
}

# wait_node_state NODE REGEX TIMEOUT_S
wait_node_state() {
  local node=$1 want=$2 timeout=$3 seen='' t0=$SECONDS
  while :; do
    seen=$(node_state "$node")
    [[ $seen =~ ^($want)$ ]] && return 0
    if ((SECONDS - t0 >= timeout)); then
      fail "node $node: expected state $want within ${timeout}s, last seen '${seen:-<none>}'"
    fi
    sleep 0.2
  done
}

# job_count: number of jobs hqueue -t all lists.
job_count() { hqueue -t all -h -o %i | grep -c . || true; }

# ------------------------------------------------------------------------- assertions

assert_eq() { # EXPECTED ACTUAL WHAT
  [[ $1 == "$2" ]] || fail "$3: expected '$1', got '$2'"
}

assert_match() { # REGEX ACTUAL WHAT
  [[ $2 =~ $1 ]] || fail "$3: expected to match /$1/, got '$2'"
}

assert_file_has_line() { # FILE LINE: FILE has a line exactly LINE
  [[ -f $1 ]] || fail "file $1 does not exist"
  grep -qxF -- "$2" "$1" || fail "$1 has no line '$2'; it holds: $(head -c 2000 "$1")"
}

assert_file_matches() { # FILE ERE
  [[ -f $1 ]] || fail "file $1 does not exist"
  grep -qE -- "$2" "$1" || fail "$1 has no line matching /$2/; it holds: $(head -c 2000 "$1")"
}

# ------------------------------------------------------------------------- users

# ensure_test_user: the unprivileged user the tests submit as, with a supplementary group
# (TEST_GROUP) its jobs must have.
TEST_GROUP=herdtestextra
ensure_test_user() {
  if ! getent group "$TEST_GROUP" >/dev/null 2>&1; then
    groupadd "$TEST_GROUP" || fail "cannot create group $TEST_GROUP"
  fi
  if ! id "$TEST_USER" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$TEST_USER" || fail "cannot create user $TEST_USER"
  fi
  if ! id -nG "$TEST_USER" | tr ' ' '\n' | grep -qx "$TEST_GROUP"; then
    usermod -aG "$TEST_GROUP" "$TEST_USER" || fail "cannot add $TEST_USER to $TEST_GROUP"
  fi
}

# as_test_user CMD: run the shell command CMD as the test user, with this cluster's
# commands and config. The exit code is CMD's.
as_test_user() {
  su "$TEST_USER" -s /bin/bash -c "cd '$WORK' && export HERD_CONF='$HERD_CONF' PATH='$BIN':\$PATH && $1"
}

# ------------------------------------------------------------------------- processes

# procs_matching REGEX: pids of processes whose command line matches.
procs_matching() { pgrep -f -- "$1" || true; }

# python3 that has the zmq module (the Debian python3-zmq package)
zmq_python() {
  local p
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import zmq' 2>/dev/null; then
      command -v "$p"
      return 0
    fi
  done
  return 1
}

# cluster_procs REGEX: pids of processes of this cluster (their command line names its
# directory, like herdstepd's, or their environment holds its HERD_CONF, like every task)
# whose command line matches REGEX. Processes of other clusters are never listed.
cluster_procs() {
  local d cmd
  for d in /proc/[0-9]*; do
    [[ ${d#/proc/} != "$BASHPID" ]] || continue
    cmd=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
    [[ -n $cmd && $cmd =~ $1 ]] || continue
    if [[ $cmd != *"$CLUSTER/"* ]]; then
      grep -qzxF "HERD_CONF=$HERD_CONF" "$d/environ" 2>/dev/null || continue
    fi
    echo "${d#/proc/}"
  done
  return 0
}

# describe_procs PID...: "pid cmdline" lines, for failure messages.
describe_procs() {
  local p
  for p in "$@"; do
    echo "$p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
  done
}

# wait_no_cluster_procs TIMEOUT_S REGEX: until no process of this cluster matches REGEX.
wait_no_cluster_procs() {
  local timeout=$1 re=$2 t0=$SECONDS left
  while :; do
    left=$(cluster_procs "$re")
    [[ -z $left ]] && return 0
    if ((SECONDS - t0 >= timeout)); then
      # shellcheck disable=SC2086  # one pid per word
      fail "processes matching /$re/ still there after ${timeout}s: $(describe_procs $left)"
    fi
    sleep 0.2
  done
}

# wait_exit PID TIMEOUT_S WHAT: waits for the background child PID of this shell and sets
# EXIT_RC to its exit status; fails the test (after killing it) if it runs longer.
# shellcheck disable=SC2034  # EXIT_RC is for the tests
EXIT_RC=
wait_exit() {
  local pid=$1 timeout=$2 t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS - t0 >= timeout)); then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      fail "pid $pid ($3) did not exit within ${timeout}s"
    fi
    sleep 0.1
  done
  EXIT_RC=0
  # shellcheck disable=SC2034
  wait "$pid" || EXIT_RC=$?
}

# mpi_program NAME (hello, abort): the path of herd_mpi_NAME in the cluster's bin/ (where
# herd-local copies it, readable by the test user).
mpi_program() {
  local p=$BIN/herd_mpi_$1
  [[ -x $p ]] || fail "$p is missing (herd-local copies it from HERD_BUILD/bin when built)"
  echo "$p"
}

# assert_mpi_hello FILE NTASKS: FILE holds exactly one herd_mpi_hello line per rank
# 0..NTASKS-1, each with size NTASKS and the right allreduce, and prints the hosts seen.
assert_mpi_hello() {
  local file=$1 n=$2 r line expect=$(($2 * ($2 + 1) / 2)) count
  [[ -f $file ]] || fail "no output file $file"
  for ((r = 0; r < n; r++)); do
    count=$(grep -cE "^rank $r/$n on [^ ]+ cpus=[^ ]+ allreduce=[0-9]+ expect=[0-9]+$" "$file" || true)
    ((count == 1)) || fail "rank $r/$n: $count result lines in $file, expected 1; it holds: $(head -c 3000 "$file")"
    line=$(grep -E "^rank $r/$n on " "$file")
    [[ $line == *" allreduce=$expect expect=$expect" ]] \
      || fail "rank $r/$n: wrong allreduce (expected $expect): '$line'"
  done
  count=$(grep -c '^rank ' "$file" || true)
  ((count == n)) || fail "$file has $count rank lines, expected $n: $(head -c 3000 "$file")"
}

# ------------------------------------------------------------------ controller pair (HA)

# ha_role CTL: the role controller CTL reports of itself (active, passive, candidate, ...)
# from "hcontrol ping" (empty when it does not answer).
ha_role() {
  hcontrol ping 2>/dev/null | awk -v c="$1" '$2 == c && /is UP/ { sub(/^.*is UP: */, ""); sub(/,.*/, ""); print; exit }'
}

# wait_active CTL TIMEOUT_S: until CTL is the active controller.
wait_active() {
  wait_for "$2" "$1 to be the active controller" bash -c "[[ \$(hcontrol ping 2>/dev/null | awk -v c='$1' '\$2 == c' ) == *'is UP: active'* ]]"
}

# only_ctl_conf CTL FILE: a copy of herd.conf that names only controller CTL, so that a
# command talks to that controller and no other.
only_ctl_conf() {
  local ctl=$1 file=$2 line
  line=$(grep -E '^ControllerHosts=' "$HERD_CONF" | tr ',=' '\n' | grep "^$ctl(")
  [[ -n $line ]] || fail "no controller $ctl in $HERD_CONF"
  grep -vE '^(ControllerHosts?|WitnessHost)=' "$HERD_CONF" >"$file"
  echo "ControllerHost=$line" >>"$file"
}

# submitters_start N DIR: N background loops of "hbatch -H" (held jobs), each appending the
# ids acknowledged to DIR/acked.<i> and failures to DIR/failed.<i>; submitters_stop ends them.
SUBMITTER_PIDS=()
submitters_start() {
  local n=$1 dir=$2 i
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do
    (
      while [[ ! -e $dir/stop ]]; do
        if out=$(hbatch --parsable -H -o /dev/null --wrap true 2>>"$dir/errors.$i"); then
          echo "${out%%;*}" >>"$dir/acked.$i"
        else
          echo x >>"$dir/failed.$i"
        fi
      done
    ) &
    SUBMITTER_PIDS+=($!)
  done
}
submitters_stop() {
  local dir=$1
  touch "$dir/stop"
  wait "${SUBMITTER_PIDS[@]}" 2>/dev/null || true
  SUBMITTER_PIDS=()
  cat "$dir"/acked.* 2>/dev/null | sort >"$dir/acked"
}

# assert_all_acked_exist DIR: every job id in DIR/acked is known to the controller.
assert_all_acked_exist() {
  local dir=$1 missing
  hqueue -t all -h -o %i | tr -d ' ' | sort >"$dir/known"
  missing=$(comm -23 "$dir/acked" "$dir/known" | head -n 10)
  [[ -z $missing ]] || fail "acknowledged jobs missing: $missing (of $(wc -l <"$dir/acked"))"
  log "all $(wc -l <"$dir/acked") acknowledged jobs exist"
}
