#!/usr/bin/env bash
# AccountingStorageEnforce=associations,limits,qos on real daemons: an unknown account or
# QOS is refused with Slurm's words, a job without -A takes the user's default account,
# GrpJobs=1 holds a second job with its reason (AssocGrpJobsLimit, in hqueue %r and show
# job) while another account's job runs beside it, MaxSubmitJobs refuses a submission;
# kill -9 of the controller keeps the held job held and the refusals refused, and lifting
# the limit with hacctmgr starts the held job.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

HERD_LOCAL_EXTRA_CONF="AccountingStorageEnforce=associations,limits,qos" \
  cluster_up --nodes 1 --cpus 4

# refused WHAT REGEX HBATCH_ARGS...: hbatch fails and prints REGEX.
refused() {
  local what=$1 re=$2 out
  shift 2
  if out=$(hbatch --parsable "$@" 2>&1); then fail "$what accepted: $out"; fi
  assert_match "$re" "$out" "$what"
}
reason() { hqueue -h -j "$1" -o %r; }
check_refusals() {
  refused "an unknown account" \
    'Batch job submission failed: Invalid account or account/partition combination specified' \
    -A nosuch --wrap true
  refused "an unknown QOS" 'Batch job submission failed: Invalid qos specification' \
    -q nosuch --wrap true
}

step "unknown account and QOS refused; no -A: the default account"
check_refusals
hacctmgr add account phys >/dev/null || fail "hacctmgr add account"
hacctmgr add user root account=phys >/dev/null || fail "hacctmgr add user"
hacctmgr modify user where name=root account=phys set GrpJobs=1 MaxSubmitJobs=2 >/dev/null \
  || fail "hacctmgr modify"
other=$(submit --wrap "sleep 60")
assert_eq root "$(hqueue -h -j "$other" -o %a)" "the account of a job without -A"

step "GrpJobs=1 holds the second job of the association, not another account's"
a=$(submit -A phys --wrap "sleep 60")
b=$(submit -A phys --wrap "sleep 60")
wait_state "$a" RUNNING 10
grp_held() { [[ $(reason "$b") == AssocGrpJobsLimit ]]; }
wait_for 10 "job $b held by its association" grp_held
assert_eq AssocGrpJobsLimit "$(job_field "$b" Reason)" "show job Reason="
wait_state "$other" RUNNING 10
refused "a third job past MaxSubmitJobs=2" \
  "Job violates accounting/QOS policy \(job submit limit, user's size and/or time limits\)" \
  -A phys --wrap true

step "kill -9 of the controller keeps the held job held and the refusals"
daemon_kill9 ctl1
daemon_start ctl1
wait_for 30 "hqueue to answer after the restart" hqueue -h
wait_for 10 "job $b held again" grp_held
assert_eq RUNNING "$(job_state "$a")" "job $a after the restart"
check_refusals
refused "MaxSubmitJobs after the restart" "Job violates accounting/QOS policy" -A phys --wrap true

step "lifting the limit with hacctmgr starts the held job"
hacctmgr modify user where name=root account=phys set GrpJobs=-1 >/dev/null \
  || fail "hacctmgr modify GrpJobs=-1"
wait_state "$b" RUNNING 10
hcancel "$a" "$b" "$other" || fail "hcancel"
