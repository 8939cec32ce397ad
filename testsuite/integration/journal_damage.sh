#!/usr/bin/env bash
# A journal damaged in its middle is not taken for a torn tail: herdctld refuses to start
# and says what, where and what to do; `herdctld --salvage` keeps a copy, keeps every
# valid record and names the job it drops; herdctld then starts with the other jobs. A
# deleted journal is refused too, and a torn last write is still dropped by itself.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cluster_up --nodes 2 --cpus 2
STATE=$CLUSTER/state/ctl1

# run_ctld: herdctld in the foreground (as herd-local starts it); it must exit by itself,
# refusing. Sets CTLD_RC and CTLD_ERR.
run_ctld() {
  CTLD_RC=0
  timeout 30 "$BIN/herdctld" --conf "$HERD_CONF" --name ctl1 2>"$WORK/ctld.err" || CTLD_RC=$?
  CTLD_ERR=$(cat "$WORK/ctld.err")
  ((CTLD_RC != 124)) || fail "herdctld did not refuse: it ran until killed (stderr: $CTLD_ERR)"
  ((CTLD_RC != 0)) || fail "herdctld exited 0 on a damaged state (stderr: $CTLD_ERR)"
}

step "submit 12 held jobs"
for ((i = 1; i <= 12; i++)); do
  submit -H -o /dev/null --wrap "echo $i" >>"$WORK/ids"
done
assert_eq 12 "$(sort -u "$WORK/ids" | wc -l)" "distinct job ids"

step "kill -9 herdctld (the jobs are in the journal only)"
daemon_kill9 ctl1
cp "$STATE/journal" "$WORK/journal.good"

step "damage the length field of the 6th submission's record"
# Record: u32 length | u32 crc | u64 seq | u16 type | u16 0 | body, after a 24-byte
# header; type 1 is a job submission. Prints the damaged record's offset.
offset=$(python3 - "$STATE/journal" <<'PY'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
assert data[:8] == b"HERDJRNL", "journal has no format 2 header"
off, seen = 24, 0
while off + 20 <= len(data):
    length, _crc, _seq, rtype = struct.unpack_from("<IIQH", data, off)
    if rtype == 1:
        seen += 1
        if seen == 6:
            struct.pack_into("<I", data, off, 0x00FFFFF0)
            open(path, "wb").write(data)
            print(off)
            sys.exit(0)
    off += 20 + length
sys.exit("fewer than 6 submissions in the journal")
PY
) || fail "could not damage the journal"
cp "$STATE/journal" "$WORK/journal.damaged"
dropped=$(sed -n 6p "$WORK/ids")

step "herdctld refuses to start, naming the file, the offset and --salvage"
run_ctld
log "herdctld exited $CTLD_RC: $CTLD_ERR"
assert_match "$STATE/journal is damaged at offset $offset" "$CTLD_ERR" "refusal"
assert_match "valid records follow it" "$CTLD_ERR" "refusal"
assert_match "herdctld --salvage" "$CTLD_ERR" "refusal"
cmp -s "$STATE/journal" "$WORK/journal.damaged" || fail "the refused journal was changed"

step "herdctld --salvage names the dropped job and keeps a copy"
report=$("$BIN/herdctld" --salvage --conf "$HERD_CONF" --name ctl1) \
  || fail "salvage failed: $report"
log "salvage report:"$'\n'"$report"
assert_match "job $dropped is LOST" "$report" "salvage report"
assert_match "lost jobs: 1," "$report" "salvage report"
assert_match "herdctld can start" "$report" "salvage report"
copy=$(sed -n 's/^copy of the damaged files kept in //p' <<<"$report")
[[ -n $copy && -d $copy ]] || fail "salvage named no copy directory ($copy)"
cmp -s "$copy/journal" "$WORK/journal.damaged" || fail "$copy/journal is not the damaged journal"

step "herdctld starts; the other 11 jobs are there, held, and job $dropped is not"
daemon_start ctl1
wait_for 30 "hqueue to answer after the salvage" hqueue -h
grep -vx "$dropped" "$WORK/ids" | sort -n >"$WORK/want"
hqueue -t all -h -o "%i %T" | awk '$2 == "PENDING" { print $1 }' | sort -n >"$WORK/have"
diff -q "$WORK/want" "$WORK/have" >/dev/null \
  || fail "jobs after the salvage differ: $(diff "$WORK/want" "$WORK/have" | head -n 10)"
[[ -z $(job_state "$dropped") ]] || fail "job $dropped is still listed"
id=$(submit -o /dev/null --wrap true)
((id > $(sort -n "$WORK/ids" | tail -n 1))) || fail "job id $id reused after the salvage"
wait_state "$id" COMPLETED 30
last=$(sed -n 12p "$WORK/ids")
hcontrol release "$last" || fail "hcontrol release $last failed"
wait_state "$last" COMPLETED 30

step "a deleted journal is refused; put back, it loads"
daemon_kill9 ctl1
mv "$STATE/journal" "$WORK/journal.aside"
run_ctld
assert_match "$STATE/journal is missing" "$CTLD_ERR" "refusal"
mv "$WORK/journal.aside" "$STATE/journal"

step "a torn last write is dropped by itself"
printf '\x30\x00\x00\x00\x01\x02\x03' >>"$STATE/journal"
daemon_start ctl1
wait_for 30 "hqueue to answer after a torn tail" hqueue -h
assert_eq COMPLETED "$(job_state "$last")" "state of job $last"
grep -q "dropping an incomplete last write" "$CLUSTER/log/herdctld-ctl1.log" \
  || fail "no torn-tail warning in the controller's log"
