// herd — job blobs in segment files: reopen, rotation, reclaiming, compaction, torn
// tails, and the old one-file-per-job layout.
#include "controller/store/blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdlib>
#include <fstream>

#include "common/base/fs.h"
#include "common/proto/codec.h"

namespace herd::ctld {
namespace {

JobBlob MakeBlob(uint64_t id, size_t script_bytes = 100) {
  JobBlob b;
  b.script = "#!/bin/sh\n# job " + std::to_string(id) + "\n" + std::string(script_bytes, 'x');
  b.argv = {"a" + std::to_string(id)};
  b.env = {"HOME=/root", "ID=" + std::to_string(id)};
  return b;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-blobs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(dir_); }
  std::unique_ptr<BlobStore> Open(uint64_t segment_bytes = BlobStore::kDefaultSegmentBytes) {
    auto b = std::make_unique<BlobStore>(dir_, segment_bytes);
    Status s = b->Init();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return b;
  }
  void ExpectBlob(const BlobStore& b, uint64_t id, const JobBlob& want) {
    auto got = b.Read(id);
    ASSERT_TRUE(got.ok()) << "job " << id << ": " << got.error().message();
    EXPECT_EQ(got->script, want.script);
    EXPECT_EQ(got->argv, want.argv);
    EXPECT_EQ(got->env, want.env);
  }
  int FilesInDir() {
    int n = 0;
    for (int i = 0; i < 1000; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "/seg-%06d", i);
      n += PathExists(dir_ + name) ? 1 : 0;
    }
    return n;
  }
  std::string dir_;
};

TEST_F(BlobStoreTest, WriteReadRemoveAndReopen) {
  {
    auto b = Open();
    for (uint64_t id = 1; id <= 50; ++id) ASSERT_TRUE(b->Write(id, MakeBlob(id)).ok());
    for (uint64_t id = 1; id <= 50; ++id) ExpectBlob(*b, id, MakeBlob(id));
    b->Remove(7);
    EXPECT_FALSE(b->Exists(7));
    EXPECT_FALSE(b->Read(7).ok());
    EXPECT_EQ(b->blob_count(), 49u);
  }
  auto b = Open();
  // Removals are not recorded: the reopened store has every blob until RetainOnly.
  EXPECT_EQ(b->blob_count(), 50u);
  for (uint64_t id = 1; id <= 50; ++id) ExpectBlob(*b, id, MakeBlob(id));
  b->RetainOnly([](uint64_t id) { return id % 2 == 0; });
  EXPECT_EQ(b->blob_count(), 25u);
  EXPECT_FALSE(b->Exists(7));
  ExpectBlob(*b, 8, MakeBlob(8));
}

TEST_F(BlobStoreTest, ALaterCopyWinsAfterReopen) {
  JobBlob second = MakeBlob(99);
  second.script = "#!/bin/sh\necho rewritten\n";
  {
    auto b = Open();
    ASSERT_TRUE(b->Write(5, MakeBlob(5)).ok());
    ASSERT_TRUE(b->Write(5, second).ok());
    ExpectBlob(*b, 5, second);
  }
  auto b = Open();
  EXPECT_EQ(b->blob_count(), 1u);
  ExpectBlob(*b, 5, second);
}

TEST_F(BlobStoreTest, SegmentsRotateAndDeadOnesAreDeleted) {
  auto b = Open(/*segment_bytes=*/4096);
  for (uint64_t id = 1; id <= 100; ++id) ASSERT_TRUE(b->Write(id, MakeBlob(id, 300)).ok());
  size_t segments = b->segment_count();
  EXPECT_GT(segments, 5u);
  EXPECT_EQ(FilesInDir(), static_cast<int>(segments));
  for (uint64_t id = 1; id <= 100; ++id) b->Remove(id);
  EXPECT_EQ(b->segment_count(), 1u) << "only the open segment is left";
  EXPECT_EQ(FilesInDir(), 1);
}

TEST_F(BlobStoreTest, AMostlyDeadSegmentIsCompacted) {
  auto b = Open(/*segment_bytes=*/8192);
  for (uint64_t id = 1; id <= 200; ++id) ASSERT_TRUE(b->Write(id, MakeBlob(id, 300)).ok());
  // Keep one blob in every tenth: every sealed segment falls under a quarter live.
  for (uint64_t id = 1; id <= 200; ++id) {
    if (id % 10 != 0) b->Remove(id);
  }
  EXPECT_LE(b->segment_count(), 3u);
  for (uint64_t id = 10; id <= 200; id += 10) ExpectBlob(*b, id, MakeBlob(id, 300));
  b.reset();
  b = Open(8192);
  b->RetainOnly([](uint64_t id) { return id % 10 == 0; });
  EXPECT_EQ(b->blob_count(), 20u);
  for (uint64_t id = 10; id <= 200; id += 10) ExpectBlob(*b, id, MakeBlob(id, 300));
}

TEST_F(BlobStoreTest, ATornTailIsIgnored) {
  {
    auto b = Open();
    ASSERT_TRUE(b->Write(1, MakeBlob(1)).ok());
    ASSERT_TRUE(b->Write(2, MakeBlob(2)).ok());
  }
  // Cut the last blob in half, as a crash before the page cache reached the disk can.
  std::string seg = dir_ + "/seg-000001";
  struct stat st;
  ASSERT_EQ(::stat(seg.c_str(), &st), 0);
  ASSERT_EQ(::truncate(seg.c_str(), st.st_size - 40), 0);
  auto b = Open();
  ExpectBlob(*b, 1, MakeBlob(1));
  EXPECT_FALSE(b->Exists(2));
  // What is written next goes to a new segment, after the torn one.
  ASSERT_TRUE(b->Write(2, MakeBlob(2)).ok());
  ExpectBlob(*b, 2, MakeBlob(2));
}

TEST_F(BlobStoreTest, ADamagedBodyIsReportedNotReturned) {
  {
    auto b = Open();
    ASSERT_TRUE(b->Write(1, MakeBlob(1)).ok());
  }
  auto b = Open();
  std::fstream f(dir_ + "/seg-000001", std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(40);
  f.put('!');
  f.close();
  auto r = b->Read(1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("damaged"), std::string::npos);
}

struct LegacyHolder {
  JobBlob blob;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& blob.script& blob.argv& blob.env;
  }
};

// A blob damaged in place: a restart skips it (not the blobs after it), and compaction
// drops it (nothing can read it) instead of every later removal trying again.
TEST_F(BlobStoreTest, ADamagedBlobIsSkippedAndDroppedByCompaction) {
  auto damage_blob_2 = [&] {
    std::fstream f(dir_ + "/seg-000001", std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    const auto one =
        static_cast<std::streamoff>(24 + proto::EncodeBody(LegacyHolder{MakeBlob(1, 300)}).size());
    f.seekp(one + 24 + 40);  // inside the body of the second blob
    f.put('!');
  };
  {
    auto b = Open(/*segment_bytes=*/8192);
    for (uint64_t id = 1; id <= 40; ++id) ASSERT_TRUE(b->Write(id, MakeBlob(id, 300)).ok());
  }
  damage_blob_2();
  auto b = Open(8192);
  EXPECT_FALSE(b->Exists(2));
  ExpectBlob(*b, 1, MakeBlob(1, 300));
  ExpectBlob(*b, 3, MakeBlob(3, 300));
  ExpectBlob(*b, 40, MakeBlob(40, 300));

  // Damaged while open: compaction of its segment drops it, moves the rest.
  b.reset();
  (void)RemoveTree(dir_);
  b = Open(8192);
  for (uint64_t id = 1; id <= 40; ++id) ASSERT_TRUE(b->Write(id, MakeBlob(id, 300)).ok());
  damage_blob_2();
  for (uint64_t id = 3; id <= 40; ++id) b->Remove(id);  // segment 1 falls under a quarter live
  EXPECT_FALSE(PathExists(dir_ + "/seg-000001"));
  EXPECT_FALSE(b->Exists(2));
  ExpectBlob(*b, 1, MakeBlob(1, 300));
}

TEST_F(BlobStoreTest, OldOneFilePerJobLayoutIsImported) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/41", proto::EncodeBody(LegacyHolder{MakeBlob(41)})).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/42", proto::EncodeBody(LegacyHolder{MakeBlob(42)})).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/43.new", "half written").ok());
  auto b = Open();
  ExpectBlob(*b, 41, MakeBlob(41));
  ExpectBlob(*b, 42, MakeBlob(42));
  EXPECT_FALSE(PathExists(dir_ + "/41"));
  EXPECT_FALSE(PathExists(dir_ + "/43.new"));
}

}  // namespace
}  // namespace herd::ctld
