// herd — the rules for loading a state directory: only a torn tail is dropped; damage
// followed by valid records, a sequence gap, a missing journal or a journal that starts
// after its checkpoint refuse to load; older formats load, newer ones are refused.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "common/base/fs.h"
#include "controller/state/cluster_state.h"
#include "controller/store/blob_store.h"
#include "controller/store/file_state_store.h"
#include "controller/store/journal_format.h"
#include "controller/tests/state_dir_fixture.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using journal::EncodeRecord;
using journal::kJournalHeader;
using journal::kRecordHeader;

class JournalTest : public testing::StateDirTest {
 protected:
  // Records 1..n with 8-byte bodies, committed; each record is 28 bytes.
  void Write(int n) {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    for (int i = 1; i <= n; ++i) s->Append(1, "body-" + std::to_string(100 + i));
    ASSERT_TRUE(s->Commit().ok());
  }
  static size_t RecordAt(int seq) { return kJournalHeader + (seq - 1) * (kRecordHeader + 8); }
  void Poke(const std::string& file, size_t off, const std::string& bytes) {
    int fd = ::open((dir_ + "/" + file).c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(off)),
              static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  // The load's refusal (kDataLoss); fails the test when it loads.
  std::string Refusal() {
    auto s = Open();
    auto r = s->Load();
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.error().code(), Code::kDataLoss) << r.error().message();
    EXPECT_NE(r.error().message().find("herdctld --salvage"), std::string::npos);
    return r.error().message();
  }
  size_t Size(const std::string& file) {
    auto b = ReadFile(dir_ + "/" + file);
    return b.ok() ? b->size() : 0;
  }
};

TEST_F(JournalTest, DamagedLengthInTheMiddleRefusesAndKeepsTheFile) {
  Write(5);
  size_t before = Size("journal");
  Poke("journal", RecordAt(2), std::string("\xff\xff\x00\x00", 4));  // a length too long
  std::string m = Refusal();
  EXPECT_NE(m.find("damaged at offset " + std::to_string(RecordAt(2))), std::string::npos) << m;
  EXPECT_NE(m.find("after record 1"), std::string::npos) << m;
  EXPECT_NE(m.find("valid records follow it (record 3"), std::string::npos) << m;
  EXPECT_NE(m.find(dir_ + "/journal"), std::string::npos) << m;
  EXPECT_EQ(Size("journal"), before);  // nothing truncated
}

TEST_F(JournalTest, ChecksumDamageWithValidRecordsAfterRefuses) {
  Write(4);
  Poke("journal", RecordAt(3) + kRecordHeader + 2, "X");  // inside the body of record 3
  std::string m = Refusal();
  EXPECT_NE(m.find("after record 2"), std::string::npos) << m;
  EXPECT_NE(m.find("(record 4 at offset " + std::to_string(RecordAt(4))), std::string::npos) << m;
}

TEST_F(JournalTest, DamagedLastRecordIsATornTail) {
  Write(3);
  Poke("journal", RecordAt(3), std::string("\x50\x00\x00\x00", 4));  // longer than the file
  {
    auto s = Open();
    auto r = s->Load();
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_TRUE(r->torn_tail);
    ASSERT_EQ(r->records.size(), 2u);
    s->Append(1, "after");
    ASSERT_TRUE(s->Commit().ok());
  }
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->torn_tail);
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_EQ(r->records[2].seq, 3u);
  EXPECT_EQ(r->records[2].body, "after");
}

TEST_F(JournalTest, GarbageAfterTheLastRecordIsATornTail) {
  Write(2);
  int fd = ::open((dir_ + "/journal").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  std::string junk(300, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(i * 7);
  ASSERT_EQ(::write(fd, junk.data(), junk.size()), 300);
  ::close(fd);
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->torn_tail);
  EXPECT_EQ(r->records.size(), 2u);
  EXPECT_EQ(Size("journal"), RecordAt(3));
}

// Damage made of possible headers, each claiming the rest of the file: checksumming them
// all would take hours; the search gives up and the load refuses (it is no torn tail).
TEST_F(JournalTest, DamageFullOfPossibleHeadersIsRefusedNotSearchedForever) {
  Write(2);
  const size_t n = 1 << 20;
  std::string junk;
  while (junk.size() + kRecordHeader <= n) {
    journal::PutLe(junk, n - junk.size() - kRecordHeader, 4);  // length: the rest
    journal::PutLe(junk, 0, 4);                                // a wrong checksum
    journal::PutLe(junk, 3, 8);                                // the next sequence number
    journal::PutLe(junk, 1, 2);
    journal::PutLe(junk, 0, 2);
  }
  int fd = ::open((dir_ + "/journal").c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  ::close(fd);
  std::string m = Refusal();
  EXPECT_NE(m.find("whether valid records follow cannot be told"), std::string::npos) << m;
}

TEST_F(JournalTest, MissingJournalAfterACheckpointRefuses) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    s->Append(1, "a");
    ASSERT_TRUE(s->Commit().ok());
    ASSERT_TRUE(s->Checkpoint("STATE").ok());
    s->Append(1, "b");
    ASSERT_TRUE(s->Commit().ok());
  }
  ASSERT_EQ(::unlink((dir_ + "/journal").c_str()), 0);
  std::string m = Refusal();
  EXPECT_NE(m.find("journal is missing"), std::string::npos) << m;
  EXPECT_NE(m.find("up to record 1"), std::string::npos) << m;
}

TEST_F(JournalTest, MissingJournalBeforeAnyCheckpointRefuses) {
  Write(3);  // a new directory gets an empty checkpoint at its first load
  ASSERT_EQ(::unlink((dir_ + "/journal").c_str()), 0);
  EXPECT_NE(Refusal().find("journal is missing"), std::string::npos);
}

TEST_F(JournalTest, JobBlobsWithoutJournalOrCheckpointRefuse) {
  Write(1);
  ASSERT_EQ(::unlink((dir_ + "/journal").c_str()), 0);
  ASSERT_EQ(::unlink((dir_ + "/checkpoint").c_str()), 0);
  ASSERT_TRUE(MakeDirs(dir_ + "/jobs", 0700).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/jobs/seg-000001", "blob bytes", false).ok());
  EXPECT_NE(Refusal().find("not a new state directory"), std::string::npos);
}

TEST_F(JournalTest, SequenceGapRefuses) {
  std::string j = journal::EncodeJournalHeader(0);
  j += EncodeRecord(1, 1, "a") + EncodeRecord(2, 1, "b") + EncodeRecord(4, 1, "d");
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/checkpoint", journal::EncodeCheckpoint(0, "")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/journal", j).ok());
  std::string m = Refusal();
  EXPECT_NE(m.find("record 4"), std::string::npos) << m;
  EXPECT_NE(m.find("follows record 2: record 3 is missing (sequence gap)"), std::string::npos) << m;
}

TEST_F(JournalTest, JournalStartingAfterItsCheckpointRefuses) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/checkpoint", journal::EncodeCheckpoint(2, "S")).ok());
  ASSERT_TRUE(
      WriteFileAtomic(dir_ + "/journal", journal::EncodeJournalHeader(5) + EncodeRecord(6, 1, "f"))
          .ok());
  std::string m = Refusal();
  EXPECT_NE(m.find("records 3 to 5 are missing"), std::string::npos) << m;
}

TEST_F(JournalTest, JournalWithoutHeaderNextToAFormat2CheckpointRefuses) {
  Write(2);
  ASSERT_EQ(::truncate((dir_ + "/journal").c_str(), 0), 0);
  EXPECT_NE(Refusal().find("no journal header"), std::string::npos);
}

TEST_F(JournalTest, NewerFormatsAreRefusedByName) {
  Write(1);
  std::string four;
  journal::PutLe(four, 3, 4);
  Poke("checkpoint", 8, four);
  auto s = Open();
  auto r = s->Load();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnsupported);
  EXPECT_NE(r.error().message().find("format 3, newer than this herdctld"), std::string::npos)
      << r.error().message();

  std::string h = journal::EncodeJournalHeader(0);
  h.replace(8, 4, four);
  std::string crc;
  journal::PutLe(crc, Crc32(h.data(), 20), 4);
  h.replace(20, 4, crc);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/checkpoint", journal::EncodeCheckpoint(0, "")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/journal", h).ok());
  s.reset();
  s = Open();
  r = s->Load();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kUnsupported);
  EXPECT_NE(r.error().message().find("format 3"), std::string::npos) << r.error().message();
}

// A crash between the new checkpoint and the new journal leaves the old journal, whose
// records the checkpoint holds: it loads, and the journal is replaced then.
TEST_F(JournalTest, JournalLeftBehindByAnInterruptedCheckpointLoads) {
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/checkpoint", journal::EncodeCheckpoint(5, "S5")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/journal", journal::EncodeJournalHeader(3) +
                                                     EncodeRecord(4, 1, "d") +
                                                     EncodeRecord(5, 1, "e"))
                  .ok());
  {
    auto s = Open();
    auto r = s->Load();
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->checkpoint, "S5");
    EXPECT_TRUE(r->records.empty());
    s->Append(1, "f");
    ASSERT_TRUE(s->Commit().ok());
  }
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].seq, 6u);
}

// What a passive does with the active's whole state: the next records follow it, and a
// restart finds a checkpoint and a journal that agree.
TEST_F(JournalTest, InstalledSnapshotIsFollowedByItsJournal) {
  Write(3);
  {
    auto s = Open();
    ASSERT_TRUE(s->Load().ok());
    ASSERT_TRUE(s->Install("ACTIVE", 40).ok());
    EXPECT_EQ(s->LastSeq(), 40u);
    s->Append(2, "forty-one");
    ASSERT_TRUE(s->Commit().ok());
  }
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->checkpoint, "ACTIVE");
  EXPECT_EQ(r->checkpoint_seq, 40u);
  ASSERT_EQ(r->records.size(), 1u);
  EXPECT_EQ(r->records[0].seq, 41u);
  // And a passive's journal is held to the same rules.
  s.reset();
  ASSERT_EQ(::unlink((dir_ + "/journal").c_str()), 0);
  EXPECT_NE(Refusal().find("up to record 40"), std::string::npos);
}

// A state directory written by the version before journal headers (data/README.md).
TEST_F(JournalTest, StateWrittenByFormat1Loads) {
  const std::string from = std::string(HERD_CTLD_TEST_DATA) + "/state-v1";
  ASSERT_TRUE(MakeDirs(dir_ + "/jobs", 0700).ok());
  for (const char* f : {"checkpoint", "journal", "jobs/seg-000001", "jobs/seg-000002"}) {
    auto b = ReadFile(from + "/" + f);
    ASSERT_TRUE(b.ok()) << f << ": " << b.error().message();
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + f, *b).ok());
  }
  ASSERT_NE(ReadFile(dir_ + "/journal")->substr(0, 8), "HERDJRNL");
  std::vector<JournalRecord> first;
  for (int pass = 0; pass < 2; ++pass) {  // as written, then as rewritten in format 2
    auto s = Open();
    auto r = s->Load();
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_FALSE(r->torn_tail);
    ASSERT_FALSE(r->checkpoint.empty());
    ASSERT_FALSE(r->records.empty());
    EXPECT_EQ(r->records.front().seq, r->checkpoint_seq + 1);
    EXPECT_EQ(s->LastSeq(), r->records.back().seq);
    if (pass == 0) first = r->records;
    ASSERT_EQ(r->records.size(), first.size());
    EXPECT_EQ(r->records.back().body, first.back().body);
    EXPECT_EQ(ReadFile(dir_ + "/journal")->substr(0, 8), "HERDJRNL");

    ClusterConfig cfg = testing::TestConfig(2, 2);
    ClusterState st(cfg);
    ASSERT_TRUE(st.Restore(r->checkpoint).ok());
    for (const auto& rec : r->records) {
      EXPECT_TRUE(st.ApplyRecord(rec.type, rec.body).ok()) << "record " << rec.seq;
    }
    for (uint64_t id : {1, 3, 5, 6}) {
      const Job* j = st.FindJob(id);
      ASSERT_NE(j, nullptr) << id;
      EXPECT_EQ(j->state, JobState::kPending) << id;
      EXPECT_EQ(j->hold, HoldKind::kUser) << id;
    }
    for (uint64_t id : {2, 4}) {
      ASSERT_NE(st.FindJob(id), nullptr) << id;
      EXPECT_EQ(st.FindJob(id)->state, JobState::kCompleted) << id;
    }
  }
  BlobStore blobs(dir_ + "/jobs");
  ASSERT_TRUE(blobs.Init().ok());
  auto b = blobs.Read(6);
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_NE(b->script.find("echo six"), std::string::npos);
  // And it goes on from there in format 2.
  auto s = Open();
  auto r = s->Load();
  ASSERT_TRUE(r.ok());
  s->Append(1, "next");
  ASSERT_TRUE(s->Commit().ok());
  ASSERT_TRUE(s->Checkpoint("STATE").ok());
  auto c = journal::DecodeCheckpoint(*ReadFile(dir_ + "/checkpoint"), "checkpoint");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->format, 2u);
  EXPECT_EQ(c->seq, first.back().seq + 1);
}

}  // namespace
}  // namespace herd::ctld
