#!/usr/bin/env bash
# What authenticating the controller costs a command (doc/security.md "Commands"): the same
# commands on the same cluster, with a sealed request to the controller's command port (A)
# and with a CURVE session on its daemon port (B: a copy of herd.conf without command
# ports), run in turn A B A B so that the machine's drift falls on both.
#   hqueue_s : one `hqueue` (process start to exit; 20 in a row, divided by 20), PAIRS pairs
#   hbatch_s : SUBMITS sequential `hbatch -H --wrap=true` (held: nothing runs), PAIRS pairs
# With SLURM_SQUEUE and SLURM_SBATCH (the commands of a running Slurm, e.g. the anchor's
# wrappers), the same two figures for Slurm, measured in the same loop, are printed beside
# (its held jobs are left for you to scancel).
# Env: PAIRS=30 SUBMITS=50
# Output: one line "command_auth pairs= submits= hqueue_sealed_s= hqueue_curve_s=
#         hbatch_sealed_s= hbatch_curve_s= [hqueue_slurm_s= hbatch_slurm_s=]" (medians),
#         also appended to RESULTS_DIR/command_auth.tsv
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
source "$HERE/lib.sh"
PAIRS=${PAIRS:-30}
SUBMITS=${SUBMITS:-50}

bench_up
grep -q '^ControllerHosts\?=.*/[0-9]' "$HERD_CONF" || {
  log "no command port in $HERD_CONF: nothing to compare"
  exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; _bench_down' EXIT
# The same cluster without command ports: commands use the daemons' port and CURVE.
sed -E '/^ControllerHosts?=/ s|:([0-9]+)/[0-9]+\)|:\1)|g' \
  "$HERD_CONF" >"$tmp/curve.conf"
SEALED_CONF=$HERD_CONF
CURVE_CONF=$tmp/curve.conf

# timed FILE CMD...: appends CMD's wall seconds to FILE (a failure counts as a failure).
timed() {
  local file=$1 t0
  shift
  t0=$(now)
  "$@" >/dev/null 2>>"$tmp/err" || { echo "failed: $*" >>"$tmp/err"; return 0; }
  printf "%s\n" "$(elapsed "$t0")" >>"$file"
}
queries() { # CMD: 20 runs of it, one after the other
  local i
  for ((i = 0; i < 20; i++)); do "$1" >/dev/null || return 1; done
}
submits() { # CMD...: SUBMITS held submissions, one after the other
  local i
  for ((i = 0; i < SUBMITS; i++)); do "$@" -H -o /dev/null --wrap=true || return 1; done
}

for ((p = 0; p < PAIRS; p++)); do
  HERD_CONF=$SEALED_CONF timed "$tmp/hq.sealed" queries "$HQUEUE"
  HERD_CONF=$CURVE_CONF timed "$tmp/hq.curve" queries "$HQUEUE"
  if [[ -n ${SLURM_SQUEUE:-} ]]; then
    timed "$tmp/hq.slurm" queries "$SLURM_SQUEUE"
  fi
done
for ((p = 0; p < PAIRS; p++)); do
  HERD_CONF=$SEALED_CONF timed "$tmp/hb.sealed" submits "$HBATCH"
  HERD_CONF=$CURVE_CONF timed "$tmp/hb.curve" submits "$HBATCH"
  if [[ -n ${SLURM_SBATCH:-} ]]; then
    timed "$tmp/hb.slurm" submits "$SLURM_SBATCH"
  fi
  HERD_CONF=$SEALED_CONF clean_queue 60
done
[[ -s $tmp/err ]] && log "errors: $(sort "$tmp/err" | uniq -c | head -n 5)"

med() { [[ -s $1 ]] && stats <"$1" | cut -d' ' -f1 || echo NA; }
per_query() { [[ -s $1 ]] && awk '{ print $1 / 20 }' "$1" | stats | cut -d' ' -f1 || echo NA; }
line="command_auth pairs=$PAIRS submits=$SUBMITS"
line+=" hqueue_sealed_s=$(per_query "$tmp/hq.sealed") hqueue_curve_s=$(per_query "$tmp/hq.curve")"
line+=" hbatch_sealed_s=$(med "$tmp/hb.sealed") hbatch_curve_s=$(med "$tmp/hb.curve")"
if [[ -n ${SLURM_SQUEUE:-} ]]; then
  line+=" hqueue_slurm_s=$(per_query "$tmp/hq.slurm") hbatch_slurm_s=$(med "$tmp/hb.slurm")"
fi
echo "$line"
record command_auth "$line"
