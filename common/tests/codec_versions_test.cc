// herd — messages whose layout changed decode from the bytes of their earlier versions
// (NotActiveReply's reason, StepSpec's umask and CURVE key): golden bytes of each.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/proto/codec.h"
#include "common/proto/ha_messages.h"
#include "common/proto/messages.h"
#include "common/proto/step_messages.h"
#include "common/proto/types.h"

namespace herd::proto {
namespace {

// NotActiveReply version 1 added `reason`: the bytes of version 0 still decode (reason
// empty), and a version 1 reply carries it.
TEST(Codec, NotActiveReplyVersion0BytesDecode) {
  auto str = [](std::string& out, const std::string& v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v.size() >> (8 * i)) & 0xff));
    out += v;
  };
  std::string v0(1, '\0');                     // tracking byte
  v0 += std::string(4, '\0');                  // class version 0
  str(v0, "ctl2");                             // active_name
  str(v0, "tcp://h:1");                        // active_addr
  v0 += std::string("\x07\0\0\0\0\0\0\0", 8);  // epoch 7
  str(v0, "passive");                          // role
  auto old = DecodeBody<NotActiveReply>(v0);
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->active_name, "ctl2");
  EXPECT_EQ(old->active_addr, "tcp://h:1");
  EXPECT_EQ(old->epoch, 7u);
  EXPECT_EQ(old->role, "passive");
  EXPECT_EQ(old->reason, "");
  NotActiveReply now = *old;
  now.reason = "cannot save its vote: disk full";
  auto back = DecodeBody<NotActiveReply>(EncodeBody(now));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->reason, now.reason);
  EXPECT_EQ(EncodeBody(now).substr(1, 4), std::string("\x01\0\0\0", 4)) << "class version 1";
}

// Step messages as herd wrote them before StepSpec carried a umask and hrun's CURVE key
// (StepSpec class version 0): job 5, spec name "s", argv {"a"}, io_addr "tcp://h:1", token 7 / "t".
const unsigned char kStepCreateIoV0[] = {
    0,   1,   0,   0,   0,   5,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 1, 0,   0,
    0,   0,   0,   0,   0,   115, 0,   0,   0,   0,   0,   0,   0,   0,   1,   0, 0, 0, 0, 0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0, 5,   0,
    0,   0,   0,   0,   0,   0,   98,  108, 111, 99,  107, 5,   0,   0,   0,   0, 0, 0, 0, 99,  111,
    114, 101, 115, 4,   0,   0,   0,   0,   0,   0,   0,   110, 111, 110, 101, 0, 0, 0, 0, 0,   1,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   1,   0,   0,   0,   0, 0, 0, 0, 97,  0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0, 0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0, 0,   0,
    0,   0,   0,   255, 255, 255, 255, 255, 255, 255, 255, 9,   0,   0,   0,   0, 0, 0, 0, 116, 99,
    112, 58,  47,  47,  104, 58,  49,  7,   0,   0,   0,   0,   0,   0,   0,
};
const unsigned char kLaunchStepIoV0[] = {
    0,   0,   0,   0,   0,   5,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    1,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   5,   0,   0,   0,   0,   0, 0, 0, 98, 108, 111, 99, 107, 5,   0,   0,
    0,   0,   0,   0,   0,   99,  111, 114, 101, 115, 4, 0, 0, 0,  0,   0,   0,  0,   110, 111, 110,
    101, 0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   255, 255, 255, 255, 255, 255, 255, 255, 9,   0, 0, 0, 0,  0,   0,   0,  116, 99,  112, 58,
    47,  47,  104, 58,  49,  0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   0,
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0, 0, 0, 0,  0,   0,   0,  0,   0,   0,   1,
    0,   0,   0,   0,   0,   0,   0,   116, 0,   0,   0, 0, 0, 0,  0,   0,
};

std::string BytesOf(const unsigned char* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

TEST(Codec, StepMessagesFromBeforeTheIoKeyDecode) {
  auto create = DecodeBody<StepCreateRequest>(BytesOf(kStepCreateIoV0, sizeof kStepCreateIoV0));
  ASSERT_TRUE(create.ok()) << create.error().message();
  EXPECT_EQ(create->job_id, 5u);
  EXPECT_EQ(create->spec.name, "s");
  EXPECT_EQ(create->spec.argv, std::vector<std::string>{"a"});
  EXPECT_EQ(create->spec.io_addr, "tcp://h:1");
  EXPECT_EQ(create->spec.io_key, "");
  EXPECT_EQ(create->token, 7u);
  auto launch = DecodeBody<LaunchStepRequest>(BytesOf(kLaunchStepIoV0, sizeof kLaunchStepIoV0));
  ASSERT_TRUE(launch.ok()) << launch.error().message();
  EXPECT_EQ(launch->job_id, 5u);
  EXPECT_EQ(launch->spec.io_addr, "tcp://h:1");
  EXPECT_EQ(launch->spec.io_key, "");
  EXPECT_EQ(launch->token, "t");
}

TEST(Codec, StepSpecCarriesTheIoKey) {
  StepCreateRequest r;
  r.job_id = 5;
  r.spec.name = "s";
  r.spec.argv = {"a"};
  r.spec.io_addr = "tcp://h:1";
  r.spec.io_key = std::string(40, 'k');
  r.token = 7;
  const std::string bytes = EncodeBody(r);
  // Golden: the version 0 bytes but for StepSpec's class version (the u32 after its
  // tracking byte at 13, behind the request's class info and job id), then after io_addr,
  // before the token, the umask (i32, -1: unset; version 1) and the key (u64 length,
  // bytes; version 2).
  const std::string old = BytesOf(kStepCreateIoV0, sizeof kStepCreateIoV0);
  std::string want = old.substr(0, old.size() - 8);
  want[14] = 2;
  const std::string no_umask("\xff\xff\xff\xff", 4);
  const std::string key_length("\x28\0\0\0\0\0\0\0", 8);
  want += no_umask + key_length + r.spec.io_key + old.substr(old.size() - 8);
  EXPECT_EQ(bytes, want);
  auto back = DecodeBody<StepCreateRequest>(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->spec.io_key, r.spec.io_key);
  EXPECT_EQ(back->token, 7u);
  LaunchStepRequest l;
  l.spec = r.spec;
  auto lback = DecodeBody<LaunchStepRequest>(EncodeBody(l));
  ASSERT_TRUE(lback.ok()) << lback.error().message();
  EXPECT_EQ(lback->spec.io_key, r.spec.io_key);
}

// JobSpec version 1 (before -A, -q and the submit line were sent): name "j", script
// "#!/bin/sh\n", work dir "/w", umask 022. It decodes with none of them.
TEST(Codec, JobSpecVersion1BytesDecode) {
  std::string v1;
  const std::string hex =
      "000100000001000000000000006a00000000000000000000000000000000000000000100000000000000"
      "00000000000000000000000000000000feffffffffffffff02000000000000002f770000000000000000"
      "000000000000000000000000000000000a0000000000000023212f62696e2f73680a0000000000000000"
      "000000000000000000000000000000000000000000000001000000000000000000000000000000000000"
      "000000000000000000000000000000000000000000000012000000";
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    v1.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  auto old = DecodeBodyAs<JobSpec>(v1, "JobSpec");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->name, "j");
  EXPECT_EQ(old->script, "#!/bin/sh\n");
  EXPECT_EQ(old->work_dir, "/w");
  EXPECT_EQ(old->umask, 022);
  EXPECT_EQ(old->account, "");
  EXPECT_EQ(old->qos, "");
  EXPECT_EQ(old->submit_line, "");
  JobSpec now = *old;
  now.account = "a";
  now.qos = "q";
  now.submit_line = "hbatch -A a s.sh";
  auto back = DecodeBodyAs<JobSpec>(EncodeBody(now), "JobSpec");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->account, "a");
  EXPECT_EQ(back->qos, "q");
  EXPECT_EQ(back->submit_line, "hbatch -A a s.sh");
}

// JobInfo version 9 appended what the job asked for: nice 0, requeue 1, batch 1,
// exclusive 0, max_nodes 0, ntasks_per_node 0, mem_per_cpu_mb 0 and three empty strings
// (47 bytes); version 11 the reservation (empty: 8 bytes; no version 10 was written). The
// bytes of version 4 are the current ones without.
std::string JobInfoV4(const JobInfo& info) {
  std::string now = EncodeBody(info);
  EXPECT_EQ(now.substr(1, 4), std::string("\x0b\0\0\0", 4)) << "class version 11";
  EXPECT_EQ(now.substr(now.size() - 8), std::string(8, '\0')) << "no reservation";
  now.resize(now.size() - 8);
  EXPECT_EQ(now.substr(now.size() - 47), std::string(4, '\0') + "\x01\x01" + std::string(41, '\0'));
  std::string v4 = now.substr(0, now.size() - 47);
  v4[1] = '\x04';
  return v4;
}

TEST(Codec, JobInfoVersion4BytesDecode) {
  JobInfo info;
  info.job_id = 45;
  info.array_job_id = 40;
  auto old = DecodeBodyAs<JobInfo>(JobInfoV4(info), "JobInfo");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->array_job_id, 40u);
  EXPECT_EQ(old->nice, 0);
  EXPECT_TRUE(old->requeue);
  EXPECT_TRUE(old->batch);
  info.nice = -3;
  info.requeue = false;
  info.batch = false;
  info.exclusive = true;
  info.max_nodes = 4;
  info.ntasks_per_node = 2;
  info.mem_per_cpu_mb = 512;
  info.req_nodes = "n[1-2]";
  info.exc_nodes = "n3";
  info.features = "a&b";
  auto back = DecodeBodyAs<JobInfo>(EncodeBody(info), "JobInfo");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->nice, -3);
  EXPECT_FALSE(back->requeue);
  EXPECT_FALSE(back->batch);
  EXPECT_TRUE(back->exclusive);
  EXPECT_EQ(back->max_nodes, 4u);
  EXPECT_EQ(back->ntasks_per_node, 2u);
  EXPECT_EQ(back->mem_per_cpu_mb, 512u);
  EXPECT_EQ(back->req_nodes, "n[1-2]");
  EXPECT_EQ(back->exc_nodes, "n3");
  EXPECT_EQ(back->features, "a&b");
}

// JobInfo version 4 appended the array fields: array_job_id 0, array_task_id kNoArrayTask,
// throttle 0, pending "" (24 bytes). The bytes of version 3 are version 4's without.
std::string JobInfoV3(const JobInfo& info) {
  std::string now = JobInfoV4(info);
  EXPECT_EQ(now.substr(1, 4), std::string("\x04\0\0\0", 4)) << "class version 4";
  EXPECT_EQ(now.substr(now.size() - 24),
            std::string(8, '\0') + "\xfe\xff\xff\xff" + std::string(12, '\0'));
  std::string v3 = now.substr(0, now.size() - 24);
  v3[1] = '\x03';
  return v3;
}

TEST(Codec, JobInfoVersion3BytesDecode) {
  JobInfo info;
  info.job_id = 44;
  info.account = "chem";
  auto old = DecodeBodyAs<JobInfo>(JobInfoV3(info), "JobInfo");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->account, "chem");
  EXPECT_EQ(old->array_job_id, 0u);
  EXPECT_EQ(old->array_task_id, kNoArrayTask);
  info.array_job_id = 40;
  info.array_task_id = 4;
  info.array_throttle = 2;
  info.array_pending = "5-9";
  auto back = DecodeBodyAs<JobInfo>(EncodeBody(info), "JobInfo");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->array_job_id, 40u);
  EXPECT_EQ(back->array_task_id, 4u);
  EXPECT_EQ(back->array_throttle, 2u);
  EXPECT_EQ(back->array_pending, "5-9");
}

// JobInfo version 1 added dependency and eligible_time, version 2 sched_nodes, version 3
// account, qos and submit_line (last): the bytes of version 0 (the same without them) still
// decode, and the current version carries them.
TEST(Codec, JobInfoVersion0BytesDecode) {
  JobInfo info;
  info.job_id = 42;
  info.reason = "Resources";
  info.start_time = 1700000000;
  info.batch_host = "n1";
  std::string now = JobInfoV3(info);
  ASSERT_EQ(now.substr(now.size() - 48), std::string(48, '\0'))
      << "empty dependency, eligible time 0, empty sched_nodes, account, qos, submit line last";
  std::string v0 = now.substr(0, now.size() - 48);
  v0[1] = '\0';
  auto old = DecodeBodyAs<JobInfo>(v0, "JobInfo");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->job_id, 42u);
  EXPECT_EQ(old->start_time, 1700000000);
  EXPECT_EQ(old->batch_host, "n1");
  EXPECT_EQ(old->sched_nodes, "");
  info.sched_nodes = "n[1-2]";
  auto back = DecodeBodyAs<JobInfo>(EncodeBody(info), "JobInfo");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->sched_nodes, "n[1-2]");
}

// JobInfo version 3 added account, qos and submit_line (last): version 2's bytes decode
// with them empty, and version 3 carries them.
TEST(Codec, JobInfoVersion2BytesDecode) {
  JobInfo info;
  info.job_id = 43;
  info.sched_nodes = "n1";
  std::string v3 = JobInfoV3(info);
  ASSERT_EQ(v3.substr(v3.size() - 24), std::string(24, '\0')) << "three empty strings last";
  std::string v2 = v3.substr(0, v3.size() - 24);
  v2[1] = '\x02';
  auto old = DecodeBodyAs<JobInfo>(v2, "JobInfo");
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->sched_nodes, "n1");
  EXPECT_EQ(old->account, "");
  info.account = "chem";
  info.qos = "low";
  info.submit_line = "hbatch -A chem x.sh";
  auto back = DecodeBodyAs<JobInfo>(EncodeBody(info), "JobInfo");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->account, "chem");
  EXPECT_EQ(back->qos, "low");
  EXPECT_EQ(back->submit_line, "hbatch -A chem x.sh");
}

// Senders from before signal scopes: a CancelJobsRequest of class version 1 and a
// SignalJobRequest of version 0 (the same bytes without the scope, an enum written as
// 4 bytes) mean the whole job, which a signal reached then.
TEST(Codec, SignalScopeOfOlderSenders) {
  CancelJobsRequest cancel;
  cancel.filter.job_ids = {7};
  cancel.signal = 10;
  cancel.token = 99;
  cancel.scope = SignalScope::kBatchShell;
  const std::string v2 = EncodeBody(cancel);
  ASSERT_EQ(v2[1], 2) << "class version";
  std::string v1 = v2.substr(0, v2.size() - 4);
  v1[1] = 1;
  auto old = DecodeBody<CancelJobsRequest>(v1);
  ASSERT_TRUE(old.ok()) << old.error().message();
  EXPECT_EQ(old->filter.job_ids, (std::vector<uint64_t>{7}));
  EXPECT_EQ(old->signal, 10);
  EXPECT_EQ(old->token, 99u);
  EXPECT_EQ(old->scope, SignalScope::kWholeJob);
  EXPECT_EQ(DecodeBody<CancelJobsRequest>(v2)->scope, SignalScope::kBatchShell);

  SignalJobRequest sig;
  sig.job_id = 42;
  sig.run_seq = 1;
  sig.signal = 10;
  sig.scope = SignalScope::kSteps;
  const std::string s1 = EncodeBody(sig);
  ASSERT_EQ(s1[1], 1) << "class version";
  std::string s0 = s1.substr(0, s1.size() - 4);
  s0[1] = 0;
  auto old_sig = DecodeBody<SignalJobRequest>(s0);
  ASSERT_TRUE(old_sig.ok()) << old_sig.error().message();
  EXPECT_EQ(old_sig->job_id, 42u);
  EXPECT_EQ(old_sig->signal, 10);
  EXPECT_EQ(old_sig->scope, SignalScope::kWholeJob);
  EXPECT_EQ(DecodeBody<SignalJobRequest>(s1)->scope, SignalScope::kSteps);
}

// Senders from before task ids: a JobFilter of class version 0 (in a CancelJobsRequest of
// version 2) and a JobActionResult of version 0 still decode; the new fields travel.
struct FilterV0 {
  std::vector<uint64_t> job_ids;
  std::vector<std::string> users, partitions;
  std::vector<JobState> states;
  std::vector<std::string> names;
  bool include_finished = false;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_ids& users& partitions& states& names& include_finished;
  }
};
struct CancelV2 {
  FilterV0 filter;
  int32_t signal = 0;
  uint64_t token = 0;
  SignalScope scope = SignalScope::kWholeJob;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& filter& signal& token& scope;
  }
};
struct ResultV0 {
  uint64_t job_id = 0;
  int32_t code = 0;
  std::string message;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& job_id& code& message;
  }
};
struct ReplyV0 {
  std::vector<ResultV0> results;
  template <class A>
  void serialize(A& ar, unsigned) {
    ar& results;
  }
};

}  // namespace
}  // namespace herd::proto
BOOST_CLASS_VERSION(herd::proto::CancelV2, 2)
namespace herd::proto {
namespace {

TEST(Codec, TaskIdsOfOlderAndNewerSenders) {
  CancelV2 old;
  old.filter.job_ids = {7, 8};
  old.filter.users = {"ann"};
  old.token = 5;
  auto back = DecodeBody<CancelJobsRequest>(EncodeBody(old));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->filter.job_ids, (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(back->filter.users, (std::vector<std::string>{"ann"}));
  EXPECT_EQ(back->token, 5u);
  EXPECT_TRUE(back->filter.task_ids.empty());

  CancelJobsRequest now;
  now.filter.task_ids = {{12, {{1, 5, 1}, {7, 7, 1}}}};
  auto again = DecodeBody<CancelJobsRequest>(EncodeBody(now));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->filter.task_ids.size(), 1u);
  EXPECT_EQ(again->filter.task_ids[0].array_job_id, 12u);
  EXPECT_EQ(again->filter.task_ids[0].tasks, (std::vector<ArrayRange>{{1, 5, 1}, {7, 7, 1}}));

  ReplyV0 rep0;
  rep0.results = {{3, 5, "Invalid job id specified"}};
  auto rep = DecodeBody<CancelJobsReply>(EncodeBody(rep0));
  ASSERT_TRUE(rep.ok()) << rep.error().message();
  ASSERT_EQ(rep->results.size(), 1u);
  EXPECT_EQ(rep->results[0].job_id, 3u);
  EXPECT_EQ(rep->results[0].message, "Invalid job id specified");
  EXPECT_EQ(rep->results[0].array_job_id, 0u);
  EXPECT_EQ(rep->results[0].array_task_id, kNoArrayTask);
  CancelJobsReply rep1;
  rep1.results.resize(1);
  rep1.results[0].array_job_id = 12;
  rep1.results[0].array_task_id = 4;
  auto rep1_back = DecodeBody<CancelJobsReply>(EncodeBody(rep1));
  ASSERT_TRUE(rep1_back.ok());
  EXPECT_EQ(rep1_back->results[0].array_task_id, 4u);
}

// ---- messages from older senders: step completions, terminates, launches, queries ----

// A StepCompleteRequest from before class version 1 (no usage; version 2 adds the drain
// reason): node n1, the batch step
// of job 2 run 1, wait status 9, end time 10, message "m".
const unsigned char kStepCompleteV0[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6e, 0x31,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfb, 0xff,
    0xff, 0xff, 0x01, 0x00, 0x00, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6d,
};

TEST(Codec, StepCompleteFromBeforeUsageDecodes) {
  const std::string old(reinterpret_cast<const char*>(kStepCompleteV0), sizeof kStepCompleteV0);
  auto back = DecodeBody<StepCompleteRequest>(old);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->node, "n1");
  EXPECT_EQ(back->step.job_id, 2u);
  EXPECT_EQ(back->step.step_id, kBatchStep);
  EXPECT_EQ(back->step.wait_status, 9);
  EXPECT_EQ(back->end_time, 10);
  EXPECT_EQ(back->message, "m");
  EXPECT_FALSE(back->usage.measured);

  StepCompleteRequest r = *back;
  r.usage = StepUsage{true, 7, 8, 9, 2};
  const std::string bytes = EncodeBody(r);
  EXPECT_GT(bytes.size(), old.size());
  auto again = DecodeBody<StepCompleteRequest>(bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->message, "m");
  EXPECT_TRUE(again->usage.measured);
  EXPECT_EQ(again->usage.cpu_user_us, 7u);
  EXPECT_EQ(again->usage.cpu_system_us, 8u);
  EXPECT_EQ(again->usage.mem_peak_bytes, 9u);
  EXPECT_EQ(again->usage.oom_kills, 2u);
}

// A LaunchStepRequest from before StepSpec class version 1 (job 3, argv {"a"}, cwd "/").
const unsigned char kLaunchStepV0[] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x62, 0x6c, 0x6f, 0x63,
    0x6b, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x63, 0x6f, 0x72, 0x65, 0x73, 0x04, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6e, 0x6f, 0x6e, 0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00,
};

// A TerminateJobRequest of version 0, before it carried the job (job 41, run 2, KillWait 7).
const unsigned char kTerminateV0[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x29, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                      0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00};

TEST(Codec, TerminateFromBeforeTheJobDecodes) {
  const std::string old(reinterpret_cast<const char*>(kTerminateV0), sizeof kTerminateV0);
  auto back = DecodeBody<TerminateJobRequest>(old);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->job_id, 41u);
  EXPECT_EQ(back->run_seq, 2u);
  EXPECT_EQ(back->kill_wait_s, 7u);
  EXPECT_FALSE(back->ended);
  EXPECT_TRUE(back->user.empty());
  TerminateJobRequest r = *back;
  r.ended = true;
  r.user = "alice";
  r.uid = 1000;
  r.nodelist = "n[1-2]";
  r.account = "physics";
  r.wait_status = 3 << 8;
  auto again = DecodeBody<TerminateJobRequest>(EncodeBody(r));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->ended);
  EXPECT_EQ(again->user, "alice");
  EXPECT_EQ(again->nodelist, "n[1-2]");
  EXPECT_EQ(again->account, "physics");
  EXPECT_EQ(again->wait_status, 3 << 8);
}

TEST(Codec, LaunchStepFromBeforeUmaskDecodes) {
  const std::string old(reinterpret_cast<const char*>(kLaunchStepV0), sizeof kLaunchStepV0);
  auto back = DecodeBody<LaunchStepRequest>(old);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->job_id, 3u);
  EXPECT_EQ(back->spec.argv, std::vector<std::string>{"a"});
  EXPECT_EQ(back->spec.cwd, "/");
  EXPECT_EQ(back->spec.umask, -1);

  LaunchStepRequest l;
  l.job_id = 3;
  l.spec.argv = {"a"};
  l.spec.cwd = "/";
  l.spec.umask = 027;
  const std::string bytes = EncodeBody(l);
  auto again = DecodeBody<LaunchStepRequest>(bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->spec.umask, 027);
  // StepSpec's class version (offset 22) is 2 now; the umask is 4 more bytes, the (empty)
  // io_key 8 more.
  ASSERT_EQ(bytes.size(), old.size() + 4 + 8);
  EXPECT_EQ(bytes[22], 2);
}

// A QueryJobsRequest as clients before paged queries encoded it (class version 0: the
// filter alone; job_ids {7}, users {"bob"}, include_finished), bytes from that version.
TEST(Codec, QueryJobsRequestOfAnOlderClient) {
  const unsigned char v0[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,  0,   0,  0, 0, 0, 0, 7, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,  0,   0,  0, 0, 0, 0, 0, 0,
                              0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 98, 111, 98, 0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,   0,  0, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0,   0,  0, 1};
  auto back =
      DecodeBody<QueryJobsRequest>(std::string(reinterpret_cast<const char*>(v0), sizeof v0));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->filter.job_ids, (std::vector<uint64_t>{7}));
  EXPECT_EQ(back->filter.users, (std::vector<std::string>{"bob"}));
  EXPECT_TRUE(back->filter.include_finished);
  EXPECT_EQ(back->max_jobs, 0u) << "unpaged: answered with one QueryJobsReply";
  EXPECT_EQ(back->after_job_id, 0u);
  // This version writes class version 1 and the cursor after the filter, and the filter's
  // (empty) task ids (JobFilter class version 1: a count, and ArrayTaskIds' class header).
  QueryJobsRequest paged = *back;
  paged.after_job_id = 41;
  paged.max_jobs = 500;
  std::string bytes = EncodeBody(paged);
  ASSERT_EQ(bytes.size(), sizeof v0 + 12 + 17);
  EXPECT_EQ(bytes[1], 1) << "class version";
  auto again = DecodeBody<QueryJobsRequest>(bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->after_job_id, 41u);
  EXPECT_EQ(again->max_jobs, 500u);
}

}  // namespace
}  // namespace herd::proto
