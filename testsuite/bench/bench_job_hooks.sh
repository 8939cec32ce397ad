#!/usr/bin/env bash
# What a trivial Prolog and Epilog (/bin/true) add to one job's turnaround: bench_one_job.sh
# on a fresh cluster without them and then with them, ROUNDS pairs in a row (so that the
# load of the host weighs on both alike). The job: hbatch -N NODES --wrap=WRAP; with
# NODES=2 WRAP="hrun -N2 true" the second node runs its Prolog at the step and its Epilog
# from herdd after the job's end.
# Env: ROUNDS=3 REPS=15 NODES=2 WRAP="hrun -N2 true" (and bench_one_job.sh's)
# Output: one line per run, "hooks=no|yes one_job ...", also in RESULTS_DIR/job_hooks.tsv
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
ROUNDS=${ROUNDS:-3}
mkdir -p "$RESULTS_DIR"
export REPS=${REPS:-15} NODES=${NODES:-2} WRAP=${WRAP:-hrun -N2 true}

for ((r = 0; r < ROUNDS; r++)); do
  for hooks in no yes; do
    extra=
    [[ $hooks == yes ]] && extra=$'Prolog=/bin/true\nEpilog=/bin/true'
    line=$(BENCH_EXTRA_CONF=$extra "$HERE/bench_one_job.sh" | tail -n 1)
    echo "hooks=$hooks $line"
    record job_hooks "hooks=$hooks $line"
  done
done
