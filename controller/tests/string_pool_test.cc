// herd — PooledString: sharing, lifetime of pool entries, std::string look-alike, and the
// size of a job record (the controller's memory per pending job is mostly this).
#include "controller/state/string_pool.h"

#include <sstream>

#include "common/proto/codec.h"
#include "controller/state/job.h"
#include "controller/tests/test_util.h"

namespace herd::ctld {
namespace {

TEST(PooledString, EqualTextsShareOneEntry) {
  const size_t before = PooledString::PoolSize();
  PooledString a(std::string("/home/alice/project-with-a-long-name"));
  PooledString b("/home/alice/project-with-a-long-name");
  EXPECT_EQ(PooledString::PoolSize(), before + 1);
  EXPECT_EQ(&a.str(), &b.str()) << "one copy of the text";
  EXPECT_TRUE(a == b);
  PooledString c("/home/bob");
  EXPECT_EQ(PooledString::PoolSize(), before + 2);
  EXPECT_TRUE(a != c);
}

TEST(PooledString, EntryLeavesWithItsLastHandle) {
  const size_t before = PooledString::PoolSize();
  {
    PooledString a("job-name-42");
    PooledString b = a;
    PooledString moved = std::move(b);
    EXPECT_EQ(PooledString::PoolSize(), before + 1);
    a = PooledString("other");
    EXPECT_EQ(PooledString::PoolSize(), before + 2);
    EXPECT_EQ(moved, std::string("job-name-42"));
    moved = a;  // the last handle of "job-name-42" goes
    EXPECT_EQ(PooledString::PoolSize(), before + 1);
  }
  EXPECT_EQ(PooledString::PoolSize(), before);
  PooledString again("job-name-42");  // can be pooled again
  EXPECT_EQ(again.str(), "job-name-42");
}

TEST(PooledString, EmptyIsNotPooled) {
  const size_t before = PooledString::PoolSize();
  PooledString e(std::string{});
  PooledString d;
  EXPECT_TRUE(e.empty());
  EXPECT_TRUE(e == d);
  EXPECT_EQ(e.str(), "");
  EXPECT_EQ(e.size(), 0u);
  EXPECT_EQ(PooledString::PoolSize(), before);
  PooledString x("x");
  x.clear();
  EXPECT_TRUE(x.empty());
  EXPECT_EQ(PooledString::PoolSize(), before);
}

TEST(PooledString, ReadsLikeAString) {
  PooledString p("debug");
  const std::string& ref = p;
  EXPECT_EQ(ref, "debug");
  std::string copy = p;
  EXPECT_EQ(copy, "debug");
  EXPECT_TRUE(p == "debug");
  EXPECT_TRUE(std::string("debug") == p);
  EXPECT_TRUE(p != "batch");
  EXPECT_STREQ(p.c_str(), "debug");
  std::ostringstream os;
  os << p;
  EXPECT_EQ(os.str(), "debug");
}

struct WithPooled {
  PooledString p;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& p;
  }
};
struct WithString {
  std::string s;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& s;
  }
};

// Serialized exactly as a std::string, so it reads back from one and into one.
TEST(PooledString, SerializesAsAString) {
  using S = WithPooled;
  using T = WithString;
  S in{PooledString("/scratch/run")};
  std::string bytes = proto::EncodeBody(in);
  EXPECT_EQ(bytes, proto::EncodeBody(T{"/scratch/run"}));
  auto out = proto::DecodeBodyAs<S>(bytes);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->p == in.p);
  auto empty = proto::DecodeBodyAs<S>(proto::EncodeBody(S{}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->p.empty());
}

TEST(SpecRecord, KeepsEverythingButScriptArgvEnv) {
  proto::JobSpec s = testing::SimpleSpec();
  s.name = "n";
  s.work_dir = "/w";
  s.stdout_pattern = "o-%j";
  s.nodelist = "n[1-2]";
  s.constraints = {"ib"};
  s.mem_per_cpu_mb = 7;
  s.time_limit_s = 60;
  s.nice = -3;
  s.exclusive = true;
  s.requeue = false;
  s.export_spec = "NONE";
  s.argv = {"a"};
  s.env = {"K=V"};
  proto::JobSpec back = SpecRecord(s).ToSpec();
  proto::JobSpec want = s;
  want.script.clear();
  want.argv.clear();
  want.env.clear();
  EXPECT_EQ(proto::EncodeBody(back), proto::EncodeBody(want));
}

// The controller's memory per pending job (testsuite/bench/bench_memory.sh) is mostly this
// record; it was 704 bytes (plus its strings' heap blocks) before strings were pooled and
// the script-less SpecRecord replaced the JobSpec. Grow it only on purpose (320 -> 328:
// the token of the last cancel/hold/release, for requests resent after a failover;
// 328 -> 376: for accounting, the job's account, QOS and submit line (3 pooled handles)
// and the batch script's measured usage, empty until it ends; 376 -> 400: --dependency (a
// pooled handle), --begin and the derived wait reason; -> 408: the expected start the
// backfill scheduler plans, kept on the job so that queries need no scan; 408 -> 456: a
// job array's ids, throttle and pending task ranges, and --array (a pooled handle) --
// worth moving behind one pointer, as few jobs are arrays; 456 -> 480: the nodes a
// COMPLETING job waits for, empty but for a finished job whose Epilogs run -- it could
// join the array's fields behind that pointer); 480 -> 488: --reservation (a pooled
// handle; few jobs name one, so it could join them too).
TEST(Job, RecordStaysSmall) {
  std::printf("sizeof(Job)=%zu sizeof(SpecRecord)=%zu\n", sizeof(Job), sizeof(SpecRecord));
  EXPECT_LE(sizeof(Job), 488u);
}

// A SpecRecord as a controller from before class version 1 wrote it into its checkpoint
// and journal (name "j", two nodes, nice 5): it still reads, with no umask (-1: the
// node's default 022).
const unsigned char kSpecRecordV0[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6a, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
};

TEST(SpecRecord, FromBeforeUmaskDecodes) {
  const std::string old(reinterpret_cast<const char*>(kSpecRecordV0), sizeof kSpecRecordV0);
  auto back = proto::DecodeBodyAs<SpecRecord>(old);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->name.str(), "j");
  EXPECT_EQ(back->min_nodes, 2u);
  EXPECT_EQ(back->nice, 5);
  EXPECT_EQ(back->umask, -1);
  EXPECT_EQ(back->ToSpec().umask, -1);
}

// Version 1: the class version (offset 1) is 1 and the umask (2 bytes) is appended.
// Version 2 appends account, QOS and submit line (three strings: empty, 8 length bytes);
// version 3 the dependency (a string), the begin time (8 bytes) and kill_on_invalid_dep.
TEST(SpecRecord, UmaskGoldenBytes) {
  proto::JobSpec s;
  s.name = "j";
  s.nice = 5;
  s.min_nodes = 2;
  s.umask = 077;
  std::string v1(reinterpret_cast<const char*>(kSpecRecordV0), sizeof kSpecRecordV0);
  v1[1] = 1;
  v1 += std::string("\x3f\0", 2);
  auto back = proto::DecodeBodyAs<SpecRecord>(v1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->ToSpec().umask, 077);
  EXPECT_TRUE(back->account.empty());
  std::string want = v1;
  want[1] = 3;
  want += std::string(24 + 8 + 8, '\0') + "\xff";
  auto v3 = proto::DecodeBodyAs<SpecRecord>(want);
  ASSERT_TRUE(v3.ok());
  EXPECT_TRUE(v3->array.empty()) << "version 3 has no --array";
  want[1] = 4;  // version 4 appends --array (empty)
  want += std::string(8, '\0');
  auto v4 = proto::DecodeBodyAs<SpecRecord>(want);
  ASSERT_TRUE(v4.ok());
  EXPECT_TRUE(v4->reservation.empty()) << "version 4 has no --reservation";
  want[1] = 6;  // version 6 appends --reservation (empty)
  want += std::string(8, '\0');
  EXPECT_EQ(proto::EncodeBody(SpecRecord(s)), want);
  s.umask = 01000;  // nonsense never reaches the record
  EXPECT_EQ(SpecRecord(s).umask, -1);
}

}  // namespace
}  // namespace herd::ctld
