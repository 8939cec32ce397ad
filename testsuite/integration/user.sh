#!/usr/bin/env bash
# Jobs run as the user who submitted them; a user cannot cancel another user's job.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_root
ensure_test_user
cluster_up --nodes 2
uid=$(id -u "$TEST_USER")

step "$TEST_USER submits a job"
id=$(as_test_user "hbatch --parsable -o '$WORK/user-%j.out' --wrap 'id -u; id -un; echo HOME=\$HOME; echo USER=\$USER; echo GROUPS=\$(id -G | tr \" \" \"\\n\" | sort -n)'") \
  || fail "hbatch as $TEST_USER failed"
id=${id%%;*}
assert_match '^[0-9]+$' "$id" "job id printed by hbatch --parsable as $TEST_USER"
wait_state "$id" COMPLETED 30
out=$WORK/user-$id.out
assert_file_has_line "$out" "$uid"
assert_file_has_line "$out" "$TEST_USER"
assert_file_has_line "$out" "USER=$TEST_USER"
# Its supplementary groups are the user's (herdd looked them up), not root's and not none.
assert_file_has_line "$out" "GROUPS=$(id -G "$TEST_USER" | tr ' ' '\n' | sort -n | paste -sd' ')"
assert_file_matches "$out" "^GROUPS=(.* )?$(getent group "$TEST_GROUP" | cut -d: -f3)( |\$)"
assert_eq "$TEST_USER" "$(stat -c %U "$out")" "owner of the job's output file"
assert_eq "$uid" "$(job_field "$id" UserId | sed -E 's/^[^(]*\(([0-9]+)\)$/\1/')" \
  "UserId in hcontrol show job (as name(uid))"
assert_eq "$TEST_USER" "$(hqueue -t all -h -j "$id" -o %u | tr -d '[:space:]')" "hqueue %u"

step "$TEST_USER cannot write where it may not (the job is not root)"
id=$(as_test_user "hbatch --parsable -o '$WORK/deny-%j.out' --wrap 'touch /root/herd-integ-must-not-exist && echo WROTE || echo DENIED'")
id=${id%%;*}
wait_state "$id" COMPLETED 30
assert_file_has_line "$WORK/deny-$id.out" "DENIED"

step "root's running job cannot be cancelled by $TEST_USER"
rootjob=$(submit -o /dev/null --wrap "sleep 120")
wait_state "$rootjob" RUNNING 30
rc=0
as_test_user "hcancel $rootjob" 2>"$WORK/cancel.err" || rc=$?
((rc != 0)) || fail "hcancel of root's job $rootjob by $TEST_USER exited 0"
grep -qiE 'permission|denied|not allowed|not authori[sz]ed|access' "$WORK/cancel.err" \
  || fail "hcancel by $TEST_USER: expected a permission error, got: $(cat "$WORK/cancel.err")"
sleep 1
assert_eq RUNNING "$(job_state "$rootjob")" "state of root's job after $TEST_USER's hcancel"

step "$TEST_USER can cancel its own job; root can cancel anyone's"
ujob=$(as_test_user "hbatch --parsable -o /dev/null --wrap 'sleep 120'")
ujob=${ujob%%;*}
wait_state "$ujob" RUNNING 30
as_test_user "hcancel $ujob" || fail "$TEST_USER could not cancel its own job $ujob"
wait_state "$ujob" CANCELLED 20
hcancel "$rootjob" || fail "root could not cancel job $rootjob"
wait_state "$rootjob" CANCELLED 20

step "$TEST_USER can read the queue"
as_test_user "hqueue -t all -h -o %i" >"$WORK/q.txt" || fail "hqueue as $TEST_USER failed"
grep -qx "$rootjob" "$WORK/q.txt" || fail "hqueue as $TEST_USER does not list job $rootjob"
