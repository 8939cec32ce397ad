// herd — reading a damaged state directory for `herdctld --salvage`: everything valid is
// kept, everything else is described.
#include <algorithm>
#include <set>

#include "common/base/fs.h"
#include "controller/store/file_state_store.h"
#include "controller/store/journal_format.h"

namespace herd::ctld {
namespace {

std::string N(uint64_t v) { return std::to_string(v); }

}  // namespace

Result<SalvageScan> FileStateStore::ScanForSalvage() {
  SalvageScan out;
  Recovered& kept = out.kept;
  const std::string cpath = dir_ + "/checkpoint";
  const std::string jpath = dir_ + "/journal";
  auto cbytes = ReadFile(cpath);
  if (!cbytes.ok() && cbytes.error().code() != Code::kNotFound) return cbytes.error();
  if (cbytes.ok()) {
    auto c = journal::DecodeCheckpoint(*cbytes, cpath);
    if (c.ok()) {
      kept.checkpoint = std::move(c->state);
      kept.checkpoint_seq = c->seq;
    } else if (c.error().code() == Code::kUnsupported) {
      return c.error();  // never rewrite what a newer version wrote
    } else {
      out.problems.push_back(c.error().message() +
                             ": dropped, and with it every job it held (their ids are unknown)");
      if (cbytes->size() >= journal::kCheckpointHeader) {
        kept.checkpoint_seq = journal::GetLe(cbytes->data() + 12, 8);
      }
    }
  }
  auto jbytes = ReadFile(jpath);
  if (!jbytes.ok() && jbytes.error().code() != Code::kNotFound) return jbytes.error();
  if (!jbytes.ok()) {
    if (cbytes.ok()) {
      out.problems.push_back(jpath + " is missing: every change after record " +
                             N(kept.checkpoint_seq) + " is lost (which jobs is unknown)");
    }
    out.last_seq = kept.checkpoint_seq;
    return out;
  }
  const std::string& j = *jbytes;
  size_t begin = 0;
  uint64_t base = kept.checkpoint_seq;
  auto hdr = journal::DecodeJournalHeader(j, jpath);
  if (!hdr.ok()) {
    if (hdr.error().code() == Code::kUnsupported) return hdr.error();
    out.problems.push_back(hdr.error().message());
    begin = journal::kJournalHeader;
  } else if (hdr->present) {
    begin = journal::kJournalHeader;
    base = hdr->base_seq;
    if (base > kept.checkpoint_seq) {
      out.problems.push_back(jpath + " continues after record " + N(base) +
                             " but the checkpoint holds only up to record " +
                             N(kept.checkpoint_seq));
    }
  }
  journal::Scan scan = journal::ScanRecords(j, std::min(begin, j.size()), base);
  std::set<uint64_t> kept_seqs;
  uint64_t expect = kept.checkpoint_seq + 1;
  for (size_t i = 0; i < scan.records.size(); ++i) {
    JournalRecord& r = scan.records[i];
    if (r.seq < expect) {
      if (r.seq > kept.checkpoint_seq) {
        out.problems.push_back(jpath + ": record " + N(r.seq) + " at offset " + N(scan.offsets[i]) +
                               " is out of order: dropped");
        out.lost.push_back(std::move(r));
      }
      continue;
    }
    if (r.seq > expect) {
      out.missing.emplace_back(expect, r.seq - 1);
      out.problems.push_back(
          jpath + ": " +
          (r.seq - 1 == expect ? "record " + N(expect) + " is"
                               : "records " + N(expect) + " to " + N(r.seq - 1) + " are") +
          " missing before record " + N(r.seq) + " at offset " + N(scan.offsets[i]));
    }
    expect = r.seq + 1;
    kept_seqs.insert(r.seq);
    kept.records.push_back(std::move(r));
  }
  out.last_seq = expect - 1;
  for (journal::Damage& d : scan.damage) {
    std::string where = jpath + ": " + N(d.length) + " damaged bytes at offset " + N(d.offset) +
                        " after record " + N(d.after_seq);
    if (d.undecided) {
      out.problems.push_back(where +
                             " up to the end of the file (too many possible headers "
                             "in it to search for valid records: all dropped)");
    } else if (d.next_seq != 0) {
      out.problems.push_back(where + ", followed by record " + N(d.next_seq));
    } else {
      kept.torn_tail = true;
      out.problems.push_back(where + " up to the end of the file (a torn last write)");
    }
    std::set<uint64_t> seen;
    for (JournalRecord& f : d.fragments) {
      if (f.seq <= kept.checkpoint_seq || kept_seqs.count(f.seq) || !seen.insert(f.seq).second) {
        continue;
      }
      out.last_seq = std::max(out.last_seq, f.seq);
      out.lost.push_back(std::move(f));
    }
  }
  std::sort(out.lost.begin(), out.lost.end(),
            [](const JournalRecord& a, const JournalRecord& b) { return a.seq < b.seq; });
  return out;
}

}  // namespace herd::ctld
