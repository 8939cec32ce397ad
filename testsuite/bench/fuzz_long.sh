#!/usr/bin/env bash
# Long fuzzing runs: every fuzz target (or those named) one after the other, each for a
# while, through testsuite/fuzz/run_fuzz.sh. Prints per target its time, executions,
# exec/s, corpus size and crashes, then the totals; exit status non-zero if any crashed.
#   testsuite/bench/fuzz_long.sh [TARGET...]        # e.g. journal messages
# Env: FUZZ_HOURS=1         hours per target (FUZZ_SECONDS, if set, wins)
#      FUZZ_BUILD=<repo>/build-fuzz   the HERD_FUZZ=ON build (configured and built here
#                                      when it has no fuzz targets yet)
#      FUZZ_WORK=/tmp/herd-fuzz-long  corpora, crashes and logs, kept between runs so a
#                                      run goes on from the last one's corpus
#      FUZZ_JOBS=1          targets run at once (each one process)
# New inputs stay in FUZZ_WORK; to keep an interesting one as a seed, copy it into
# testsuite/fuzz/corpus/<target>/ (small ones only) and commit it.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FUZZ_BUILD=${FUZZ_BUILD:-$REPO/build-fuzz}
FUZZ_WORK=${FUZZ_WORK:-/tmp/herd-fuzz-long}
FUZZ_JOBS=${FUZZ_JOBS:-1}
if [[ -n ${FUZZ_SECONDS:-} ]]; then
  seconds=$FUZZ_SECONDS
else
  seconds=$(awk -v h="${FUZZ_HOURS:-1}" 'BEGIN{printf "%d", h * 3600}')
fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

if ! compgen -G "$FUZZ_BUILD/fuzz/fuzz_*" >/dev/null; then
  log "building the fuzz targets in $FUZZ_BUILD"
  cmake -S "$REPO" -B "$FUZZ_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DHERD_FUZZ=ON >/dev/null || exit 1
  cmake --build "$FUZZ_BUILD" --target herd_fuzz -j2 || exit 1
fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  for d in "$REPO"/testsuite/fuzz/corpus/*/; do
    targets+=("$(basename "$d")")
  done
fi

log "${#targets[@]} targets, ${seconds} s each, $FUZZ_JOBS at a time; work in $FUZZ_WORK"
run_one() {
  local t=$1
  bash "$REPO/testsuite/fuzz/run_fuzz.sh" "$FUZZ_BUILD/fuzz/fuzz_$t" \
    "$REPO/testsuite/fuzz/corpus/$t" "$FUZZ_WORK/$t" "$seconds" >/dev/null
}
failed=0
running=0
for t in "${targets[@]}"; do
  if [[ ! -x $FUZZ_BUILD/fuzz/fuzz_$t ]]; then
    log "no fuzz target $t"
    failed=1
    continue
  fi
  log "fuzz_$t"
  run_one "$t" &
  running=$((running + 1))
  if ((running >= FUZZ_JOBS)); then
    wait -n || failed=1
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=1
  running=$((running - 1))
done

echo "target time_s executions exec_per_s corpus crashes"
for t in "${targets[@]}"; do
  s=$FUZZ_WORK/$t/summary
  [[ -f $s ]] || continue
  # "fuzz_X: S s, N executions, E exec/s, corpus C, crashes K"
  sed -E 's/^fuzz_([^:]+): ([0-9]+) s, ([0-9]+) executions, ([0-9]+) exec\/s, corpus ([0-9]+), crashes ([0-9]+)$/\1 \2 \3 \4 \5 \6/' "$s"
done | awk '{ print; t += $2; n += $3; c += $6 }
  END { printf "total %d s, %d executions, %d crashes\n", t, n, c }'
for t in "${targets[@]}"; do
  compgen -G "$FUZZ_WORK/$t/crash-*" >/dev/null && echo "crashes of $t: $FUZZ_WORK/$t/crash-*"
done
exit "$failed"
