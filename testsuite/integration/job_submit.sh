#!/usr/bin/env bash
# The site's job_submit.lua (JobSubmitPlugins=lua) on a real controller: a script that does
# not load refuses submissions with its error; one that requires --time refuses a job
# without it with the script's message (batch or allocation); the partition it picks is
# honoured; a script
# that errors or loops forever refuses that submission while the controller goes on
# serving; a broken edit leaves the script before it in force.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_root

JS=$(mktemp -d "${HERD_TEST_ROOT:-/tmp}/herd-jobsubmit.XXXXXX")
# install TEXT: replaces the script at once, as an administrator's editor or mv would.
install_script() {
  printf '%s\n' "$1" >"$JS/job_submit.lua.new"
  mv "$JS/job_submit.lua.new" "$JS/job_submit.lua"
}
install_script 'function slurm_job_submit(job_desc, part_list, submit_uid'

HERD_LOCAL_EXTRA_CONF="JobSubmitPlugins=lua
JobSubmitScript=$JS/job_submit.lua
PartitionName=second Nodes=n1 MaxTime=INFINITE State=UP" cluster_up --nodes 1
ctl_pid=$(daemon_pid ctl1)

# refused ARGS...: hbatch must refuse; prints its error output.
refused() {
  local err rc=0
  err=$(hbatch "$@" 2>&1) || rc=$?
  ((rc != 0)) || fail "hbatch $* was accepted: $err"
  echo "$err"
}

step "a script that does not load refuses submissions, naming its error"
out=$(refused -t 5 --wrap true)
assert_match "job_submit.lua is not in force .*job_submit.lua:2: .*refused until it loads" "$out" \
  "the refusal"
hqueue >/dev/null || fail "the controller does not answer"

step "a job without --time is refused with the script's message; the partition it sets is used"
install_script '
function slurm_job_submit(job_desc, part_list, submit_uid)
  if job_desc.name == "spin" then
    io.open("'"$JS"'/spinning", "w"):close()
    while true do end
  end
  if job_desc.name == "boom" then error("no site policy for " .. job_desc.name) end
  if job_desc.time_limit == slurm.NO_VAL then
    slurm.log_user("no time given: please use --time")
    return slurm.ERROR
  end
  if job_desc.partition == nil and part_list.second ~= nil then
    job_desc.partition = "second"
  end
  slurm.log_info("job from uid %d in %s", submit_uid, job_desc.partition)
  return slurm.SUCCESS
end
function slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
  return slurm.SUCCESS
end'
out=$(refused --wrap true)
assert_eq "hbatch: error: Batch job submission failed: no time given: please use --time" "$out" \
  "the refusal"
id=$(submit -t 5 -o /dev/null --wrap true)
assert_eq second "$(job_field "$id" Partition)" "the partition the script chose"
id2=$(submit -t 5 -p debug -o /dev/null --wrap true)
assert_eq debug "$(job_field "$id2" Partition)" "the partition the user chose"
wait_state "$id2" COMPLETED 30
# An allocation goes through the script as well.
out=$(timeout 60 halloc -N1 true 2>&1) && fail "halloc without --time was accepted: $out"
assert_match "no time given: please use --time" "$out" "halloc's refusal"
timeout 60 halloc -t 5 -N1 env >"$WORK/alloc.out" 2>&1 \
  || fail "halloc -t 5 failed: $(cat "$WORK/alloc.out")"
assert_file_has_line "$WORK/alloc.out" SLURM_JOB_PARTITION=second

step "a script that loops forever refuses that submission; the controller serves meanwhile"
rm -f "$JS/spinning"
err=$WORK/spin.err
hbatch -t 5 -J spin --wrap true 2>"$err" &
spin=$!
wait_for 30 "the script to start spinning" test -e "$JS/spinning"
hqueue -j "$id" -h -o %i >/dev/null || fail "hqueue failed while the script spins"
hinfo >/dev/null || fail "hinfo failed while the script spins"
rc=0
wait "$spin" || rc=$?
((rc != 0)) || fail "the spinning submission was accepted"
assert_file_matches "$err" "job_submit.lua did not finish slurm_job_submit within [0-9]+ ms"
out=$(refused -t 5 -J boom --wrap true)
assert_match "job_submit.lua failed in slurm_job_submit: .*no site policy for boom" "$out" \
  "the refusal of a script error"

step "a broken edit leaves the script before it in force"
install_script 'this is not lua'
id=$(submit -t 5 -o /dev/null --wrap true)
assert_eq second "$(job_field "$id" Partition)" "the partition the earlier script chose"
out=$(refused --wrap true)
assert_match "no time given" "$out" "the earlier script's refusal"
assert_eq "$ctl_pid" "$(daemon_pid ctl1)" "the controller's pid"
rm -rf "$JS"
