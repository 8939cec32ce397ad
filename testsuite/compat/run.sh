#!/usr/bin/env bash
# run.sh — the differential suite's runner: runs every case of cases.sh with Slurm's
# command names against one cluster and writes each case's normalized answer (exit code,
# stdout, stderr) to OUTDIR/<case>.txt.
#
#   run.sh slurm OUTDIR   against real Slurm (SLURM_CONF set, Slurm's commands on PATH);
#                         record.sh does this into expected/
#   run.sh herd OUTDIR    against herd (HERD_CONF set, the Slurm-named links of herd's bin
#                         directory first on PATH: contribs/herd-local makes them)
#
# The cluster must look like the one the answers were recorded on: 4 nodes n1..n4 of 4
# CPUs and 2000 MB, one partition "debug" (the default), no job in it, run as root.
# Before the cases, setup() submits the jobs the cases look at ($HELD, $DONE, $FAILED,
# $RUN); their ids, the work directory and times are masked in the answers.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODE=${1:?usage: run.sh slurm|herd OUTDIR}
OUT=${2:?usage: run.sh slurm|herd OUTDIR}
ONLY=${COMPAT_ONLY:-}  # a regular expression: run only the cases whose names match

# The commands the cases use, by Slurm's names.
NAMES=(sbatch squeue sinfo scancel scontrol srun salloc)

case $MODE in
  slurm) [[ -n ${SLURM_CONF:-} ]] || { echo "run.sh: SLURM_CONF is not set" >&2; exit 2; } ;;
  herd)
    [[ -n ${HERD_CONF:-} ]] || { echo "run.sh: HERD_CONF is not set" >&2; exit 2; }
    unset SLURM_CONF
    # Every name must be herd's: never run a Slurm binary that happens to be installed.
    for n in "${NAMES[@]}"; do
      p=$(command -v "$n" || true)
      [[ -L $p ]] || { echo "run.sh: $n is not a link to a herd command ($p)" >&2; exit 2; }
    done
    ;;
  *) echo "run.sh: mode must be slurm or herd" >&2; exit 2 ;;
esac

WORK=$(mktemp -d /tmp/compat-work.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT"
trap 'scancel -u root >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cd "$WORK"

# ---------------------------------------------------------------- setup

# job_state ID: the JobState of a job.
job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

# wait_for ID STATE: wait (at most 30 s) until the job is in STATE.
wait_for() {
  local i
  for ((i = 0; i < 300; i++)); do
    [[ $(job_state "$1") == "$2" ]] && return 0
    sleep 0.1
  done
  echo "run.sh: job $1 did not reach $2 (it is $(job_state "$1"))" >&2
  exit 1
}

printf '#!/bin/sh\necho ok\n' >ok.sh
printf '' >empty.sh
printf 'echo no interpreter\n' >noshebang.sh
printf '#!/bin/sh\r\necho dos\r\n' >dos.sh
printf '#!/bin/sh\n#SBATCH --bogus-option\ntrue\n' >baddirective.sh
printf '#!/bin/sh\n#SBATCH -t bogus\ntrue\n' >badtime.sh
printf '#!/bin/sh\n#SBATCH -J fromdirective\n#SBATCH -t 5:30\ntrue\n' >directives.sh
printf '#!/bin/sh\n#SBATCH --mail-type=END\n#SBATCH --comment="a b"\ntrue\n' >mailtype.sh
printf '0 echo zero\n' >conf.txt

DONE=$(sbatch --parsable -J "done" -o /dev/null --wrap true)
FAILED=$(sbatch --parsable -J failed -o /dev/null --wrap "exit 3")
RUN=$(sbatch --parsable -J run -w n4 -o /dev/null --wrap "sleep 300")
HELD=$(sbatch --parsable -H -J held -N 2 -n 4 -t 30 --mem 100 -o held.out ok.sh)
wait_for "$DONE" COMPLETED
wait_for "$FAILED" FAILED
wait_for "$RUN" RUNNING
if [[ "$DONE $FAILED $RUN $HELD" != "1 2 3 4" ]]; then
  echo "run.sh: the setup jobs are $DONE $FAILED $RUN $HELD, not 1 2 3 4: not a fresh cluster" >&2
  exit 2
fi
export WORK DONE FAILED RUN HELD

# ---------------------------------------------------------------- cases

# normalize: the work directory, times, session ids and the ids of jobs submitted by the
# cases masked. The setup's jobs are 1..4 on both fresh clusters: their ids stay.
normalize() {
  sed -E \
    -e "s#$WORK#<WORK>#g" \
    -e 's/Submitted batch job [0-9]+/Submitted batch job <ID>/' \
    -e 's/job allocation [0-9]+/job allocation <ID>/' \
    -e 's/job [0-9]+ (queued|has been)/job <ID> \1/' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}/<TIME>/g' \
    -e 's/^[A-Z][a-z]{2} [A-Z][a-z]{2} [0-9 ][0-9] [0-9:]{8} [0-9]{4}$/<DATE>/' \
    -e 's/(RunTime|AccrueTime|EligibleTime)=[^ ]+/\1=<T>/g' \
    -e 's/(AllocNode:Sid=[^:]*):[0-9]+/\1:<SID>/'
}

COUNT=0
# t NAME COMMAND: one case, COMMAND run by bash in the work directory.
t() {
  local name=$1 cmd=$2 rc
  [[ -z $ONLY || $name =~ $ONLY ]] || return 0
  COUNT=$((COUNT + 1))
  set +e
  timeout 20 bash -c "$cmd" >"$WORK/.out" 2>"$WORK/.err" </dev/null
  rc=$?
  set -e
  {
    echo "# $cmd"
    echo "exit: $rc"
    echo "--- stdout"
    normalize <"$WORK/.out"
    echo "--- stderr"
    normalize <"$WORK/.err"
  } >"$OUT/$name.txt"
}

# shellcheck source=cases.sh
source "$HERE/cases.sh"
echo "run.sh: $COUNT cases against $MODE into $OUT" >&2
