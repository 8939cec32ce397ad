// herd — the script, arguments and environment of each job ("blobs"), kept out of
// memory in append-only segment files (<state dir>/jobs/seg-NNNNNN).
//
// Written without fsync: the JobSubmitted journal record holds the same bytes and is the
// durable copy until the next checkpoint (which syncs the file system first). Replay
// rewrites a missing blob from the record.
//
// One file per job made every submission create an inode and every purge delete one; ext4
// then spends most of the controller's CPU searching for an inode that was not recently
// deleted. Segments keep the file count constant: a blob is appended to the open segment
// (rotated at `segment_bytes`), an index in memory maps each job to its place, and a
// sealed segment is deleted when none of its blobs is live, or compacted (live blobs
// copied forward, synced, then the segment deleted) once less than a quarter of it is.
//
// Every blob on disk is a header (magic, job id, length, CRC-32 of the body) and the
// body; a restart indexes the segments in order (a later copy wins, a torn tail ends a
// segment) and writes to a new one. Removals are not recorded: after recovery the
// controller calls RetainOnly with the jobs that still need their blob.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/base/status.h"

namespace herd::ctld {

struct JobBlob {
  std::string script;
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

class BlobStore {
 public:
  static constexpr uint64_t kDefaultSegmentBytes = 8u << 20;

  explicit BlobStore(std::string dir, uint64_t segment_bytes = kDefaultSegmentBytes)
      : dir_(std::move(dir)), segment_bytes_(segment_bytes) {}
  ~BlobStore();
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // Creates the directory, indexes the existing segments (and imports the one-file-per-job
  // layout of older versions), and opens a new segment for writing.
  Status Init();
  Status Write(uint64_t job_id, const JobBlob& blob);
  Result<JobBlob> Read(uint64_t job_id) const;
  bool Exists(uint64_t job_id) const { return index_.count(job_id) != 0; }
  void Remove(uint64_t job_id);
  // Forgets every blob whose job `keep` rejects (called once the state is recovered).
  void RetainOnly(const std::function<bool(uint64_t)>& keep);

  size_t blob_count() const { return index_.size(); }
  size_t segment_count() const { return segments_.size(); }

 private:
  struct Place {
    uint32_t segment;
    uint32_t length;  // of the body
    uint64_t offset;  // of the body
  };
  struct Segment {
    int fd = -1;
    uint64_t size = 0;        // bytes written
    uint64_t live_bytes = 0;  // bodies of indexed blobs
    size_t live = 0;
  };

  std::string SegmentPath(uint32_t n) const;
  Status IndexSegment(uint32_t n, Segment& seg);
  Status ImportLegacyFiles(const std::vector<std::string>& legacy);
  Status OpenNewSegment();
  Status Append(uint64_t job_id, const std::string& body);
  Result<std::string> ReadBody(const Place& p) const;
  void Forget(const Place& p);  // its segment's counts
  void MaybeReclaim(uint32_t n);
  Status Compact(uint32_t n);
  void Drop(uint32_t n);

  std::string dir_;
  uint64_t segment_bytes_;
  std::unordered_map<uint64_t, Place> index_;
  std::map<uint32_t, Segment> segments_;
  uint32_t current_ = 0;
};

}  // namespace herd::ctld
