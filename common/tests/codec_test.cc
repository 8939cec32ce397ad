// herd — envelope and message codec: round trips, golden bytes, hostile input.
#include <gtest/gtest.h>

#include <random>

#include "common/proto/codec.h"

namespace herd::proto {
namespace {

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
  const unsigned char want[] = {'H', 'E', 'R', 'D', 1, 0, 115, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
                                0,   0,   2,   0,   0, 0, 0,   0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
                                'A', 'B'};
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
  const unsigned char want[] = {2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 'n', 'o'};
  EXPECT_EQ(EncodeBody(r), std::string(reinterpret_cast<const char*>(want), sizeof want));
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
