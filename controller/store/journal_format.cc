// herd — journal and checkpoint bytes (see journal_format.h).
#include "controller/store/journal_format.h"

#include <cstring>

namespace herd::ctld::journal {
namespace {

constexpr char kJournalMagic[8] = {'H', 'E', 'R', 'D', 'J', 'R', 'N', 'L'};
constexpr char kCheckpointMagic[8] = {'H', 'E', 'R', 'D', 'C', 'K', 'P', 'T'};
constexpr uint16_t kMaxType = 1024;  // far above the highest event type

// The header at `off`, when its fields are possible at all (no checksum yet).
struct RawHeader {
  uint32_t len;
  uint32_t crc;
  uint64_t seq;
  uint16_t type;
  uint16_t zero;
};

RawHeader HeaderAt(const std::string& j, size_t off) {
  const char* p = j.data() + off;
  return {static_cast<uint32_t>(GetLe(p, 4)), static_cast<uint32_t>(GetLe(p + 4, 4)),
          GetLe(p + 8, 8), static_cast<uint16_t>(GetLe(p + 16, 2)),
          static_cast<uint16_t>(GetLe(p + 18, 2))};
}

// A whole record with a good checksum at `off`.
bool ValidAt(const std::string& j, size_t off, JournalRecord* out) {
  if (j.size() - off < kRecordHeader) return false;
  RawHeader h = HeaderAt(j, off);
  if (h.len > kMaxRecord || j.size() - off - kRecordHeader < h.len) return false;
  if (Crc32(j.data() + off + 8, 12 + h.len) != h.crc) return false;
  out->seq = h.seq;
  out->type = h.type;
  out->body.assign(j.data() + off + kRecordHeader, h.len);
  return true;
}

// Headers inside [from, to) whose sequence number lies in (after, last] and whose type
// and padding are possible.
std::vector<JournalRecord> Fragments(const std::string& j, size_t from, size_t to, uint64_t after,
                                     uint64_t last) {
  std::vector<JournalRecord> out;
  for (size_t q = from; q + kRecordHeader <= to; ++q) {
    RawHeader h = HeaderAt(j, q);
    if (h.seq <= after || h.seq > last || h.zero != 0 || h.type == 0 || h.type > kMaxType) {
      continue;
    }
    JournalRecord r;
    r.seq = h.seq;
    r.type = h.type;
    size_t body = q + kRecordHeader;
    size_t len = h.len <= to - body ? h.len : to - body;
    r.body.assign(j.data() + body, len);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

void PutLe(std::string& out, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe(const char* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return v;
}

std::string EncodeRecord(uint64_t seq, uint16_t type, const std::string& body) {
  std::string rec;
  rec.reserve(kRecordHeader + body.size());
  PutLe(rec, body.size(), 4);
  PutLe(rec, 0, 4);  // crc, filled below
  PutLe(rec, seq, 8);
  PutLe(rec, type, 2);
  PutLe(rec, 0, 2);
  uint32_t crc = Crc32(rec.data() + 8, 12);
  crc = Crc32(body.data(), body.size(), crc);
  for (size_t i = 0; i < 4; ++i) rec[4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  rec += body;
  return rec;
}

std::string EncodeJournalHeader(uint64_t base_seq) {
  std::string h(kJournalMagic, 8);
  PutLe(h, kFormat, 4);
  PutLe(h, base_seq, 8);
  PutLe(h, Crc32(h.data(), h.size()), 4);
  return h;
}

std::string EncodeCheckpoint(uint64_t seq, const std::string& state) {
  std::string data(kCheckpointMagic, 8);
  PutLe(data, kFormat, 4);
  PutLe(data, seq, 8);
  PutLe(data, Crc32(state.data(), state.size()), 4);
  data += state;
  return data;
}

Result<Checkpoint> DecodeCheckpoint(const std::string& c, const std::string& path) {
  if (c.size() < kCheckpointHeader || std::memcmp(c.data(), kCheckpointMagic, 8) != 0) {
    return DataLoss(path + " is not a herd checkpoint (bad header)");
  }
  Checkpoint out;
  out.format = static_cast<uint32_t>(GetLe(c.data() + 8, 4));
  if (out.format == 0 || out.format > kFormat) {
    return Unsupported(path + " has format " + std::to_string(out.format) +
                       ", newer than this herdctld reads (up to " + std::to_string(kFormat) +
                       "): run the herdctld version that wrote it, or a newer one");
  }
  out.seq = GetLe(c.data() + 12, 8);
  uint32_t crc = static_cast<uint32_t>(GetLe(c.data() + 20, 4));
  out.state = c.substr(kCheckpointHeader);
  if (Crc32(out.state.data(), out.state.size()) != crc) {
    return DataLoss(path + " is damaged (checksum mismatch)");
  }
  return out;
}

Result<Header> DecodeJournalHeader(const std::string& j, const std::string& path) {
  Header h;
  if (j.size() < 8 || std::memcmp(j.data(), kJournalMagic, 8) != 0) return h;  // format 1
  if (j.size() < kJournalHeader ||
      Crc32(j.data(), kJournalHeader - 4) != static_cast<uint32_t>(GetLe(j.data() + 20, 4))) {
    return DataLoss(path + " has a damaged header (checksum mismatch)");
  }
  h.present = true;
  h.format = static_cast<uint32_t>(GetLe(j.data() + 8, 4));
  if (h.format < 2 || h.format > kFormat) {
    return Unsupported(path + " has format " + std::to_string(h.format) +
                       ", which this herdctld does not read (2 to " + std::to_string(kFormat) +
                       "): run the herdctld version that wrote it, or a newer one");
  }
  h.base_seq = GetLe(j.data() + 12, 8);
  return h;
}

Scan ScanRecords(const std::string& j, size_t begin, uint64_t prev_seq) {
  Scan s;
  size_t off = begin;
  s.end_of_valid = begin;
  uint64_t budget = 16 * static_cast<uint64_t>(j.size()) + (1u << 20);
  while (off < j.size()) {
    JournalRecord r;
    if (ValidAt(j, off, &r)) {
      prev_seq = r.seq;
      s.offsets.push_back(off);
      off += kRecordHeader + r.body.size();
      s.end_of_valid = off;
      s.records.push_back(std::move(r));
      continue;
    }
    Damage d;
    d.offset = off;
    d.after_seq = prev_seq;
    size_t p = off + 1;
    for (; p < j.size(); ++p) {
      if (j.size() - p < kRecordHeader) {
        p = j.size();
        break;
      }
      RawHeader h = HeaderAt(j, p);
      // At most one record per header's worth of skipped bytes.
      uint64_t most = prev_seq + (p - off) / kRecordHeader + 1;
      if (h.seq <= prev_seq || h.seq > most || h.zero != 0 || h.len > j.size() - p) continue;
      if (h.len + 12 > budget) {
        d.undecided = true;
        break;
      }
      budget -= h.len + 12;
      if (ValidAt(j, p, &r)) break;
    }
    if (d.undecided) {
      d.length = j.size() - off;
      s.damage.push_back(std::move(d));
      break;
    }
    d.length = p - off;
    d.next_seq = p < j.size() ? r.seq : 0;
    uint64_t last = d.next_seq != 0 ? d.next_seq - 1 : prev_seq + d.length / kRecordHeader + 1;
    d.fragments = Fragments(j, off, p, prev_seq, last);
    s.damage.push_back(std::move(d));
    off = p;
  }
  return s;
}

}  // namespace herd::ctld::journal
