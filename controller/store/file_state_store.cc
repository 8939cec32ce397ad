// herd — journal and checkpoint on local disk.
#include "controller/store/file_state_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/base/fs.h"
#include "common/base/log.h"
#include "controller/store/journal_format.h"

namespace herd::ctld {
namespace {

using journal::kJournalHeader;

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

// A refusal to load: what is wrong, then what the administrator can do.
Status Refuse(const std::string& dir, const std::string& what) {
  return DataLoss(what + ". herdctld does not start on a state that may have lost acknowledged " +
                  "changes: keep a copy of " + dir +
                  ", then put the missing or damaged files back, or run `herdctld --salvage` " +
                  "(with the same --conf and --name) to keep what is valid and list what is lost");
}

std::string Missing(uint64_t from, uint64_t to) {
  return from == to
             ? "record " + std::to_string(from) + " is missing"
             : "records " + std::to_string(from) + " to " + std::to_string(to) + " are missing";
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
  journal_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC, 0600);
  if (journal_fd_ < 0) return Errno("cannot open " + path);
  // All of it is durable (written and synced, or read back at Load): where a failed
  // commit cuts back to.
  const off_t end = ::lseek(journal_fd_, 0, SEEK_END);
  if (end < 0) return Errno("cannot seek " + path);
  journal_size_ = static_cast<uint64_t>(end);
  return Status::Ok();
}

Status FileStateStore::StartJournal(uint64_t base_seq, const std::string& records) {
  HERD_RETURN_IF_ERROR(
      WriteFileAtomic(dir_ + "/journal", journal::EncodeJournalHeader(base_seq) + records, true));
  if (journal_fd_ >= 0) ::close(journal_fd_);
  journal_fd_ = -1;
  return OpenJournal();
}

// Job blobs on disk: a state directory that held jobs once, not a new one.
bool FileStateStore::HasJobBlobs() const {
  DIR* d = ::opendir((dir_ + "/jobs").c_str());
  if (d == nullptr) return false;
  bool found = false;
  while (dirent* e = ::readdir(d)) {
    struct stat st;
    std::string path = dir_ + "/jobs/" + e->d_name;
    if (e->d_name[0] != '.' && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size > 0) {
      found = true;
      break;
    }
  }
  ::closedir(d);
  return found;
}

Result<Recovered> FileStateStore::Load() {
  Recovered rec;
  const std::string cpath = dir_ + "/checkpoint";
  const std::string jpath = dir_ + "/journal";
  auto cbytes = ReadFile(cpath);
  if (!cbytes.ok() && cbytes.error().code() != Code::kNotFound) return cbytes.error();
  const bool have_ckpt = cbytes.ok();
  uint32_t ckpt_format = 0;
  if (have_ckpt) {
    auto c = journal::DecodeCheckpoint(*cbytes, cpath);
    if (!c.ok()) {
      if (c.error().code() == Code::kUnsupported) return c.error();
      return Refuse(dir_, c.error().message());
    }
    ckpt_format = c->format;
    rec.checkpoint_seq = c->seq;
    rec.checkpoint = std::move(c->state);
  }

  auto jbytes = ReadFile(jpath);
  if (!jbytes.ok() && jbytes.error().code() != Code::kNotFound) return jbytes.error();
  if (!jbytes.ok()) {
    if (have_ckpt) {
      return Refuse(dir_, jpath + " is missing, but " + cpath + " (up to record " +
                              std::to_string(rec.checkpoint_seq) +
                              ") is always followed by a journal: every change acknowledged "
                              "since that checkpoint would be lost");
    }
    if (HasJobBlobs()) {
      return Refuse(dir_, "both " + jpath + " and " + cpath + " are missing, but " + dir_ +
                              "/jobs holds job scripts: this is not a new state directory");
    }
    // A new state directory: an empty checkpoint, so that from now on a missing journal
    // is always noticed, and a journal that continues after it.
    HERD_RETURN_IF_ERROR(WriteFileAtomic(cpath, journal::EncodeCheckpoint(0, ""), true));
    HERD_RETURN_IF_ERROR(StartJournal(0));
    next_seq_ = 1;
    since_checkpoint_ = 0;
    return rec;
  }
  const std::string& j = *jbytes;
  auto hdr = journal::DecodeJournalHeader(j, jpath);
  if (!hdr.ok()) {
    if (hdr.error().code() == Code::kUnsupported) return hdr.error();
    return Refuse(dir_, hdr.error().message());
  }
  if (ckpt_format >= 2 && !hdr->present) {
    return Refuse(dir_, jpath + " has no journal header, but " + cpath +
                            " (format 2) is always followed by one: the journal was replaced, "
                            "or its beginning is damaged");
  }
  if (hdr->present && hdr->base_seq > rec.checkpoint_seq) {
    return Refuse(
        dir_,
        jpath + " continues after record " + std::to_string(hdr->base_seq) + ", but " +
            (have_ckpt ? cpath + " holds only up to record " + std::to_string(rec.checkpoint_seq)
                       : "there is no " + cpath) +
            ": " + Missing(rec.checkpoint_seq + 1, hdr->base_seq));
  }
  const size_t begin = hdr->present ? kJournalHeader : 0;
  journal::Scan scan =
      journal::ScanRecords(j, begin, hdr->present ? hdr->base_seq : rec.checkpoint_seq);
  for (const journal::Damage& d : scan.damage) {
    if (d.undecided) {
      return Refuse(dir_, jpath + " is damaged at offset " + std::to_string(d.offset) +
                              " (after record " + std::to_string(d.after_seq) +
                              "), and the bytes after it hold so many possible record headers "
                              "that whether valid records follow cannot be told");
    }
    if (d.next_seq == 0) continue;  // a torn tail, below
    return Refuse(dir_, jpath + " is damaged at offset " + std::to_string(d.offset) + " (" +
                            std::to_string(d.length) + " bytes after record " +
                            std::to_string(d.after_seq) +
                            "), and valid records follow it (record " + std::to_string(d.next_seq) +
                            " at offset " + std::to_string(d.offset + d.length) +
                            "): this is not a torn last write, and the records in the damaged "
                            "part are lost");
  }
  // Sequence numbers: consecutive from the journal's base (format 1: from the first
  // record, which is 1 without a checkpoint and at most one past it with one).
  uint64_t prev = 0;
  bool first = true;
  for (size_t i = 0; i < scan.records.size(); ++i) {
    const JournalRecord& r = scan.records[i];
    uint64_t want;
    if (!first) {
      want = prev + 1;
    } else if (hdr->present) {
      want = hdr->base_seq + 1;
    } else if (!have_ckpt) {
      want = 1;
    } else {
      want = r.seq <= rec.checkpoint_seq + 1 ? r.seq : rec.checkpoint_seq + 1;
    }
    if (r.seq != want) {
      return Refuse(dir_, jpath + ": record " + std::to_string(r.seq) + " at offset " +
                              std::to_string(scan.offsets[i]) + " follows " +
                              (first ? std::string("the start of the journal")
                                     : "record " + std::to_string(prev)) +
                              ": " + Missing(want, r.seq - 1) + " (sequence gap)");
    }
    first = false;
    prev = r.seq;
  }
  const bool torn = !scan.damage.empty();
  if (torn) {
    const journal::Damage& t = scan.damage.back();
    rec.torn_tail = true;
    HERD_LOG(Warning) << "journal: dropping an incomplete last write at offset " << t.offset << " ("
                      << t.length << " bytes after record " << t.after_seq << ")";
  }
  size_t keep_from = scan.records.size();
  for (size_t i = 0; i < scan.records.size(); ++i) {
    if (scan.records[i].seq > rec.checkpoint_seq) {
      keep_from = i;
      break;
    }
  }
  const uint64_t last = std::max(prev, rec.checkpoint_seq);
  if (!hdr->present || hdr->base_seq < rec.checkpoint_seq) {
    // A format 1 journal, or one left behind by a checkpoint interrupted before it replaced
    // the journal: rewritten as a format 2 journal that continues after the checkpoint.
    std::string kept;
    if (keep_from < scan.records.size()) {
      size_t from = scan.offsets[keep_from];
      kept = j.substr(from, scan.end_of_valid - from);
    }
    HERD_RETURN_IF_ERROR(StartJournal(rec.checkpoint_seq, kept));
    if (!hdr->present) HERD_LOG(Info) << "journal: " << jpath << " rewritten in format 2";
  } else {
    if (torn && ::truncate(jpath.c_str(), static_cast<off_t>(scan.end_of_valid)) != 0) {
      return Errno("cannot truncate the torn journal tail");
    }
    HERD_RETURN_IF_ERROR(OpenJournal());
  }
  for (size_t i = keep_from; i < scan.records.size(); ++i) {
    rec.records.push_back(std::move(scan.records[i]));
  }
  next_seq_ = last + 1;
  since_checkpoint_ = rec.records.size();
  return rec;
}

void FileStateStore::Append(uint16_t type, std::string body) {
  pending_ += journal::EncodeRecord(next_seq_++, type, body);
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
  HERD_RETURN_IF_ERROR(
      WriteFileAtomic(dir_ + "/checkpoint", journal::EncodeCheckpoint(next_seq_ - 1, state), true));
  // Every record is now in the checkpoint: a new, empty journal continues after it.
  HERD_RETURN_IF_ERROR(StartJournal(next_seq_ - 1));
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
