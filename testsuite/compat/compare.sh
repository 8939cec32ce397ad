#!/usr/bin/env bash
# compare.sh — compares herd's answers to the differential cases with Slurm's.
#
#   compare.sh EXPECTED_DIR GOT_DIR KNOWN_DIFFERENCES
#
# Every case of EXPECTED_DIR (recorded from Slurm by record.sh) must have the same answer
# in GOT_DIR (run.sh herd), unless KNOWN_DIFFERENCES lists it ("name  reason" lines; # starts
# a comment). Fails on a case that differs and is not listed (its diff is printed), on a
# listed case that now matches (take it off the list), and on a case without an answer.
# Prints "N passed, M failed" with how many cases match Slurm.
set -euo pipefail

EXPECTED=${1:?usage: compare.sh EXPECTED_DIR GOT_DIR KNOWN_DIFFERENCES}
GOT=${2:?usage: compare.sh EXPECTED_DIR GOT_DIR KNOWN_DIFFERENCES}
KNOWN=${3:?usage: compare.sh EXPECTED_DIR GOT_DIR KNOWN_DIFFERENCES}

declare -A known=()
while read -r name _; do
  [[ -z $name || $name == \#* ]] && continue
  known[$name]=1
done <"$KNOWN"

total=0 same=0 listed=0 bad=0
for f in "$EXPECTED"/*.txt; do
  name=$(basename "$f" .txt)
  total=$((total + 1))
  if [[ ! -f $GOT/$name.txt ]]; then
    echo "MISSING $name: no answer from herd" >&2
    bad=$((bad + 1))
  elif cmp -s "$f" "$GOT/$name.txt"; then
    same=$((same + 1))
    if [[ -n ${known[$name]:-} ]]; then
      echo "NOW MATCHES $name: take it off $(basename "$KNOWN")" >&2
      bad=$((bad + 1))
    fi
  elif [[ -n ${known[$name]:-} ]]; then
    listed=$((listed + 1))
  else
    echo "DIFFERS $name (Slurm: <, herd: >)" >&2
    diff "$f" "$GOT/$name.txt" >&2 || true
    bad=$((bad + 1))
  fi
done
for name in "${!known[@]}"; do
  [[ -f $EXPECTED/$name.txt ]] || { echo "UNKNOWN CASE $name in $(basename "$KNOWN")" >&2; bad=$((bad + 1)); }
done
echo "compat: $total cases, $same answer as Slurm does, $listed known differences" >&2
echo "$((total - bad)) passed, $bad failed"
((bad == 0))
