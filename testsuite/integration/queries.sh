#!/usr/bin/env bash
# Many concurrent full queries over a few thousand held jobs (more than one page each and
# more than an unpaged query may return): every hqueue and hcontrol show job answers
# with every job exactly once, while the node daemons keep heartbeating (the nodes stay
# idle, none is marked unresponsive) and a job submitted meanwhile still runs. The
# controller's resident memory before and at its highest during the queries is logged.
# (The reply of a client older than paging is checked in controller/tests/query_test.cc.)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

NJOBS=${NJOBS:-2500}
C=${C:-50}

cluster_up --nodes 2

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
ctld=$(daemon_pid ctl1)

step "submit $NJOBS held jobs"
mkdir -p "$WORK/sub"
for ((s = 0; s < 4; s++)); do
  (
    for ((i = s; i < NJOBS; i += 4)); do
      out=$(hbatch --parsable -H -o /dev/null --wrap true) || exit 1
      echo "${out%%;*}"
    done >"$WORK/sub/ids.$s"
  ) &
done
wait || fail "a submission failed"
sort -n "$WORK"/sub/ids.* >"$WORK/expected"
assert_eq "$NJOBS" "$(wc -l <"$WORK/expected")" "jobs acknowledged"

step "$C concurrent full hqueue and 5 hcontrol show job, a job submitted meanwhile"
rss_before=$(rss_kb "$ctld")
echo 0 >"$WORK/peak"
(
  peak=0
  while [[ ! -e $WORK/stop ]]; do
    r=$(rss_kb "$ctld" 2>/dev/null || echo 0)
    ((r > peak)) && peak=$r && echo "$peak" >"$WORK/peak"
    sleep 0.05
  done
) &
sampler=$!
pids=()
for ((q = 0; q < C; q++)); do
  (hqueue -h -t PD -o %i >"$WORK/q.$q" 2>"$WORK/qerr.$q") &
  pids+=($!)
done
for ((q = 0; q < 5; q++)); do
  (hcontrol show job >"$WORK/show.$q" 2>"$WORK/showerr.$q") &
  pids+=($!)
done
runner=$(submit -o "$WORK/ran.out" --wrap "echo ran")
failed=0
for p in "${pids[@]}"; do
  wait "$p" || failed=$((failed + 1))
done
touch "$WORK/stop"
wait "$sampler"
log "controller RSS: ${rss_before} kB before, at most $(cat "$WORK/peak") kB during the queries"
((failed == 0)) || fail "$failed queries failed: $(cat "$WORK"/qerr.* "$WORK"/showerr.* | sort | uniq -c | head -n 3)"

step "every query shows every job exactly once"
for ((q = 0; q < C; q++)); do
  tr -d ' ' <"$WORK/q.$q" | sort -n >"$WORK/got"
  cmp -s "$WORK/expected" "$WORK/got" \
    || fail "hqueue $q: $(wc -l <"$WORK/got") lines, $(sort -u "$WORK/got" | wc -l) distinct; first difference: $(diff "$WORK/expected" "$WORK/got" | head -n 3 | tr '\n' ' ')"
done
for ((q = 0; q < 5; q++)); do
  grep -oE '^JobId=[0-9]+' "$WORK/show.$q" | cut -d= -f2 | sort -n >"$WORK/got"
  # The show lists every job the controller remembers: the held ones and the runner.
  grep -vxF "$runner" "$WORK/got" >"$WORK/got.held" || true
  cmp -s "$WORK/expected" "$WORK/got.held" \
    || fail "hcontrol show job $q: $(wc -l <"$WORK/got.held") held jobs listed, expected $NJOBS"
done

step "the cluster stayed healthy"
wait_state "$runner" COMPLETED 60
assert_file_has_line "$WORK/ran.out" "ran"
for n in n1 n2; do
  assert_eq idle "$(node_state "$n")" "state of $n after the queries"
done
if grep -q "is not responding" "$CLUSTER"/log/*ctl1*.log 2>/dev/null; then
  fail "the controller lost a node: $(grep "is not responding" "$CLUSTER"/log/*ctl1*.log | head -n 3)"
fi
