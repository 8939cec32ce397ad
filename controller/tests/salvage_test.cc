// herd — `herdctld --salvage`: keeps every valid record, names the jobs it drops or that
// lose updates, keeps a copy of the damaged files, and leaves a state that loads.
#include "controller/salvage.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "common/base/fs.h"
#include "common/proto/codec.h"
#include "controller/state/cluster_state.h"
#include "controller/state/events.h"
#include "controller/store/blob_store.h"
#include "controller/store/file_state_store.h"
#include "controller/store/journal_format.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;
using testing::TestConfig;

class SalvageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-salvage-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)RemoveTree(dir_); }

  static JobSubmitted Submission(uint64_t id) {
    Job j;
    j.id = id;
    j.user = "root";
    j.partition = "debug";
    j.spec = SimpleSpec();
    return JobSubmitted{j, "#!/bin/sh\necho job " + std::to_string(id) + "\n", {}, {"K=V"}};
  }
  // Journals the given events (each committed), as the controller does; returns the
  // offset of each record.
  template <class... E>
  std::vector<size_t> Journal(const E&... events) {
    auto s = FileStateStore::Open(dir_);
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE((*s)->Load().ok());
    std::vector<size_t> offsets;
    size_t off = journal::kJournalHeader;
    auto one = [&](auto&& e) {
      std::string body = proto::EncodeBody(e);
      offsets.push_back(off);
      off += journal::kRecordHeader + body.size();
      (*s)->Append(static_cast<uint16_t>(std::decay_t<decltype(e)>::kType), std::move(body));
      EXPECT_TRUE((*s)->Commit().ok());
    };
    (one(events), ...);
    return offsets;
  }
  void Poke(size_t off, const std::string& bytes) {
    int fd = ::open((dir_ + "/journal").c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(off)),
              static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  std::string Salvage() {
    std::ostringstream out;
    Status s = SalvageStateDir(cfg_, dir_, out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out.str();
  }
  // The state a controller would now load (fails the test if it would refuse).
  std::unique_ptr<ClusterState> Loaded() {
    auto st = std::make_unique<ClusterState>(cfg_);
    auto s = FileStateStore::Open(dir_);
    EXPECT_TRUE(s.ok());
    auto r = (*s)->Load();
    EXPECT_TRUE(r.ok()) << r.error().message();
    if (!r.ok()) return st;
    if (!r->checkpoint.empty()) {
      EXPECT_TRUE(st->Restore(r->checkpoint).ok());
    }
    for (const auto& rec : r->records) EXPECT_TRUE(st->ApplyRecord(rec.type, rec.body).ok());
    return st;
  }
  std::string CopyDir() {
    DIR* d = ::opendir(dir_.c_str());
    std::string found;
    while (dirent* e = ::readdir(d)) {
      if (std::string(e->d_name).rfind("salvage-", 0) == 0) found = dir_ + "/" + e->d_name;
    }
    ::closedir(d);
    return found;
  }

  ClusterConfig cfg_ = TestConfig();
  std::string dir_;
};

TEST_F(SalvageTest, DamagedLengthDropsOneJobAndKeepsTheRest) {
  auto off = Journal(Submission(1), Submission(2), Submission(3), Submission(4), Submission(5));
  Poke(off[2], std::string("\xff\xff\xff\x00", 4));
  auto damaged = ReadFile(dir_ + "/journal");
  ASSERT_TRUE(damaged.ok());
  {
    auto s = FileStateStore::Open(dir_);
    ASSERT_FALSE((*s)->Load().ok());  // refused before the salvage
  }
  std::string report = Salvage();
  EXPECT_NE(report.find("dropped record 3 (JobSubmitted): job 3 is LOST"), std::string::npos)
      << report;
  EXPECT_NE(report.find("lost jobs: 1, jobs with lost updates: 0"), std::string::npos) << report;
  EXPECT_NE(report.find("herdctld can start"), std::string::npos) << report;
  // The damaged journal is kept as it was.
  std::string copy = CopyDir();
  ASSERT_FALSE(copy.empty());
  EXPECT_NE(report.find(copy), std::string::npos);
  auto kept = ReadFile(copy + "/journal");
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, *damaged);

  auto st = Loaded();
  for (uint64_t id : {1, 2, 4, 5}) EXPECT_NE(st->FindJob(id), nullptr) << id;
  EXPECT_EQ(st->FindJob(3), nullptr);
  // The kept jobs have their scripts (the journal copy of them is gone now).
  BlobStore blobs(dir_ + "/jobs");
  ASSERT_TRUE(blobs.Init().ok());
  auto b = blobs.Read(4);
  ASSERT_TRUE(b.ok()) << b.error().message();
  EXPECT_EQ(b->script, "#!/bin/sh\necho job 4\n");
  // And the next record continues after the highest one seen.
  auto s = FileStateStore::Open(dir_);
  ASSERT_TRUE((*s)->Load().ok());
  EXPECT_EQ((*s)->LastSeq(), 5u);
}

TEST_F(SalvageTest, DamagedUpdateNamesTheJobThatLosesIt) {
  auto off = Journal(Submission(1), Submission(2), JobHold{2, HoldKind::kUser, 0}, Submission(3));
  Poke(off[3] - 1, "\x7f");  // the last byte of the hold (its token): the checksum fails
  std::string report = Salvage();
  EXPECT_NE(report.find("dropped record 3 (JobHold): job 2 loses this update, now PENDING"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("lost jobs: 0, jobs with lost updates: 1"), std::string::npos) << report;
  auto st = Loaded();
  ASSERT_NE(st->FindJob(2), nullptr);
  EXPECT_EQ(st->FindJob(2)->hold, HoldKind::kNone);
  EXPECT_NE(st->FindJob(3), nullptr);
}

TEST_F(SalvageTest, MissingJournalKeepsTheCheckpoint) {
  Journal(Submission(1));
  {
    auto s = FileStateStore::Open(dir_);
    ASSERT_TRUE((*s)->Load().ok());
    ClusterState st(cfg_);
    ASSERT_TRUE(st.Apply(Submission(1)).ok());
    ASSERT_TRUE((*s)->Checkpoint(st.Snapshot()).ok());
  }
  Journal(Submission(2));
  ASSERT_EQ(::unlink((dir_ + "/journal").c_str()), 0);
  std::string report = Salvage();
  EXPECT_NE(report.find("journal is missing: every change after record 1 is lost"),
            std::string::npos)
      << report;
  auto st = Loaded();
  EXPECT_NE(st->FindJob(1), nullptr);
}

TEST_F(SalvageTest, IntactStateIsLeftAlone) {
  Journal(Submission(1));
  auto before = ReadFile(dir_ + "/journal");
  std::string report = Salvage();
  EXPECT_NE(report.find("nothing to salvage"), std::string::npos) << report;
  EXPECT_TRUE(CopyDir().empty());
  EXPECT_EQ(*ReadFile(dir_ + "/journal"), *before);
}

TEST_F(SalvageTest, RefusedWhileAControllerHoldsTheDirectory) {
  auto held = FileStateStore::Open(dir_);
  ASSERT_TRUE(held.ok());
  std::ostringstream out;
  Status s = SalvageStateDir(cfg_, dir_, out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("in use by another controller"), std::string::npos);
}

}  // namespace
}  // namespace herd::ctld
