// herd — the journal and checkpoint on disk: durability, torn tails, corruption.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "common/base/fs.h"
#include "controller/store/file_state_store.h"
#include "controller/tests/state_dir_fixture.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using StoreTest = testing::StateDirTest;

TEST_F(StoreTest, CommittedRecordsSurviveReopen) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    s->Append(1, "one");
    s->Append(2, "two");
    ASSERT_TRUE(s->Commit().ok());
    s->Append(3, "never committed");
  }
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 2u);
  EXPECT_EQ(r->records[0].body, "one");
  EXPECT_EQ(r->records[1].type, 2);
  EXPECT_EQ(r->records[1].seq, 2u);
}

TEST_F(StoreTest, SecondOpenOfSameDirectoryIsRefused) {
  auto s = Open();
  auto t = FileStateStore::Open(dir_);
  EXPECT_FALSE(t.ok());
}

TEST_F(StoreTest, TornTailIsDroppedAndAppendContinues) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    s->Append(1, "a");
    s->Append(1, "b");
    ASSERT_TRUE(s->Commit().ok());
  }
  // Half a record at the end, as a crash in the middle of a write leaves it.
  int fd = ::open((dir_ + "/journal").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "\x10\x00\x00\x00\x01\x02", 6), 6);
  ::close(fd);
  {
    auto s = Open();
    auto r = s->Load();
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_TRUE(r->torn_tail);
    EXPECT_EQ(r->records.size(), 2u);
    s->Append(1, "c");
    ASSERT_TRUE(s->Commit().ok());
  }
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->records[2].body, "c");
  EXPECT_EQ(r->records[2].seq, 3u);
}

TEST_F(StoreTest, CorruptionInTheMiddleRefusesToLoad) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    s->Append(1, "aaaaaaaa");
    s->Append(1, "bbbbbbbb");
    ASSERT_TRUE(s->Commit().ok());
  }
  int fd = ::open((dir_ + "/journal").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "X", 1, 24 + 22), 1);  // inside the first body (after the header)
  ::close(fd);
  auto s = Open();
  auto r = s->Load();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kDataLoss);
}

TEST_F(StoreTest, CheckpointReplacesJournal) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    s->Append(1, "a");
    ASSERT_TRUE(s->Commit().ok());
    ASSERT_TRUE(s->Checkpoint("STATE").ok());
    s->Append(1, "after");
    ASSERT_TRUE(s->Commit().ok());
  }
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->checkpoint, "STATE");
  EXPECT_EQ(r->checkpoint_seq, 1u);
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].body, "after");
  EXPECT_EQ(r->records[0].seq, 2u);
}

TEST_F(StoreTest, CorruptCheckpointRefusesToLoad) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    ASSERT_TRUE(s->Checkpoint("STATE").ok());
  }
  int fd = ::open((dir_ + "/checkpoint").c_str(), O_WRONLY);
  ASSERT_EQ(::pwrite(fd, "Z", 1, 25), 1);
  ::close(fd);
  auto s = Open();
  EXPECT_EQ(s->Load().error().code(), Code::kDataLoss);
}

}  // namespace
}  // namespace herd::ctld
