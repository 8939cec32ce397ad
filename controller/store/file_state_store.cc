// herd — journal and checkpoint on local disk.
#include "controller/store/file_state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/log.h"

namespace herd::ctld {
namespace {

constexpr size_t kRecordHeader = 20;
constexpr char kCheckpointMagic[8] = {'H', 'E', 'R', 'D', 'C', 'K', 'P', 'T'};
constexpr size_t kCheckpointHeader = 24;
constexpr uint32_t kMaxRecord = 256u << 20;

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

// A full file system (or quota) is kResourceExhausted: the controller waits for space
// instead of treating it as damage.
Status Errno(const std::string& what) {
  const int e = errno;
  std::string m = what + ": " + std::strerror(e);
  if (e == ENOSPC || e == EDQUOT) return ResourceExhausted(std::move(m));
  return Internal(std::move(m));
}

Status WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("journal write failed");
    }
    off += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FileStateStore>> FileStateStore::Open(const std::string& dir) {
  HERD_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  std::string lock = dir + "/lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("cannot open " + lock);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return FailedPrecondition("state directory " + dir + " is in use by another controller");
  }
  return std::unique_ptr<FileStateStore>(new FileStateStore(dir, fd));
}

FileStateStore::~FileStateStore() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status FileStateStore::OpenJournal() {
  std::string path = dir_ + "/journal";
  journal_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (journal_fd_ < 0) return Errno("cannot open " + path);
  return Status::Ok();
}

Result<Recovered> FileStateStore::Load() {
  Recovered rec;
  auto ckpt = ReadFile(dir_ + "/checkpoint");
  if (ckpt.ok()) {
    const std::string& c = *ckpt;
    if (c.size() < kCheckpointHeader || std::memcmp(c.data(), kCheckpointMagic, 8) != 0) {
      return DataLoss(dir_ + "/checkpoint is not a herd checkpoint");
    }
    uint32_t format = static_cast<uint32_t>(GetLe(c.data() + 8, 4));
    if (format != 1) return DataLoss("checkpoint format " + std::to_string(format) + " unknown");
    rec.checkpoint_seq = GetLe(c.data() + 12, 8);
    uint32_t crc = static_cast<uint32_t>(GetLe(c.data() + 20, 4));
    rec.checkpoint = c.substr(kCheckpointHeader);
    if (Crc32(rec.checkpoint.data(), rec.checkpoint.size()) != crc) {
      return DataLoss(dir_ + "/checkpoint is corrupt (checksum mismatch)");
    }
  } else if (ckpt.error().code() != Code::kNotFound) {
    return ckpt.error();
  }

  std::string jpath = dir_ + "/journal";
  auto journal = ReadFile(jpath);
  std::string j = journal.ok() ? std::move(*journal) : std::string();
  if (!journal.ok() && journal.error().code() != Code::kNotFound) return journal.error();
  size_t off = 0;
  uint64_t last_seq = rec.checkpoint_seq;
  while (off < j.size()) {
    bool last_possible = false;
    if (j.size() - off < kRecordHeader) {
      last_possible = true;
    } else {
      uint32_t len = static_cast<uint32_t>(GetLe(j.data() + off, 4));
      uint32_t crc = static_cast<uint32_t>(GetLe(j.data() + off + 4, 4));
      if (len > kMaxRecord || j.size() - off - kRecordHeader < len) {
        last_possible = true;
      } else if (Crc32(j.data() + off + 8, 12 + len) != crc) {
        if (off + kRecordHeader + len == j.size()) {
          last_possible = true;
        } else {
          return DataLoss(jpath + " is corrupt at offset " + std::to_string(off) +
                          " (checksum mismatch before the end); refusing to start");
        }
      } else {
        JournalRecord r;
        r.seq = GetLe(j.data() + off + 8, 8);
        r.type = static_cast<uint16_t>(GetLe(j.data() + off + 16, 2));
        r.body.assign(j.data() + off + kRecordHeader, len);
        off += kRecordHeader + len;
        if (r.seq <= rec.checkpoint_seq) continue;  // already in the checkpoint
        if (r.seq != last_seq + 1) {
          return DataLoss(jpath + ": record sequence jumps from " + std::to_string(last_seq) +
                          " to " + std::to_string(r.seq));
        }
        last_seq = r.seq;
        rec.records.push_back(std::move(r));
        continue;
      }
    }
    if (last_possible) {
      rec.torn_tail = true;
      HERD_LOG(Warning) << "journal: dropping an incomplete last record at offset " << off << " ("
                        << (j.size() - off) << " bytes)";
      if (::truncate(jpath.c_str(), static_cast<off_t>(off)) != 0) {
        return Errno("cannot truncate the torn journal tail");
      }
      break;
    }
  }
  next_seq_ = last_seq + 1;
  since_checkpoint_ = rec.records.size();
  HERD_RETURN_IF_ERROR(OpenJournal());
  journal_size_ = off;
  return rec;
}

void FileStateStore::Append(uint16_t type, std::string body) {
  std::string hdr;
  PutLe(hdr, body.size(), 4);
  PutLe(hdr, 0, 4);  // crc, filled below
  PutLe(hdr, next_seq_++, 8);
  PutLe(hdr, type, 2);
  PutLe(hdr, 0, 2);
  uint32_t crc = Crc32(hdr.data() + 8, 12);
  crc = Crc32(body.data(), body.size(), crc);
  for (size_t i = 0; i < 4; ++i) hdr[4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  pending_ += hdr;
  pending_ += body;
  since_checkpoint_++;
}

Status FileStateStore::Commit() {
  if (pending_.empty()) return Status::Ok();
  if (journal_fd_ < 0) return FailedPrecondition("journal not open (Load first)");
  Status s = WriteAll(journal_fd_, pending_);
  if (s.ok() && ::fdatasync(journal_fd_) != 0) s = Errno("journal fdatasync failed");
  if (!s.ok()) {
    // Back to the last durable length (a partial write would otherwise sit before the
    // records written when it is tried again); the records stay pending.
    if (::ftruncate(journal_fd_, static_cast<off_t>(journal_size_)) != 0) {
      HERD_LOG(Error) << "cannot cut the journal back to " << journal_size_
                      << " bytes: " << std::strerror(errno);
    }
    return s;
  }
  journal_size_ += pending_.size();
  pending_.clear();
  return Status::Ok();
}

Result<uint64_t> FileStateStore::AvailableBytes() const {
  struct statvfs v;
  if (::fstatvfs(lock_fd_, &v) != 0) return Errno("statvfs of " + dir_);
  return static_cast<uint64_t>(v.f_bavail) * v.f_frsize;
}

Status FileStateStore::Checkpoint(const std::string& state) {
  HERD_RETURN_IF_ERROR(Commit());
  // Job blob files were written without fsync; make them durable before the journal
  // records holding the same bytes go away.
  if (::syncfs(lock_fd_) != 0) return Errno("syncfs of the state directory failed");
  std::string data(kCheckpointMagic, 8);
  PutLe(data, 1, 4);
  PutLe(data, next_seq_ - 1, 8);
  PutLe(data, Crc32(state.data(), state.size()), 4);
  data += state;
  HERD_RETURN_IF_ERROR(WriteFileAtomic(dir_ + "/checkpoint", data, true));
  // Every record is now in the checkpoint: start an empty journal.
  if (::ftruncate(journal_fd_, 0) != 0) return Errno("journal truncate failed");
  journal_size_ = 0;
  if (::fsync(journal_fd_) != 0) return Errno("journal fsync failed");
  since_checkpoint_ = 0;
  return Status::Ok();
}

Status FileStateStore::Install(const std::string& state, uint64_t seq) {
  pending_.clear();
  next_seq_ = seq + 1;
  since_checkpoint_ = 1;  // so that Checkpoint() below is not skipped by callers' checks
  return Checkpoint(state);
}

}  // namespace herd::ctld
