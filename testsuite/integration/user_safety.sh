#!/usr/bin/env bash
# What one user can do to the others through the commands: a negative --nice only for
# root/AdminUser; the submitter's umask applied to the job and its files; control
# characters in job names never reach another user's terminal; --conf on every command;
# herd-local start refusing a port another process holds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
ensure_test_user
cluster_up --nodes 2
CONF=$HERD_CONF

# ---------------------------------------------------------------- negative nice (item 4)
for cmd in "hbatch --parsable -o /dev/null --wrap true" "hrun -n1 true" "halloc true"; do
  step "$TEST_USER: ${cmd%% *} --nice=-5 is refused"
  rc=0
  as_test_user "timeout 30 ${cmd%% *} --nice=-5 ${cmd#* }" >"$WORK/nice.out" 2>"$WORK/nice.err" \
    || rc=$?
  ((rc != 0)) || fail "${cmd%% *} --nice=-5 as $TEST_USER exited 0: $(cat "$WORK/nice.out")"
  grep -q "Invalid --nice value -5: only root and AdminUser may set a negative nice" \
    "$WORK/nice.err" || fail "${cmd%% *} --nice=-5: unexpected error: $(cat "$WORK/nice.err")"
done
assert_eq 0 "$(job_count)" "jobs created by the refused submissions"

step "$TEST_USER: a #HERD --nice=-5 directive is refused too"
printf '#!/bin/sh\n#HERD --nice=-5\ntrue\n' >"$WORK/nice.sh"
chmod 644 "$WORK/nice.sh"
as_test_user "hbatch -o /dev/null nice.sh" 2>"$WORK/nice.err" && fail "#HERD --nice=-5 accepted"
grep -q "Invalid --nice value" "$WORK/nice.err" || fail "directive: $(cat "$WORK/nice.err")"

step "root may set a negative nice: its later job ranks first ($TEST_USER's nice 5 job last)"
# Held jobs show priority 0: the cluster is kept full instead, so that these pend.
block=$(submit -N2 --exclusive -o /dev/null --wrap 'sleep 300')
wait_state "$block" RUNNING 30
low=$(as_test_user "hbatch --parsable --nice=5 -o /dev/null --wrap true") \
  || fail "hbatch --nice=5 as $TEST_USER failed"
low=${low%%;*}
first=$(submit -o /dev/null --wrap true)
later=$(submit --nice=-100 -o /dev/null --wrap true)
p_first=$(hqueue -h -j "$first" -o %Q | tr -d ' ')
p_later=$(hqueue -h -j "$later" -o %Q | tr -d ' ')
p_low=$(hqueue -h -j "$low" -o %Q | tr -d ' ')
((p_first > 0)) || fail "priority of the pending job $first is $p_first"
((p_later > p_first)) || fail "priority of the nice -100 job $later ($p_later) not above $first ($p_first)"
((p_low < p_first)) || fail "priority of the nice 5 job $low ($p_low) not below $first ($p_first)"
hcancel "$block" "$first" "$later" "$low"
wait_state "$block" CANCELLED 30

# -------------------------------------------------------------------------- umask (item 5)
step "$TEST_USER under umask 077: batch output files 0600, the job runs with umask 0077"
id=$(as_test_user "umask 077 && hbatch --parsable -o '$WORK/um-%j.out' -e '$WORK/um-%j.err' --wrap 'umask; touch $WORK/um-made-\$HERD_JOB_ID; echo oops >&2'") \
  || fail "hbatch under umask 077 failed"
id=${id%%;*}
wait_state "$id" COMPLETED 30
assert_eq 600 "$(stat -c %a "$WORK/um-$id.out")" "mode of the job's output file"
assert_eq 600 "$(stat -c %a "$WORK/um-$id.err")" "mode of the job's error file"
assert_eq 600 "$(stat -c %a "$WORK/um-made-$id")" "mode of a file the job created"
assert_eq "$TEST_USER" "$(stat -c %U "$WORK/um-$id.out")" "owner of the output file"
assert_file_has_line "$WORK/um-$id.out" 0077

step "$TEST_USER under umask 022: output files 0644 (as before)"
id=$(as_test_user "umask 022 && hbatch --parsable -o '$WORK/um22-%j.out' --wrap umask") || fail "hbatch failed"
id=${id%%;*}
wait_state "$id" COMPLETED 30
assert_eq 644 "$(stat -c %a "$WORK/um22-$id.out")" "mode of the output file under umask 022"
assert_file_has_line "$WORK/um22-$id.out" 0022

step "$TEST_USER under umask 027: hrun's per-task output files 0640, SLURM_UMASK set"
as_test_user "umask 027 && timeout 60 hrun -N2 -n2 -o '$WORK/task-%t.out' sh -c 'umask; echo SLURM_UMASK=\$SLURM_UMASK'" \
  >"$WORK/hrun.out" 2>"$WORK/hrun.err" || fail "hrun under umask 027 failed: $(cat "$WORK/hrun.err")"
for t in 0 1; do
  assert_eq 640 "$(stat -c %a "$WORK/task-$t.out")" "mode of task $t's output file"
  assert_file_has_line "$WORK/task-$t.out" 0027
  assert_file_has_line "$WORK/task-$t.out" SLURM_UMASK=0027
done

# ---------------------------------------------------------------- escaped names (item 10)
step "a job name with an escape sequence and a newline is shown escaped"
evil=$'x\e[2J\e]0;pwned\a\nFAKE 99 root'
id=$(as_test_user "hbatch --parsable -H -o /dev/null -J \"\$(printf 'x\\033[2J\\033]0;pwned\\007\\nFAKE 99 root')\" --wrap true") \
  || fail "hbatch -J with control characters failed"
id=${id%%;*}
hqueue -h -j "$id" -o '%i|%j' >"$WORK/q.txt" || fail "hqueue failed"
assert_eq 1 "$(wc -l <"$WORK/q.txt")" "lines hqueue printed for one job"
assert_eq "$id|x\\x1b[2J\\x1b]0;pwned\\x07\\nFAKE 99 root" "$(cat "$WORK/q.txt")" "hqueue %j"
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/q.txt" && fail "hqueue printed a control character"
hqueue -j "$id" >"$WORK/q-default.txt" || fail "hqueue (default format) failed"
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/q-default.txt" \
  && fail "hqueue (default format) printed a control character"
assert_eq 2 "$(wc -l <"$WORK/q-default.txt")" "lines of hqueue (header + the job)"
hcontrol show job "$id" >"$WORK/show.txt" || fail "hcontrol show job failed"
grep -qF 'JobName=x\x1b[2J\x1b]0;pwned\x07\nFAKE 99 root' "$WORK/show.txt" \
  || fail "hcontrol show job: name not escaped: $(cat -v "$WORK/show.txt")"
LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$WORK/show.txt" \
  && fail "hcontrol show job printed a control character"
hcontrol -o show job "$id" >"$WORK/show1.txt" || fail "hcontrol -o show job failed"
assert_eq 1 "$(wc -l <"$WORK/show1.txt")" "lines of hcontrol -o show job"
hqueue --json -j "$id" >"$WORK/q.json" || fail "hqueue --json failed"
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][0]["name"], end="")' \
  "$WORK/q.json") || fail "hqueue --json is not valid JSON: $(cat -v "$WORK/q.json")"
[[ $got == "$evil" ]] || fail "hqueue --json: the name does not round-trip: $(printf %q "$got")"
hcancel "$id"

step "a unicode name is cut between characters, columns counted in characters"
id=$(submit -H -o /dev/null -J "été日本語テスト" --wrap true)
hqueue -h -j "$id" -o '%.6j|%-8j|%-11j|' >"$WORK/u.txt" || fail "hqueue failed"
iconv -f UTF-8 -t UTF-8 "$WORK/u.txt" >/dev/null || fail "hqueue printed invalid UTF-8: $(od -c "$WORK/u.txt")"
assert_eq "été日本語|été日本語テス|été日本語テスト  |" "$(cat "$WORK/u.txt")" "hqueue %.6j|%-8j|%-11j|"
hcancel "$id"

# ---------------------------------------------------------------------- --conf (item 12)
step "every command takes --conf with HERD_CONF unset"
[[ ! -e /etc/herd/herd.conf ]] || skip_conf=1
if [[ -z ${skip_conf:-} ]]; then
  rc=0
  env -u HERD_CONF hqueue >/dev/null 2>"$WORK/noconf.err" || rc=$?
  ((rc != 0)) || fail "hqueue without --conf nor HERD_CONF exited 0"
  grep -q /etc/herd/herd.conf "$WORK/noconf.err" || fail "no-config error: $(cat "$WORK/noconf.err")"
fi
id=$(env -u HERD_CONF hbatch --conf "$CONF" --parsable -H -o /dev/null --wrap true) \
  || fail "hbatch --conf failed"
env -u HERD_CONF hqueue --conf "$CONF" -h -j "$id" -o %i | grep -qx "$id" \
  || fail "hqueue --conf does not list job $id"
env -u HERD_CONF hinfo --conf="$CONF" -h -o %P | grep -q . || fail "hinfo --conf printed nothing"
env -u HERD_CONF hcontrol --conf "$CONF" show job "$id" | grep -q "JobId=$id " \
  || fail "hcontrol --conf show job failed"
env -u HERD_CONF hcontrol --conf "$CONF" release "$id" || fail "hcontrol --conf release failed"
wait_state "$id" COMPLETED 30
id=$(env -u HERD_CONF hbatch --conf "$CONF" --parsable -o /dev/null --wrap 'sleep 100') \
  || fail "hbatch --conf failed"
env -u HERD_CONF hcancel --conf "$CONF" "$id" || fail "hcancel --conf failed"
wait_state "$id" CANCELLED 20
out=$(env -u HERD_CONF timeout 60 hrun --conf "$CONF" -n1 echo via-hrun) || fail "hrun --conf failed"
assert_eq via-hrun "$out" "output of hrun --conf"
# halloc gives the command its configuration: hrun inside needs no --conf.
# shellcheck disable=SC2016  # expanded by the task's shell
out=$(env -u HERD_CONF timeout 60 halloc --conf "$CONF" -Q hrun -n1 sh -c 'echo "$HERD_CONF"') \
  || fail "halloc --conf failed"
assert_eq "$CONF" "$out" "HERD_CONF inside halloc --conf"

step "--conf beats HERD_CONF; a missing --conf file is a clear error"
HERD_CONF=/nonexistent/herd.conf hqueue --conf "$CONF" -h -o %i >/dev/null \
  || fail "hqueue --conf with a wrong HERD_CONF failed"
rc=0
hqueue --conf "$WORK/missing.conf" >/dev/null 2>"$WORK/missing.err" || rc=$?
((rc != 0)) || fail "hqueue --conf of a missing file exited 0"
grep -q "$WORK/missing.conf" "$WORK/missing.err" || fail "missing --conf: $(cat "$WORK/missing.err")"

# ----------------------------------------------------------- herd-local start (item 12)
step "herd-local start n2 fails clearly while another process holds n2's port"
first=$(sed -nE 's/^NodeName=.* Port=([0-9]+)-[0-9]+ .*/\1/p' "$CONF" | head -n 1)
port=$((first + 1))
assert_match '^[0-9]+$' "$first" "the first node port in $CONF"
"$HERD_LOCAL" stop n2 --dir "$CLUSTER" >/dev/null 2>&1 || fail "herd-local stop n2 failed"
# /usr/bin/python3: the one a test user may run (root's PATH may lead to its own).
setpriv --reuid "$TEST_USER" --regid "$TEST_USER" --clear-groups \
  /usr/bin/python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(300)' "$port" &
holder=$!
wait_for 10 "the impostor listening on $port" bash -c "ss -Hltn 'sport = :$port' | grep -q ."
rc=0
"$HERD_LOCAL" start n2 --dir "$CLUSTER" 2>"$WORK/start.err" || rc=$?
((rc != 0)) || fail "herd-local start n2 succeeded although pid $holder holds port $port"
grep -q "port $port is held by another process: pid $holder" "$WORK/start.err" \
  || fail "herd-local start: unexpected message: $(cat "$WORK/start.err")"
kill "$holder"
wait "$holder" 2>/dev/null || true
"$HERD_LOCAL" start n2 --dir "$CLUSTER" 2>"$WORK/start2.err" \
  || fail "herd-local start n2 after the port was freed: $(cat "$WORK/start2.err")"
wait_node_state n2 'idle' 30

log "PASS"
