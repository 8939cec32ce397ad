// herd — per-job blob files (<state dir>/jobs/<id>): the script, arguments and
// environment of a job, kept out of memory. Written without fsync: the JobSubmitted
// journal record holds the same bytes and is the durable copy until the next checkpoint
// (which syncs the file system first). Replay rewrites a missing blob from the record.
#pragma once

#include <cstdint>
#include <string>
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
  explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}
  Status Init();
  Status Write(uint64_t job_id, const JobBlob& blob);
  Result<JobBlob> Read(uint64_t job_id) const;
  bool Exists(uint64_t job_id) const;
  void Remove(uint64_t job_id);

 private:
  std::string Path(uint64_t job_id) const;
  std::string dir_;
};

}  // namespace herd::ctld
