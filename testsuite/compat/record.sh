#!/usr/bin/env bash
# record.sh — records real Slurm's answers to the differential cases into expected/.
#
# Needs a fresh Slurm 22.05 cluster (no job submitted yet, so job ids start at 1) shaped
# as run.sh says: 4 nodes n1..n4 of 4 CPUs and 2000 MB, partition "debug", and
# MinJobAge=300 so that finished jobs stay visible. With SLURM_ANCHOR_UP set to a script
# that brings such a cluster up (ANCHOR_DIR, ports and EXTRA_CONF are passed through the
# environment; it must print nothing on stdout and write $ANCHOR_DIR/env.sh), record.sh
# brings a fresh one up itself:
#
#   SLURM_ANCHOR_UP=/path/to/up.sh ANCHOR_DIR=/tmp/anchor testsuite/compat/record.sh
#
# otherwise SLURM_CONF must name the fresh cluster's slurm.conf. Run as root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -n ${SLURM_ANCHOR_UP:-} ]]; then
  : "${ANCHOR_DIR:?ANCHOR_DIR must be set with SLURM_ANCHOR_UP}"
  down=$(dirname "$SLURM_ANCHOR_UP")/down.sh
  if [[ -x $down ]]; then ANCHOR_DIR=$ANCHOR_DIR "$down" >/dev/null 2>&1 || true; fi
  EXTRA_CONF="MinJobAge=300" "$SLURM_ANCHOR_UP" >&2
  # shellcheck source=/dev/null
  source "$ANCHOR_DIR/env.sh"
fi
[[ -n ${SLURM_CONF:-} ]] || { echo "record.sh: SLURM_CONF is not set" >&2; exit 2; }

rm -rf "$HERE/expected.new"
"$HERE/run.sh" slurm "$HERE/expected.new"
rm -rf "$HERE/expected"
mv "$HERE/expected.new" "$HERE/expected"
echo "record.sh: $(find "$HERE/expected" -name '*.txt' | wc -l) answers in $HERE/expected" >&2
