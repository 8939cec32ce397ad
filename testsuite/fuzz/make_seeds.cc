// herd fuzz — writes the binary seeds of the fuzz targets, encoded by herd's own code: frames
// and bodies of every message type, a journal and a checkpoint written by FileStateStore,
// and a job blob segment written by BlobStore. The text seeds (config, hostlists, command
// lines, SWF) are plain files in corpus/.
//   herd_fuzz_seeds testsuite/fuzz/corpus
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/base/fs.h"
#include "common/proto/codec.h"
#include "common/proto/envelope.h"
#include "controller/state/cluster_state.h"
#include "controller/store/blob_store.h"
#include "controller/store/file_state_store.h"
#include "testsuite/fuzz/fuzz_util.h"
#include "testsuite/fuzz/message_bodies.h"
#include "testsuite/fuzz/state_config.h"

namespace herd::fuzz {
namespace {

std::string out_dir;

void Die(const std::string& what) {
  std::fprintf(stderr, "herd_fuzz_seeds: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.message());
}

void Seed(const std::string& target, const std::string& name, const std::string& bytes) {
  const std::string dir = out_dir + "/" + target;
  Check(MakeDirs(dir, 0755), dir);
  Check(WriteFileAtomic(dir + "/" + name, bytes, false), dir + "/" + name);
}

std::string Le16(uint16_t v) {
  return std::string{static_cast<char>(v & 0xff), static_cast<char>(v >> 8)};
}

proto::JobSpec Spec() {
  proto::JobSpec s;
  s.name = "sim";
  s.partition = "debug";
  s.min_nodes = 2;
  s.num_tasks = 4;
  s.cpus_per_task = 2;
  s.mem_per_node_mb = 512;
  s.time_limit_s = 600;
  s.work_dir = "/home/u/work";
  s.submit_dir = "/home/u/work";
  s.stdout_pattern = "sim-%j.out";
  s.script = "#!/bin/sh\n#HERD -N 2\nhrun hostname\n";
  s.argv = {"a1"};
  s.env = {"PATH=/bin", "HOME=/home/u"};
  s.nodelist = "n[1-2]";
  s.constraints = {"ib"};
  return s;
}

proto::JobInfo Info() {
  proto::JobInfo j;
  j.job_id = 13;
  j.name = "sim";
  j.user = "alice";
  j.partition = "debug";
  j.state = proto::JobState::kRunning;
  j.reason = "None";
  j.num_nodes = 2;
  j.nodelist = "n[1-2]";
  j.alloc = {{"n1", {0, 1}, 256, 2}, {"n2", {0, 1}, 256, 2}};
  j.held = true;
  return j;
}

// A message as the fuzz_messages input (type, then body) and as a whole frame.
template <class T>
void Message(const std::string& name, const T& msg, const std::string& auth = "") {
  const std::string body = proto::EncodeBody(msg);
  Seed("messages", name, Le16(static_cast<uint16_t>(T::kType)) + body);
  proto::Frame f = proto::MakeFrame(msg, 7, 3);
  f.auth = auth;
  Seed("envelope", name, proto::EncodeFrame(f));
}

void Messages() {
  // Every type, with default fields.
#define HERD_FUZZ_SEED(name) Message("default_" #name, proto::name{});
  HERD_FUZZ_MESSAGE_TYPES(HERD_FUZZ_SEED)
#undef HERD_FUZZ_SEED
  // And the ones that carry the most, filled in.
  proto::SubmitJobRequest submit;
  submit.spec = Spec();
  submit.token = 99;
  Message("submit", submit, "MUNGE:AwQDAAD...credential...:");
  proto::QueryJobsReply jobs;
  jobs.jobs = {Info(), Info()};
  Message("query_jobs_reply", jobs);
  proto::StatusReply status;
  status.code = static_cast<int32_t>(Code::kNotFound);
  status.message = "no such job";
  Message("status_error", status);
  proto::AppendRequest append;
  append.epoch = 4;
  append.leader = "ctl1";
  append.records = {{5, 1, "body"}, {6, 2, ""}};
  Message("append", append);
  proto::LaunchBatchRequest launch;
  launch.spec = Spec();
  Message("launch_batch", launch);
  proto::TaskOutput out;
  out.data = "hello\n";
  Message("task_output", out);
}

ctld::Job MakeJob(uint64_t id) {
  ctld::Job j;
  j.id = id;
  j.user = "alice";
  j.partition = "debug";
  j.spec = Spec();
  return j;
}

// A short history: submissions, a start, an end, a hold, a node drained.
std::vector<std::pair<ctld::EventType, std::string>> Events() {
  using namespace ctld;
  std::vector<std::pair<EventType, std::string>> ev;
  auto add = [&](const auto& e) { ev.emplace_back(e.kType, proto::EncodeBody(e)); };
  add(JobSubmitted{MakeJob(1), "#!/bin/sh\ntrue\n", {"a"}, {"K=V"}});
  add(JobSubmitted{MakeJob(2), "#!/bin/sh\nsleep 9\n", {}, {}});
  add(JobStarted{1, 1, 100, {NodeAlloc{"n1", {0, 1}, 100, 2}, NodeAlloc{"n2", {0, 1}, 100, 2}}});
  JobEnded end;
  end.job_id = 1;
  end.state = JobState::kFailed;
  end.wait_status = 256;
  end.end_time = 160;
  add(end);
  add(JobHold{2, HoldKind::kUser, 0});
  add(NodeUpdated{"n4", false, false, true, "maint", 7, 0});
  return ev;
}

void Journal() {
  ScratchDir dir;
  std::string records = "\x01";
  {
    auto store = ctld::FileStateStore::Open(dir.path());
    Check(store.ok() ? Status::Ok() : store.error(), "open state dir");
    Check((*store)->Load().ok() ? Status::Ok() : Internal("load"), "load");
    for (const auto& [type, body] : Events()) {
      (*store)->Append(static_cast<uint16_t>(type), body);
      records +=
          Le16(static_cast<uint16_t>(type)) + Le16(static_cast<uint16_t>(body.size())) + body;
    }
    Check((*store)->Commit(), "commit");
  }
  auto file = ReadFile(dir.path() + "/journal");
  Check(file.ok() ? Status::Ok() : file.error(), "read journal");
  Seed("journal", "file", "\x00" + *file);
  Seed("journal", "records", records);
}

void Checkpoint() {
  const ClusterConfig& config = StateConfig();
  ctld::ClusterState state(config);
  for (const auto& [type, body] : Events()) {
    Check(state.ApplyRecord(static_cast<uint16_t>(type), body), "apply");
  }
  const std::string snapshot = state.Snapshot();
  ScratchDir dir;
  {
    auto store = ctld::FileStateStore::Open(dir.path());
    Check(store.ok() ? Status::Ok() : store.error(), "open state dir");
    Check((*store)->Load().ok() ? Status::Ok() : Internal("load"), "load");
    Check((*store)->Install(snapshot, 6), "install");
  }
  auto file = ReadFile(dir.path() + "/checkpoint");
  Check(file.ok() ? Status::Ok() : file.error(), "read checkpoint");
  Seed("checkpoint", "file", "\x00" + *file);
  Seed("checkpoint", "state", "\x01" + snapshot);
}

void Blobs() {
  ScratchDir dir;
  const std::string jobs = dir.path() + "/jobs";
  {
    ctld::BlobStore store(jobs);
    Check(store.Init(), "blob init");
    Check(store.Write(1, {"#!/bin/sh\ntrue\n", {"a"}, {"K=V"}}), "blob write");
    Check(store.Write(2, {"#!/bin/sh\nsleep 9\n", {}, {"A=1", "B=2"}}), "blob write");
    Check(store.Write(1, {"#!/bin/sh\nfalse\n", {}, {}}), "blob write");
  }
  auto file = ReadFile(jobs + "/seg-000001");
  Check(file.ok() ? Status::Ok() : file.error(), "read segment");
  Seed("blob", "segment", "\x00" + *file);
  Seed("blob", "segment_fixed", "\x01" + *file);
}

}  // namespace
}  // namespace herd::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: herd_fuzz_seeds CORPUS_DIR\n");
    return 2;
  }
  herd::fuzz::QuietLog();
  herd::fuzz::out_dir = argv[1];
  herd::fuzz::Messages();
  herd::fuzz::Journal();
  herd::fuzz::Checkpoint();
  herd::fuzz::Blobs();
  return 0;
}
