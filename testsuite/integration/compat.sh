#!/usr/bin/env bash
# The differential suite (testsuite/compat): every case, run with Slurm's command names
# against a fresh herd cluster shaped as the Slurm cluster the answers were recorded on,
# answers as Slurm 22.05 did, except the differences known_differences.txt lists.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 4 --cpus 4 --mem 2000 --partition debug

step "run the cases against herd"
COMPAT=$REPO/testsuite/compat
PATH=$BIN:$PATH "$COMPAT/run.sh" herd "$TEST_DIR/got" || fail "run.sh failed"

step "compare with Slurm's recorded answers"
"$COMPAT/compare.sh" "$COMPAT/expected" "$TEST_DIR/got" "$COMPAT/known_differences.txt" \
  || fail "herd's answers differ from Slurm's (see above)"
