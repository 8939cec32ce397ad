// herd — the node daemon's lease: expiry, and the last contact kept across restarts.
#include "nodedaemon/lease.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/base/fs.h"

namespace herd::noded {
namespace {

class LeaseTest : public ::testing::Test {
 protected:
  LeaseTest() {
    char tmpl[] = "/tmp/herd-lease-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/" + kLeaseFile;
  }
  ~LeaseTest() override { (void)RemoveTree(dir_); }
  std::string dir_, path_;
};

TEST_F(LeaseTest, ExpiresLeaseAfterTheLastContact) {
  NodeLease l(path_, 10000);
  l.Load(1000);  // no file: counts from now
  EXPECT_EQ(l.contact_ms(), 1000);
  EXPECT_FALSE(l.Expired(11000));
  EXPECT_TRUE(l.Expired(11001));
  l.Renew(11001);
  EXPECT_FALSE(l.Expired(21001));
  EXPECT_TRUE(l.Expired(21002));
}

// A restarted herdd counts from the last contact of the one before it, not from its start:
// otherwise a herdd restarted while cut off would keep jobs the controller has requeued.
TEST_F(LeaseTest, RestartedDaemonKeepsTheLastContact) {
  NodeLease before(path_, 10000);
  before.Load(NodeLease::NowMs());
  const int64_t contact = NodeLease::NowMs() - 8000;
  before.Renew(contact);
  NodeLease after(path_, 10000);
  after.Load(NodeLease::NowMs());
  EXPECT_EQ(after.contact_ms(), contact);
  EXPECT_TRUE(after.Expired(contact + 10001));
}

// A time from another boot (or the future) means the node rebooted: no step survived.
TEST_F(LeaseTest, OtherBootOrDamagedFileCountsFromNow) {
  ASSERT_TRUE(WriteFileAtomic(path_, "not-this-boot 5\n").ok());
  NodeLease l(path_, 10000);
  l.Load(700000);
  EXPECT_EQ(l.contact_ms(), 700000);
  ASSERT_TRUE(WriteFileAtomic(path_, NodeLease::BootId() + " 900000\n").ok());
  l.Load(700000);
  EXPECT_EQ(l.contact_ms(), 700000) << "a contact after now is not believed";
  ASSERT_TRUE(WriteFileAtomic(path_, "garbage").ok());
  l.Load(700000);
  EXPECT_EQ(l.contact_ms(), 700000);
  ASSERT_TRUE(WriteFileAtomic(path_, NodeLease::BootId() + " 600000\n").ok());
  l.Load(700000);
  EXPECT_EQ(l.contact_ms(), 600000);
}

}  // namespace
}  // namespace herd::noded
