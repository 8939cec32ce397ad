// herd — job blob files.
#include "controller/store/blob_store.h"

#include <unistd.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include "common/base/fs.h"
#include "common/proto/codec.h"

namespace herd::ctld {
namespace {
struct BlobHolder {
  JobBlob blob;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& blob.script& blob.argv& blob.env;
  }
};
}  // namespace

Status BlobStore::Init() { return MakeDirs(dir_, 0700); }

std::string BlobStore::Path(uint64_t job_id) const { return dir_ + "/" + std::to_string(job_id); }

Status BlobStore::Write(uint64_t job_id, const JobBlob& blob) {
  BlobHolder h{blob};
  return WriteFileAtomic(Path(job_id), proto::EncodeBody(h), /*durable=*/false);
}

Result<JobBlob> BlobStore::Read(uint64_t job_id) const {
  auto bytes = ReadFile(Path(job_id));
  if (!bytes.ok()) return bytes.error();
  auto h = proto::DecodeBodyAs<BlobHolder>(*bytes, "job blob");
  if (!h.ok()) return h.error();
  return std::move(h->blob);
}

bool BlobStore::Exists(uint64_t job_id) const { return PathExists(Path(job_id)); }

void BlobStore::Remove(uint64_t job_id) { ::unlink(Path(job_id).c_str()); }

}  // namespace herd::ctld
