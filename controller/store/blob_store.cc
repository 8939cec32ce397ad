// herd — job blobs in append-only segment files (see blob_store.h).
#include "controller/store/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "common/proto/codec.h"
#include "controller/store/state_store.h"

namespace herd::ctld {
namespace {

struct BlobHolder {
  JobBlob blob;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& blob.script& blob.argv& blob.env;
  }
};

constexpr uint32_t kBlobMagic = 0x31424a48;  // "HJB1"

struct BlobHeader {
  uint32_t magic;
  uint32_t length;
  uint64_t job_id;
  uint32_t crc;
  uint32_t reserved;
};
static_assert(sizeof(BlobHeader) == 24, "blob header layout is on disk");

Status ErrnoStatus(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

bool AllDigits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The names in dir: segment numbers, and job ids of the old one-file-per-job layout.
Status ListDir(const std::string& dir, std::vector<uint32_t>* segments,
               std::vector<std::string>* legacy) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("cannot list " + dir);
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("seg-", 0) == 0 && AllDigits(name.substr(4))) {
      segments->push_back(static_cast<uint32_t>(std::stoul(name.substr(4))));
    } else if (AllDigits(name) ||
               (name.size() > 4 && name.compare(name.size() - 4, 4, ".new") == 0)) {
      legacy->push_back(name);
    }
  }
  ::closedir(d);
  std::sort(segments->begin(), segments->end());
  return Status::Ok();
}

}  // namespace

BlobStore::~BlobStore() {
  for (auto& [n, seg] : segments_) ::close(seg.fd);
}

std::string BlobStore::SegmentPath(uint32_t n) const {
  char name[32];
  std::snprintf(name, sizeof name, "/seg-%06u", n);
  return dir_ + name;
}

Status BlobStore::Init() {
  HERD_RETURN_IF_ERROR(MakeDirs(dir_, 0700));
  std::vector<uint32_t> numbers;
  std::vector<std::string> legacy;
  HERD_RETURN_IF_ERROR(ListDir(dir_, &numbers, &legacy));
  for (uint32_t n : numbers) {
    Segment& seg = segments_[n];
    seg.fd = ::open(SegmentPath(n).c_str(), O_RDWR | O_CLOEXEC);
    if (seg.fd < 0) return ErrnoStatus("cannot open " + SegmentPath(n));
    HERD_RETURN_IF_ERROR(IndexSegment(n, seg));
    current_ = n;
  }
  HERD_RETURN_IF_ERROR(OpenNewSegment());
  HERD_RETURN_IF_ERROR(ImportLegacyFiles(legacy));
  std::vector<uint32_t> dead;
  for (const auto& [n, seg] : segments_) {
    if (n != current_ && seg.live == 0) dead.push_back(n);
  }
  for (uint32_t n : dead) Drop(n);
  return Status::Ok();
}

Status BlobStore::IndexSegment(uint32_t n, Segment& seg) {
  auto bytes = ReadFile(SegmentPath(n));
  if (!bytes.ok()) return bytes.error();
  const std::string& b = *bytes;
  uint64_t off = 0;
  while (off + sizeof(BlobHeader) <= b.size()) {
    BlobHeader h;
    std::memcpy(&h, b.data() + off, sizeof h);
    uint64_t body = off + sizeof h;
    if (h.magic != kBlobMagic || h.length > b.size() - body) break;  // a torn tail
    if (Crc32(b.data() + body, h.length) != h.crc) {
      // Damaged in place (the header is whole): skip it, the blobs after it are fine.
      HERD_LOG(Error) << SegmentPath(n) << ": the blob of job " << h.job_id << " is damaged";
      off = body + h.length;
      continue;
    }
    auto old = index_.find(h.job_id);
    if (old != index_.end()) Forget(old->second);
    index_[h.job_id] = Place{n, h.length, body};
    seg.live++;
    seg.live_bytes += h.length;
    off = body + h.length;
  }
  if (off != b.size()) {
    HERD_LOG(Warning) << SegmentPath(n) << ": " << (b.size() - off)
                      << " bytes after the last whole blob ignored (torn write)";
  }
  seg.size = b.size();
  return Status::Ok();
}

Status BlobStore::ImportLegacyFiles(const std::vector<std::string>& legacy) {
  if (legacy.empty()) return Status::Ok();
  for (const std::string& name : legacy) {
    if (!AllDigits(name)) continue;  // a temporary file of an interrupted write
    auto bytes = ReadFile(dir_ + "/" + name);
    if (!bytes.ok()) return bytes.error();
    uint64_t id = std::stoull(name);
    auto old = index_.find(id);
    if (old != index_.end()) Forget(old->second);
    HERD_RETURN_IF_ERROR(Append(id, *bytes));
  }
  if (::fdatasync(segments_[current_].fd) != 0) return ErrnoStatus("blob segment fdatasync");
  for (const std::string& name : legacy) ::unlink((dir_ + "/" + name).c_str());
  HERD_LOG(Info) << "moved " << legacy.size() << " job blob files into " << SegmentPath(current_);
  return Status::Ok();
}

Status BlobStore::OpenNewSegment() {
  uint32_t n = segments_.empty() ? 1 : segments_.rbegin()->first + 1;
  int fd = ::open(SegmentPath(n).c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot create " + SegmentPath(n));
  segments_[n].fd = fd;
  current_ = n;
  return Status::Ok();
}

Status BlobStore::Append(uint64_t job_id, const std::string& body) {
  if (body.size() > UINT32_MAX) return InvalidArgument("job blob too large");
  if (segments_[current_].size + sizeof(BlobHeader) + body.size() > segment_bytes_ &&
      segments_[current_].size > 0) {
    HERD_RETURN_IF_ERROR(OpenNewSegment());
  }
  Segment& seg = segments_[current_];
  BlobHeader h{kBlobMagic, static_cast<uint32_t>(body.size()), job_id,
               Crc32(body.data(), body.size()), 0};
  std::string rec(reinterpret_cast<const char*>(&h), sizeof h);
  rec += body;
  size_t done = 0;
  while (done < rec.size()) {
    ssize_t w = ::pwrite(seg.fd, rec.data() + done, rec.size() - done, seg.size + done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return ErrnoStatus("cannot write " + SegmentPath(current_));
    done += static_cast<size_t>(w);
  }
  index_[job_id] = Place{current_, h.length, seg.size + sizeof h};
  seg.size += rec.size();
  seg.live++;
  seg.live_bytes += h.length;
  return Status::Ok();
}

Status BlobStore::Write(uint64_t job_id, const JobBlob& blob) {
  uint32_t before = current_;
  auto old = index_.find(job_id);
  uint32_t old_segment = old == index_.end() ? current_ : old->second.segment;
  if (old != index_.end()) Forget(old->second);
  Status s = Append(job_id, proto::EncodeBody(BlobHolder{blob}));
  if (!s.ok()) index_.erase(job_id);
  if (old_segment != current_) MaybeReclaim(old_segment);
  if (before != current_ && before != old_segment) MaybeReclaim(before);
  return s;
}

Result<std::string> BlobStore::ReadBody(const Place& p) const {
  auto seg = segments_.find(p.segment);
  if (seg == segments_.end()) return Internal("job blob segment missing");
  std::string body(p.length, '\0');
  size_t done = 0;
  while (done < body.size()) {
    ssize_t r = ::pread(seg->second.fd, body.data() + done, body.size() - done, p.offset + done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return ErrnoStatus("cannot read " + SegmentPath(p.segment));
    done += static_cast<size_t>(r);
  }
  BlobHeader h;
  ssize_t r = ::pread(seg->second.fd, &h, sizeof h, p.offset - sizeof h);
  if (r != static_cast<ssize_t>(sizeof h) || h.magic != kBlobMagic || h.length != p.length ||
      h.crc != Crc32(body.data(), body.size())) {
    return DataLoss("job blob in " + SegmentPath(p.segment) + " is damaged");
  }
  return body;
}

Result<JobBlob> BlobStore::Read(uint64_t job_id) const {
  auto it = index_.find(job_id);
  if (it == index_.end()) return NotFound("no blob for job " + std::to_string(job_id));
  auto body = ReadBody(it->second);
  if (!body.ok()) return body.error();
  auto h = proto::DecodeBodyAs<BlobHolder>(*body, "job blob");
  if (!h.ok()) return h.error();
  return std::move(h->blob);
}

void BlobStore::Forget(const Place& p) {
  auto seg = segments_.find(p.segment);
  if (seg == segments_.end()) return;
  seg->second.live--;
  seg->second.live_bytes -= p.length;
}

void BlobStore::Remove(uint64_t job_id) {
  auto it = index_.find(job_id);
  if (it == index_.end()) return;
  uint32_t n = it->second.segment;
  Forget(it->second);
  index_.erase(it);
  MaybeReclaim(n);
}

void BlobStore::RetainOnly(const std::function<bool(uint64_t)>& keep) {
  std::vector<uint64_t> drop;
  for (const auto& [id, place] : index_) {
    if (!keep(id)) drop.push_back(id);
  }
  for (uint64_t id : drop) Remove(id);
}

void BlobStore::MaybeReclaim(uint32_t n) {
  if (n == current_) return;
  auto it = segments_.find(n);
  if (it == segments_.end()) return;
  if (it->second.live == 0) {
    Drop(n);
  } else if (it->second.live_bytes * 4 < it->second.size) {
    Status s = Compact(n);
    if (!s.ok()) HERD_LOG(Error) << "cannot compact " << SegmentPath(n) << ": " << s.ToString();
  }
}

Status BlobStore::Compact(uint32_t n) {
  std::vector<std::pair<uint64_t, Place>> live;
  for (const auto& [id, place] : index_) {
    if (place.segment == n) live.emplace_back(id, place);
  }
  std::set<uint32_t> written;
  for (const auto& [id, place] : live) {
    auto body = ReadBody(place);
    if (!body.ok()) {
      // Unreadable where it is, and nowhere else: the job's launch reports it missing.
      HERD_LOG(Error) << "job " << id << ": " << body.error().message() << "; dropped";
      Forget(place);
      index_.erase(id);
      continue;
    }
    HERD_RETURN_IF_ERROR(Append(id, *body));
    Forget(place);
    written.insert(current_);
  }
  // The copies must be on disk before the only other copy goes.
  for (uint32_t w : written) {
    if (::fdatasync(segments_[w].fd) != 0) return ErrnoStatus("blob segment fdatasync");
  }
  Drop(n);
  return Status::Ok();
}

void BlobStore::Drop(uint32_t n) {
  auto it = segments_.find(n);
  if (it == segments_.end()) return;
  ::close(it->second.fd);
  ::unlink(SegmentPath(n).c_str());
  segments_.erase(it);
}

}  // namespace herd::ctld
