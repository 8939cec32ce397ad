// herd — envelope and message codec: round trips, golden bytes, hostile input.
#include "common/proto/codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/serialization/map.hpp>
#include <cstdlib>
#include <functional>
#include <map>
#include <new>
#include <random>
#include <sstream>

#include "common/proto/ha_messages.h"
#include "common/proto/step_messages.h"

// The largest single allocation this test binary asked for since the last reset: shows that
// hostile lengths are refused before anything is allocated, not after an allocation failed.
namespace {
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

void* operator new(size_t size) {
  size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
  while (size > seen && !g_largest_allocation.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC pairs operator new with operator delete even when both are replaced like this.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace herd::proto {
namespace {

size_t LargestAllocationDuring(const std::function<void()>& fn) {
  g_largest_allocation = 0;
  fn();
  return g_largest_allocation.load();
}

// Overwrites the 8 little-endian bytes at `at` (a size_t length or collection count).
void PutU64(std::string* bytes, size_t at, uint64_t value) {
  ASSERT_LE(at + 8, bytes->size());
  for (int i = 0; i < 8; ++i) (*bytes)[at + i] = static_cast<char>(value >> (8 * i));
}

TEST(Envelope, RoundTrip) {
  Frame f;
  f.type = MsgType::kSubmitJobRequest;
  f.flags = 3;
  f.request_id = 0x0102030405060708ULL;
  f.epoch = 9;
  f.auth = "CRED";
  f.body = "BODY";
  std::string bytes = EncodeFrame(f);
  ASSERT_EQ(bytes.size(), kEnvelopeSize + 8);
  auto g = DecodeFrame(bytes.data(), bytes.size());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->type, f.type);
  EXPECT_EQ(g->flags, 3u);
  EXPECT_EQ(g->request_id, f.request_id);
  EXPECT_EQ(g->epoch, 9u);
  EXPECT_EQ(g->auth, "CRED");
  EXPECT_EQ(g->body, "BODY");
}

// The envelope layout is the protocol: these bytes must never change for version 1.
TEST(Envelope, GoldenBytes) {
  Frame f;
  f.type = MsgType::kPingRequest;
  f.request_id = 1;
  f.epoch = 2;
  f.auth = "A";
  f.body = "B";
  const unsigned char want[] = {'H', 'E', 'R', 'D', 1, 0, 115, 0, 0, 0, 0,   0,  1,
                                0,   0,   0,   0,   0, 0, 0,   2, 0, 0, 0,   0,  0,
                                0,   0,   1,   0,   0, 0, 1,   0, 0, 0, 'A', 'B'};
  EXPECT_EQ(EncodeFrame(f), std::string(reinterpret_cast<const char*>(want), sizeof want));
}

TEST(Envelope, RejectsGarbageAndTruncation) {
  EXPECT_FALSE(DecodeFrame("", 0).ok());
  EXPECT_FALSE(DecodeFrame("garbage garbage garbage garbage garbage", 39).ok());
  Frame f;
  f.type = MsgType::kPingRequest;
  f.body = "0123456789";
  std::string bytes = EncodeFrame(f);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(DecodeFrame(bytes.data(), cut).ok()) << "cut at " << cut;
  }
  std::string longer = bytes + "x";
  EXPECT_FALSE(DecodeFrame(longer.data(), longer.size()).ok());
  // Declared lengths beyond the limits.
  std::string huge = bytes;
  huge[32] = '\xff';
  huge[33] = '\xff';
  huge[34] = '\xff';
  huge[35] = '\x7f';
  EXPECT_FALSE(DecodeFrame(huge.data(), huge.size()).ok());
}

TEST(Envelope, NewerVersionDecodesButIsUnsupported) {
  Frame f;
  f.version = kProtocolVersion + 1;
  f.type = MsgType::kPingRequest;
  std::string bytes = EncodeFrame(f);
  auto g = DecodeFrame(bytes.data(), bytes.size());
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(SupportedVersion(*g));
}

TEST(Codec, SubmitRoundTrip) {
  SubmitJobRequest r;
  r.spec.name = "job";
  r.spec.min_nodes = 2;
  r.spec.num_tasks = 8;
  r.spec.time_limit_s = 3600;
  r.spec.script = "#!/bin/sh\necho hi\n";
  r.spec.env = {"A=1", "B=2"};
  r.spec.constraints = {"ib"};
  auto back = DecodeBody<SubmitJobRequest>(EncodeBody(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->spec.name, "job");
  EXPECT_EQ(back->spec.min_nodes, 2u);
  EXPECT_EQ(back->spec.num_tasks, 8u);
  EXPECT_EQ(back->spec.time_limit_s, 3600);
  EXPECT_EQ(back->spec.script, r.spec.script);
  EXPECT_EQ(back->spec.env, r.spec.env);
  EXPECT_EQ(back->spec.constraints, r.spec.constraints);
}

TEST(Codec, JobsReplyRoundTrip) {
  QueryJobsReply r;
  JobInfo j;
  j.job_id = 42;
  j.state = JobState::kTimeout;
  j.alloc.push_back(NodeAlloc{"n1", {0, 1}, 100, 2});
  r.jobs.push_back(j);
  r.now = 77;
  auto back = DecodeBody<QueryJobsReply>(EncodeBody(r));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->jobs.size(), 1u);
  EXPECT_EQ(back->jobs[0].job_id, 42u);
  EXPECT_EQ(back->jobs[0].state, JobState::kTimeout);
  EXPECT_EQ(back->jobs[0].alloc[0].cpus, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(back->now, 77);
}

// A body's encoding is part of the protocol too (fields are appended, never reordered).
TEST(Codec, StatusReplyGoldenBytes) {
  StatusReply r;
  r.code = 2;
  r.message = "no";
  // Class info of the first object (tracking byte, u32 class version), i32 code, u64
  // length, bytes.
  const unsigned char want[] = {0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 'n', 'o'};
  EXPECT_EQ(EncodeBody(r), std::string(reinterpret_cast<const char*>(want), sizeof want));
}

// A SubmitJobRequest as a command from before JobSpec class version 1 wrote it (name "j",
// script "#!/bin/sh\n", nice 5, token 9): it still decodes, with the umask unknown (-1,
// the node applies 022).
const unsigned char kSubmitV0[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x6a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfe,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x23,
    0x21, 0x2f, 0x62, 0x69, 0x6e, 0x2f, 0x73, 0x68, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

TEST(Codec, SubmitFromBeforeUmaskDecodes) {
  const std::string old(reinterpret_cast<const char*>(kSubmitV0), sizeof kSubmitV0);
  auto back = DecodeBody<SubmitJobRequest>(old);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->spec.name, "j");
  EXPECT_EQ(back->spec.script, "#!/bin/sh\n");
  EXPECT_EQ(back->spec.nice, 5);
  EXPECT_EQ(back->spec.umask, -1);
  EXPECT_EQ(back->token, 9u);
}

// Version 1: the same bytes but JobSpec's class version (offset 6) is 1 and the umask
// follows the last version 0 field, before the request's token.
TEST(Codec, SubmitUmaskGoldenBytes) {
  SubmitJobRequest r;
  r.spec.name = "j";
  r.spec.script = "#!/bin/sh\n";
  r.spec.nice = 5;
  r.spec.umask = 077;
  r.token = 9;
  std::string v1(reinterpret_cast<const char*>(kSubmitV0), sizeof kSubmitV0);
  v1[6] = 1;
  v1.insert(v1.size() - 8, std::string("\x3f\0\0\0", 4));
  auto back = DecodeBody<SubmitJobRequest>(v1);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->spec.umask, 077);
  EXPECT_EQ(back->spec.account, "");
  // JobSpec version 2 appends account, QOS and submit line (empty: 8 length bytes each).
  std::string want = v1;
  want[6] = 2;
  want.insert(want.size() - 8, std::string(24, '\0'));
  // Version 3 appends the dependency (empty), the begin time (0) and kill-on-invalid-dep
  // (-1: not given).
  want[6] = 3;
  want.insert(want.size() - 8, std::string(16, '\0') + std::string(4, '\xff'));
  auto v3 = DecodeBody<SubmitJobRequest>(want);
  ASSERT_TRUE(v3.ok());
  EXPECT_EQ(v3->spec.array, "") << "version 3 has no --array";
  // Version 4 appends --array (empty).
  want[6] = 4;
  want.insert(want.size() - 8, std::string(8, '\0'));
  auto v4 = DecodeBody<SubmitJobRequest>(want);
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->spec.reservation, "") << "version 4 has no --reservation";
  // Version 6 appends --reservation (empty); no version 5 was ever written.
  want[6] = 6;
  want.insert(want.size() - 8, std::string(8, '\0'));
  EXPECT_EQ(EncodeBody(r), want);
}

TEST(Codec, GarbageBodiesNeverCrash) {
  std::mt19937 rng(7);
  SubmitJobRequest r;
  r.spec.script = "#!/bin/sh\n";
  r.spec.env = {"X=1"};
  std::string good = EncodeBody(r);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) bad.resize(rng() % bad.size());
    (void)DecodeBody<SubmitJobRequest>(bad);  // must return, ok or not
  }
  EXPECT_FALSE(DecodeBody<SubmitJobRequest>("").ok());
  EXPECT_FALSE(DecodeBody<SubmitJobRequest>(good + "extra").ok());
}

// A body declaring a 1 TiB string is refused from the length alone.
TEST(Codec, RefusesHugeStringLength) {
  StatusReply r;
  r.code = 2;
  r.message = "no";
  std::string bytes = EncodeBody(r);
  PutU64(&bytes, 9, uint64_t{1} << 40);  // after class info (5) and code (4)
  Result<StatusReply> back = StatusReply{};
  size_t largest = LargestAllocationDuring([&] { back = DecodeBody<StatusReply>(bytes); });
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code(), Code::kInvalidArgument);
  EXPECT_NE(back.error().message().find("string length"), std::string::npos)
      << back.error().message();
  EXPECT_LT(largest, 4096u);
}

TEST(Codec, RefusesHugeCollectionCount) {
  const uint64_t kCount = uint64_t{1} << 31;
  {
    QueryNodesRequest q;
    q.names = {"a"};
    std::string bytes = EncodeBody(q);
    PutU64(&bytes, 10, kCount);  // class info of the message (5) and of the vector (5)
    Result<QueryNodesRequest> back = QueryNodesRequest{};
    size_t largest = LargestAllocationDuring([&] { back = DecodeBody<QueryNodesRequest>(bytes); });
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code(), Code::kInvalidArgument);
    EXPECT_NE(back.error().message().find("collection size"), std::string::npos)
        << back.error().message();
    EXPECT_LT(largest, 4096u);
  }
  {
    // A vector of integers is read as one array (no class info in front of it).
    NodeAlloc a;
    a.node = "n";
    a.cpus = {7, 8};
    std::string bytes = EncodeBody(a);
    PutU64(&bytes, 14, kCount);  // class info (5), node (8 + 1)
    Result<NodeAlloc> back = NodeAlloc{};
    size_t largest = LargestAllocationDuring([&] { back = DecodeBodyAs<NodeAlloc>(bytes); });
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(back.error().code(), Code::kInvalidArgument);
    EXPECT_LT(largest, 4096u);
    // Fewer elements than bytes left, but not 4 bytes each: refused too.
    PutU64(&bytes, 14, bytes.size() - 22);
    back = DecodeBodyAs<NodeAlloc>(bytes);
    ASSERT_FALSE(back.ok());
    EXPECT_NE(back.error().message().find("vector size"), std::string::npos)
        << back.error().message();
  }
}

struct MapHolder {
  std::map<uint64_t, std::string> entries;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& entries;
  }
};

TEST(Codec, MapRoundTripsAndRefusesHugeCount) {
  MapHolder m;
  m.entries[5] = "x";
  m.entries[9] = "yz";
  std::string bytes = EncodeBody(m);
  auto back = DecodeBodyAs<MapHolder>(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->entries, m.entries);
  PutU64(&bytes, 10, uint64_t{1} << 31);  // class info of the holder and of the map
  back = DecodeBodyAs<MapHolder>(bytes);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code(), Code::kInvalidArgument);
  EXPECT_NE(back.error().message().find("collection size"), std::string::npos)
      << back.error().message();
}

// A count the body could hold, with the elements missing: fails without growing much.
TEST(Codec, TruncatedElementsFailCheaply) {
  QueryConfigReply r;
  r.lines.assign(4, std::string(100, 'k'));
  std::string bytes = EncodeBody(r);
  PutU64(&bytes, 10, bytes.size() - 18);
  Result<QueryConfigReply> back = QueryConfigReply{};
  size_t largest = LargestAllocationDuring([&] { back = DecodeBody<QueryConfigReply>(bytes); });
  EXPECT_FALSE(back.ok());
  EXPECT_LT(largest, 4096u);
}

TEST(Codec, RefusesBoolOtherThanZeroOrOne) {
  HoldJobsRequest r;
  r.hold = true;
  std::string bytes = EncodeBody(r);
  // `hold`, then the token and `user_hold`
  const size_t at = bytes.size() - 1 - sizeof(r.token) - sizeof(r.user_hold);
  ASSERT_EQ(bytes[at], '\1');
  bytes[at] = '\2';
  auto back = DecodeBody<HoldJobsRequest>(bytes);
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code(), Code::kInvalidArgument);
}

// Mutations of a large message: nothing allocated is much bigger than the body itself.
TEST(Codec, GarbageBodiesAllocateLittle) {
  LaunchBatchRequest r;
  r.spec.script = std::string(200, 's');
  r.spec.env = {"A=1", "B=2", "C=3"};
  r.alloc = {NodeAlloc{"n1", {0, 1, 2, 3}, 100, 4}, NodeAlloc{"n2", {0, 1}, 50, 2}};
  const std::string good = EncodeBody(r);
  std::mt19937 rng(11);
  size_t largest = LargestAllocationDuring([&] {
    for (int i = 0; i < 2000; ++i) {
      std::string bad = good;
      for (int k = 0; k < 3; ++k) {
        size_t at = rng() % (bad.size() - 8);
        if (rng() % 2 == 0) {
          bad[at] = static_cast<char>(rng());
        } else {
          PutU64(&bad, at, (uint64_t{rng()} << 32) | rng());
        }
      }
      (void)DecodeBody<LaunchBatchRequest>(bad);
    }
  });
  EXPECT_LT(largest, 16 * good.size()) << "body of " << good.size() << " bytes";
}

// Decodes with BoundedIArchive and with Boost's own binary_iarchive: both must give back an
// object that encodes to the very same bytes (so every serialized field made it through).
template <class T>
void ExpectRoundTrip(const T& msg) {
  SCOPED_TRACE(MsgTypeName(T::kType));
  const std::string bytes = EncodeBody(msg);
  auto back = DecodeBody<T>(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(EncodeBody(*back), bytes);
  T boost_back;
  std::istringstream is(bytes, std::ios::binary);
  boost::archive::binary_iarchive ar(is, kArchiveFlags);
  ar >> boost_back;
  EXPECT_EQ(EncodeBody(boost_back), bytes);
}

JobSpec SampleSpec() {
  JobSpec s;
  s.name = "job";
  s.partition = "debug";
  s.min_nodes = 2;
  s.max_nodes = 3;
  s.num_tasks = 8;
  s.cpus_per_task = 2;
  s.ntasks_per_node = 4;
  s.mem_per_node_mb = 1024;
  s.mem_per_cpu_mb = 256;
  s.time_limit_s = 3600;
  s.work_dir = "/w";
  s.submit_dir = "/s";
  s.stdout_pattern = "o-%j";
  s.stderr_pattern = "e-%j";
  s.script = "#!/bin/sh\necho hi\n";
  s.argv = {"x", ""};
  s.env = {"A=1", "B=2"};
  s.hold = true;
  s.exclusive = true;
  s.requeue = false;
  s.nodelist = "n[1-2]";
  s.exclude = "n3";
  s.constraints = {"ib", "gpu"};
  s.nice = -5;
  s.export_spec = "ALL";
  return s;
}

JobFilter SampleFilter() {
  JobFilter f;
  f.job_ids = {1, 2, uint64_t{1} << 40};
  f.users = {"alice"};
  f.partitions = {"debug", "batch"};
  f.states = {JobState::kPending, JobState::kOutOfMemory};
  f.names = {"n"};
  f.include_finished = true;
  return f;
}

HwInventory SampleHw() {
  HwInventory h;
  h.sockets = 2;
  h.cores_per_socket = 8;
  h.threads_per_core = 2;
  h.cpus = 32;
  h.memory_mb = 65536;
  h.numa_nodes = 2;
  h.gpus = 1;
  h.nics = {"ib0:ib", "eth0:eth"};
  h.topology = "package:2 core:16 pu:32";
  return h;
}

TEST(Codec, EveryMessageRoundTrips) {
  StatusReply status;
  status.code = 3;
  status.message = "why";
  ExpectRoundTrip(status);

  SubmitJobRequest submit;
  submit.spec = SampleSpec();
  ExpectRoundTrip(submit);
  SubmitJobReply submitted;
  submitted.job_id = 77;
  ExpectRoundTrip(submitted);

  CancelJobsRequest cancel;
  cancel.filter = SampleFilter();
  cancel.signal = 15;
  ExpectRoundTrip(cancel);
  CancelJobsReply cancelled;
  cancelled.results = {JobActionResult{1, 0, ""}, JobActionResult{2, 5, "not yours"}};
  ExpectRoundTrip(cancelled);
  HoldJobsRequest hold;
  hold.filter = SampleFilter();
  hold.hold = false;
  ExpectRoundTrip(hold);

  QueryJobsRequest query_jobs;
  query_jobs.filter = SampleFilter();
  query_jobs.after_job_id = 1234;
  query_jobs.max_jobs = 77;
  ExpectRoundTrip(query_jobs);
  QueryJobsPage page;
  page.jobs = {JobInfo{}};
  page.jobs[0].job_id = 5;
  page.now = 3;
  page.more = true;
  page.next_after = 9;
  page.state_seq = 11;
  ExpectRoundTrip(page);
  QueryJobsReply jobs;
  JobInfo j;
  j.job_id = 42;
  j.name = "j";
  j.uid = 1000;
  j.gid = 100;
  j.user = "alice";
  j.partition = "debug";
  j.state = JobState::kTimeout;
  j.reason = "TimeLimit";
  j.priority = 9;
  j.submit_time = 1;
  j.start_time = 2;
  j.end_time = 3;
  j.time_limit_s = 60;
  j.num_nodes = 2;
  j.num_tasks = 4;
  j.num_cpus = 8;
  j.cpus_per_task = 2;
  j.mem_mb = 512;
  j.nodelist = "n[1-2]";
  j.alloc = {NodeAlloc{"n1", {0, 1}, 100, 2}, NodeAlloc{"n2", {}, 0, 0}};
  j.exit_code = 1;
  j.exit_signal = 9;
  j.held = true;
  j.restarts = 2;
  j.work_dir = "/w";
  j.stdout_path = "/w/o";
  j.stderr_path = "/w/e";
  j.command = "run.sh";
  j.batch_host = "n1";
  jobs.jobs = {j, JobInfo{}};
  jobs.now = 99;
  ExpectRoundTrip(jobs);

  QueryNodesRequest query_nodes;
  query_nodes.names = {"n1", "n2"};
  ExpectRoundTrip(query_nodes);
  QueryNodesReply nodes;
  NodeInfo n;
  n.name = "n1";
  n.state = NodeState::kMixed;
  n.drain = true;
  n.responding = true;
  n.reason = "maint";
  n.reason_time = 5;
  n.addr = "10.0.0.1";
  n.port = 6818;
  n.cpus = 32;
  n.alloc_cpus = 4;
  n.memory_mb = 65536;
  n.alloc_mem_mb = 1024;
  n.sockets = 2;
  n.cores_per_socket = 8;
  n.threads_per_core = 2;
  n.features = {"ib"};
  n.partitions = {"debug"};
  n.hw = SampleHw();
  n.last_heartbeat = 6;
  n.boot_time = 7;
  n.version = "0.1.0";
  nodes.nodes = {n, NodeInfo{}};
  ExpectRoundTrip(nodes);

  QueryPartitionsRequest query_parts;
  query_parts.names = {"debug"};
  ExpectRoundTrip(query_parts);
  QueryPartitionsReply parts;
  PartitionInfo debug;
  debug.name = "debug";
  debug.is_default = true;
  debug.state = "UP";
  debug.max_time_s = 3600;
  debug.default_time_s = 60;
  debug.nodes = {"n1", "n2"};
  debug.total_cpus = 64;
  debug.max_nodes = 2;
  debug.min_nodes = 1;
  debug.priority_tier = 3;
  debug.runtime = true;
  debug.conf_line = "PartitionName=debug Nodes=n[1-2]";
  parts.partitions = {debug};
  ExpectRoundTrip(parts);

  ExpectRoundTrip(QueryConfigRequest{});
  QueryConfigReply config;
  config.lines = {"A = 1", "B = 2"};
  ExpectRoundTrip(config);
  ExpectRoundTrip(PingRequest{});

  UpdateNodeRequest update_node;
  update_node.names = {"n1"};
  update_node.state = "DRAIN";
  update_node.reason = "r";
  ExpectRoundTrip(update_node);
  UpdatePartitionRequest update_part;
  update_part.name = "debug";
  update_part.state = "DOWN";
  ExpectRoundTrip(update_part);

  RegisterNodeRequest reg;
  reg.name = "n1";
  reg.hw = SampleHw();
  reg.steps = {StepRef{1, kBatchStep, 0, false, 0}, StepRef{2, 0, 1, true, 256}};
  reg.boot_time = 8;
  reg.version = "0.1.0";
  ExpectRoundTrip(reg);
  RegisterNodeReply reg_reply;
  reg_reply.kill = {StepRef{1, kBatchStep, 0, false, 0}};
  reg_reply.acked = {StepRef{2, 0, 1, true, 256}};
  ExpectRoundTrip(reg_reply);
  HeartbeatRequest heartbeat;
  heartbeat.name = "n1";
  heartbeat.seq = 3;
  heartbeat.boot_time = 8;
  ExpectRoundTrip(heartbeat);
  StepCompleteRequest step_done;
  step_done.node = "n1";
  step_done.step = StepRef{2, kBatchStep, 1, true, 9};
  step_done.end_time = 10;
  step_done.message = "cannot open output file";
  ExpectRoundTrip(step_done);
  step_done.usage = StepUsage{true, 1500000, 20000, 64u << 20, 1};
  ExpectRoundTrip(step_done);
  step_done.drain_reason = "Epilog error: exited 1";
  ExpectRoundTrip(step_done);
  EpilogCompleteRequest epilog_done;
  epilog_done.node = "n2";
  epilog_done.job_id = 42;
  epilog_done.run_seq = 1;
  ExpectRoundTrip(epilog_done);

  LaunchBatchRequest launch;
  launch.job_id = 42;
  launch.run_seq = 1;
  launch.spec = SampleSpec();
  launch.uid = 1000;
  launch.gid = 100;
  launch.user = "alice";
  launch.partition = "debug";
  launch.alloc = {NodeAlloc{"n1", {0, 1, 2}, 100, 3}};
  launch.nodelist = "n1";
  launch.time_limit_s = 60;
  launch.controller_addr = "tcp://ctl:6817";
  ExpectRoundTrip(launch);
  SignalJobRequest signal;
  signal.job_id = 42;
  signal.run_seq = 1;
  signal.signal = 10;
  ExpectRoundTrip(signal);
  TerminateJobRequest terminate;
  terminate.job_id = 42;
  terminate.run_seq = 1;
  terminate.kill_wait_s = 5;
  ExpectRoundTrip(terminate);
  terminate.ended = true;
  terminate.user = "alice";
  terminate.nodelist = "n[1-2]";
  terminate.wait_status = 256;
  ExpectRoundTrip(terminate);
}

struct BoolsHolder {
  std::vector<bool> bits;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& bits;
  }
};

TEST(Codec, VectorOfBoolRoundTrips) {
  BoolsHolder h;
  h.bits = {true, false, true, true};
  auto back = DecodeBodyAs<BoolsHolder>(EncodeBody(h));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->bits, h.bits);
}

// Like Boost's own loader, a vector is resized to the count read, loading over elements it
// already had.
TEST(Codec, VectorLoadsOverExistingElements) {
  QueryConfigReply two;
  two.lines = {"a", "b"};
  const std::string bytes = EncodeBody(two);
  for (int before : {0, 1, 2, 5}) {
    QueryConfigReply r;
    r.lines.assign(static_cast<size_t>(before), "old");
    BoundedIArchive ar(bytes, kArchiveFlags);
    ar >> r;
    EXPECT_EQ(r.lines, two.lines) << before;
    EXPECT_EQ(ar.remaining(), 0u);
  }
}

TEST(Codec, StateNames) {
  JobState s;
  ASSERT_TRUE(ParseJobState("pd", &s));
  EXPECT_EQ(s, JobState::kPending);
  ASSERT_TRUE(ParseJobState("TIMEOUT", &s));
  EXPECT_STREQ(JobStateShort(s), "TO");
  EXPECT_FALSE(ParseJobState("bogus", &s));
}

}  // namespace
}  // namespace herd::proto
