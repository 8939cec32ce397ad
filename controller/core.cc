// herd — controller core: recovery, dispatch, the durable flush, node messages.
#include "controller/core.h"

#include <pwd.h>

#include <cstdlib>

#include "common/base/log.h"
#include "common/base/strings.h"

namespace herd::ctld {

using proto::Frame;
using proto::MsgType;

ControllerCore::ControllerCore(const ClusterConfig& config, Clock& clock, StateStore& store,
                               BlobStore& blobs, Authenticator& auth, std::string self_addr,
                               ha::VoteStore* votes, std::string self_name,
                               std::function<int64_t(int64_t, int64_t)> rand)
    : config_(config),
      clock_(clock),
      store_(store),
      blobs_(blobs),
      auth_(auth),
      self_addr_(std::move(self_addr)),
      state_(config),
      journal_(state_, store_, [this] { return ha_->controller_peer() != nullptr; }),
      query_(config, state_, clock,
             {[this] { return store_.LastSeq(); }, [this] { return epoch(); },
              [this] { return acting_; }}),
      outbox_(clock, auth),
      jobs_({config, clock, state_, journal_, outbox_, blobs}, *this, self_addr_,
            {[this](const Identity& who, const JobSpec& spec) {
               return CheckSubmitLimits(who, spec);
             },
             [this](const Job& job) { OnJobSubmitted(job); },
             [this](const Job& job, JobState state, int32_t wait_status, const std::string& reason,
                    uint64_t token) {
               steps_.EndInteractiveJob(job, state, wait_status, reason, token);
             },
             [this](const proto::StepCompleteRequest& req) { return steps_.StepNodeComplete(req); },
             [this](const std::string& node, uint64_t job_id, uint32_t run_seq) {
               return nodes_.KillConfirmed(node, job_id, run_seq);
             },
             [this](const std::string& node, uint64_t job_id, uint32_t run_seq) {
               nodes_.AwaitKill(node, job_id, run_seq);
             },
             [this](const std::string& node, const std::string& reason) {
               nodes_.DrainForNode(node, reason);
             },
             [this](uint64_t job_id, const std::string& done_node) {
               completing_.Begin(job_id, done_node);
               ctld_hooks_.Ended(job_id);
             },
             [this](const Job& job) { return ctld_hooks_.Started(job); }}),
      steps_({config, clock, state_, journal_, outbox_, blobs}, *this, self_addr_,
             {[this](const Job& job) { jobs_.TerminateOnNodes(job, ""); },
              [this] { return nodes_.KillDeadline(); },
              [this](uint64_t job_id) {
                completing_.Begin(job_id, "");
                ctld_hooks_.Ended(job_id);
              }}),
      nodes_({config, clock, state_, journal_, outbox_, blobs}, *this,
             {[this](const Job& job, int32_t wait_status, const std::string& message) {
                return jobs_.EndRunningJob(job, wait_status, 0, message);
              },
              [this](const Job& job) { jobs_.SendLaunch(job); },
              [this](const std::string& node, const std::string& why, bool node_alive) {
                jobs_.FailJobsOnNode(node, why, node_alive);
              },
              [this](const std::string& node, const proto::StepRef& st,
                     proto::RegisterNodeReply* rep) { steps_.ReconcileStep(node, st, rep); },
              [this](size_t node, const std::set<std::pair<uint64_t, uint32_t>>& reported) {
                steps_.ResendStepLaunches(node, reported);
              }}),
      completing_(
          {config, clock, state_, journal_, outbox_, blobs}, *this,
          {[this](const Job& job, const std::string& node) { jobs_.TerminateOnNode(job, node); }}),
      ctld_hooks_({config, clock, state_, journal_, outbox_, blobs}, *this,
                  {[this](const Job& job) { jobs_.SendLaunch(job); },
                   [this](const Job& job, const std::string& reason) {
                     jobs_.CtldPrologFailed(job, reason);
                   },
                   [this] { return ha_->Writable() && store_error_.ok(); }}),
      partitions_({config, clock, state_, journal_, outbox_, blobs}, *this),
      resvs_({config, clock, state_, journal_, outbox_, blobs}, *this),
      assoc_({config, clock, state_, journal_, outbox_, blobs}, *this) {
  for (const std::string& name : Split(config.admin_user, ',')) {
    struct passwd pw, *res = nullptr;
    char buf[4096];
    if (getpwnam_r(Trim(name).c_str(), &pw, buf, sizeof buf, &res) == 0 && res != nullptr) {
      admin_uids_.insert(pw.pw_uid);
    } else if (!Trim(name).empty()) {
      HERD_LOG(Warning) << "AdminUser " << Trim(name) << " is not a known user";
    }
  }
  started_ms_ = clock_.MonotonicMs();
  last_tick_ms_ = started_ms_;
  last_checkpoint_ms_ = started_ms_;
  if (votes == nullptr) {
    own_votes_ = std::make_unique<ha::MemoryVoteStore>();
    votes = own_votes_.get();
  }
  if (self_name.empty() && !config.controllers.empty()) self_name = config.controllers[0].name;
  if (!rand) {
    rand = [](int64_t lo, int64_t hi) {
      return lo + static_cast<int64_t>(static_cast<uint64_t>(::random()) %
                                       static_cast<uint64_t>(hi - lo + 1));
    };
  }
  ha_ = std::make_unique<ha::HaControl>(config, self_name, clock, *votes, std::move(rand));
  AddHandlers();
}

bool ControllerCore::IsAdmin(uint32_t uid) const { return uid == 0 || admin_uids_.count(uid) != 0; }

Status ControllerCore::Audit(const Identity& who, const std::string& entity,
                             const std::string& action, const std::string& old_value,
                             const std::string& new_value) {
  AuditRecorded e;
  e.entry.time = clock_.NowSeconds();
  e.entry.uid = who.uid;
  e.entry.user = UserName(who.uid);
  e.entry.from = from_;
  e.entry.entity = entity;
  e.entry.action = action;
  e.entry.old_value = old_value;
  e.entry.new_value = new_value;
  Status s = journal_.Emit(e);
  if (!s.ok()) HERD_LOG(Error) << "audit record of " << entity << " not kept: " << s.ToString();
  return s;
}

std::string ControllerCore::UserName(uint32_t uid) {
  auto it = user_names_.find(uid);
  if (it != user_names_.end()) return it->second;
  struct passwd pw, *res = nullptr;
  char buf[4096];
  std::string name = std::to_string(uid);
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res != nullptr) name = pw.pw_name;
  user_names_[uid] = name;
  return name;
}

void DropJobBlob(const ClusterState& state, BlobStore& blobs, uint64_t job_id) {
  const Job* j = state.FindJob(job_id);
  uint64_t blob = j != nullptr ? j->blob_id() : job_id;
  if (!state.BlobNeeded(blob)) blobs.Remove(blob);
}

// Removals of blobs are not journaled: after a recovery or an installed state, the blobs
// of jobs that ended or were purged are dropped here.
void ControllerCore::ForgetUnneededBlobs() {
  blobs_.RetainOnly([this](uint64_t id) { return state_.BlobNeeded(id); });
}

Status ControllerCore::Recover() {
  HERD_RETURN_IF_ERROR(setup_error_);
  auto rec = store_.Load();
  if (!rec.ok()) return rec.error();
  if (!rec->checkpoint.empty()) HERD_RETURN_IF_ERROR(state_.Restore(rec->checkpoint));
  size_t skipped = 0;
  for (const auto& r : rec->records) {
    Status s = state_.ApplyRecord(r.type, r.body);
    if (!s.ok()) {
      if (s.code() == Code::kDataLoss || s.code() == Code::kInvalidArgument) {
        return DataLoss("journal record " + std::to_string(r.seq) + ": " + s.message());
      }
      skipped++;
      continue;
    }
    if (r.type == static_cast<uint16_t>(EventType::kJobSubmitted)) {
      auto e = proto::DecodeBodyAs<JobSubmitted>(r.body, "JobSubmitted");
      const Job* j = e.ok() ? state_.FindJob(e->job.id) : nullptr;
      // Missing, or empty/torn (written without fsync before a crash): rewrite it.
      if (j != nullptr && state_.BlobNeeded(j->id) && !blobs_.Read(j->id).ok()) {
        Status w = blobs_.Write(j->id, {e->script, e->argv, e->env});
        if (!w.ok()) HERD_LOG(Error) << "cannot rewrite job blob: " << w.ToString();
      }
    }
  }
  ForgetUnneededBlobs();
  size_t pending = 0, running = 0;
  for (const auto& [id, j] : state_.jobs()) {
    if (j.state == JobState::kPending) pending++;
    if (j.state == JobState::kRunning) running++;
    // A damaged blob is left out of the index: the job stays, and its launch ends it
    // FAILED with the reason (batch script unavailable).
    if (!proto::IsFinished(j.state) && !j.spec.interactive && !blobs_.Exists(j.blob_id())) {
      HERD_LOG(Error) << "job " << id << " (" << proto::JobStateName(j.state)
                      << "): its batch script is missing or damaged in the job blob segments; "
                         "it ends FAILED (batch script unavailable) when it would start";
    }
  }
  HERD_LOG(Info) << "recovered: checkpoint " << (rec->checkpoint.empty() ? "none" : "loaded")
                 << ", " << rec->records.size() << " journal records (" << skipped
                 << " not applicable), " << (rec->torn_tail ? "torn tail dropped, " : "") << pending
                 << " pending and " << running << " running jobs";
  // Runtime partition changes kept over herd.conf: said at every start (doc/admin.md).
  for (const std::string& line : state_.PartitionDrift()) {
    HERD_LOG(Warning) << line << " (hcontrol write config writes the merged herd.conf)";
  }
  for (const std::string& line : state_.NodeDrift()) HERD_LOG(Warning) << line;
  nodes_.RestartLiveness(/*must_register=*/false);
  if (acct_ != nullptr) acct_->Resync();  // what was sent before is not known
  need_schedule_ = true;
  RefreshSpace(true);
  HERD_RETURN_IF_ERROR(ha_->Load());
  HERD_RETURN_IF_ERROR(ha_->RaiseEpoch(min_epoch_));
  ha_->Tick(store_.LastSeq());  // one controller alone is active at once
  CheckRole();
  return Status::Ok();
}

void ControllerCore::HandleRequest(const std::string& peer, const std::string& bytes,
                                   const std::string& from) {
  from_ = from.empty() ? "a client" : from;
  const int64_t now = clock_.MonotonicMs();
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  if (!f.ok()) {
    refusals_.Warn(from_, now,
                   "dropping a malformed message (" + std::to_string(bytes.size()) +
                       " bytes): " + f.error().message());
    return;
  }
  if (!proto::SupportedVersion(*f)) {
    refusals_.Warn(from_, now, "refusing protocol version " + std::to_string(f->version));
    Frame reply;
    reply.type = MsgType::kUnsupportedReply;
    PushReply(peer, f->request_id, std::move(reply));
    return;
  }
  auto who = auth_.Verify(f->auth, f->body);
  if (!who.ok()) {
    refusals_.Warn(
        from_, now,
        std::string("refusing ") + proto::MsgTypeName(f->type) + ": " + who.error().message());
    PushReply(peer, f->request_id, proto::MakeStatusFrame(who.error(), 0));
    return;
  }
  bool silent = false;
  if (RefusedWhileStoreFails(f->type, &silent)) {
    if (!silent) PushReply(peer, f->request_id, ErrorReply(StoreRefusal()));
    return;
  }
  if (IsQueuedQuery(f->type)) {
    // Answered in Flush, after every other request of the batch (ServeQueries).
    const uint64_t request_id = f->request_id;
    Status q = queries_.Push({peer, *who, std::move(*f)});
    if (!q.ok()) PushReply(peer, request_id, ErrorReply(q));
    return;
  }
  if (f->type == MsgType::kSubmitJobRequest && job_submit_ != nullptr && ha_->Writable() &&
      FilterSubmission(peer, *who, &*f)) {
    return;  // answered when job_submit.lua has decided (job_submit_hook.cc)
  }
  Answer(peer, *who, *f);
}

void ControllerCore::Answer(const std::string& peer, const Identity& who, const Frame& f) {
  bool from_passive = false;
  const bool writable = ha_->Writable();
  Frame reply = Dispatch(who, f, &from_passive);
  if (from_passive) reply.flags |= proto::kFlagFromPassive;
  const size_t index = PushReply(peer, f.request_id, std::move(reply), writable);
  if (deferred_job_ != 0) {
    deferred_.push_back({index, f.request_id, deferred_job_});
    deferred_job_ = 0;
  }
}

size_t ControllerCore::PushReply(const std::string& peer, uint64_t request_id, Frame reply,
                                 bool to_write) {
  reply.request_id = request_id;
  reply.epoch = epoch();
  bool refusal = false;
  if (reply.type == MsgType::kStatusReply) {
    auto st = proto::DecodeBody<proto::StatusReply>(reply.body);
    refusal = st.ok() && st->code != static_cast<int32_t>(Code::kOk);
  }
  return output_.Push({peer, proto::EncodeFrame(reply), refusal}, to_write);
}

void ControllerCore::AddHandlers() {
  for (Status s :
       {jobs_.AddHandlers(&handlers_), steps_.AddHandlers(&handlers_),
        nodes_.AddHandlers(&handlers_), completing_.AddHandlers(&handlers_),
        partitions_.AddHandlers(&handlers_), resvs_.AddHandlers(&handlers_),
        assoc_.AddHandlers(&handlers_), AddHaHandlers(), query_.AddHandlers(&handlers_)}) {
    if (setup_error_.ok()) setup_error_ = s;
  }
}

Frame ControllerCore::Dispatch(const Identity& who, const Frame& f, bool* from_passive) {
  const HandlerTable::Entry* h = handlers_.Find(f.type);
  if (h == nullptr || h->role != HandlerRole::kAnyRole) {
    if (!ha_->Writable()) {
      // Reads may be answered here when the client asked for the passive; the rest goes
      // to the active.
      const bool read = h != nullptr && h->role == HandlerRole::kRead;
      if (!read || (f.flags & proto::kFlagFromPassive) == 0) return NotActive();
      *from_passive = true;
    }
  }
  if (h == nullptr) {
    refusals_.Warn(from_, clock_.MonotonicMs(),
                   "refusing unexpected message type " + std::to_string(static_cast<int>(f.type)));
    return proto::MakeStatusFrame(
        Unsupported(std::string("message type not handled here: ") + proto::MsgTypeName(f.type)),
        0);
  }
  return h->fn(who, f);
}

void ControllerCore::HandleNodeReply(size_t node, const std::string& bytes) {
  auto f = proto::DecodeFrame(bytes.data(), bytes.size());
  if (!f.ok()) {
    HERD_LOG(Warning) << "malformed answer from node " << state_.NodeConf(node).name;
    return;
  }
  auto out = outbox_.TakeAnswered(node, f->request_id);
  if (!out) return;  // late answer to a resend
  nodes_.OnAnswer(*out, proto::ReplyStatus(*f));
}

void ControllerCore::FinishDeferredReplies() {
  for (const auto& d : deferred_) {
    proto::SubmitJobReply rep;
    rep.job_id = d.job_id;
    if (const Job* j = state_.FindJob(d.job_id)) {
      rep.state = ShownState(*j);  // CONFIGURING while its PrologSlurmctld runs
      rep.alloc = j->alloc;
    }
    Frame f = proto::MakeFrame(rep, d.request_id, epoch());
    output_.Rewrite(d.reply_index, proto::EncodeFrame(f));
  }
  deferred_.clear();
}

namespace {
// Waiting queries answered per Flush (one loop iteration).
constexpr int kQueryAnswersPerFlush = 64;
}  // namespace

void ControllerCore::ServeQueries() {
  for (int i = 0; i < kQueryAnswersPerFlush; ++i) {
    auto q = queries_.Pop();
    if (!q) return;
    Answer(q->peer, q->who, q->frame);
  }
}

void ControllerCore::Tick() {
  refusals_.LogSummaries(clock_.MonotonicMs());
  ha_->Tick(store_.LastSeq());
  CheckRole();
  int64_t now = clock_.MonotonicMs();
  if (now - last_tick_ms_ < 1000) return;
  if (!ha_->Writable()) {
    last_tick_ms_ = now;
    if (ha_->role() == ha::Role::kPassive)
      jobs_.ForgetOldJobs(acct_ != nullptr);  // as the active does
    return;
  }
  last_tick_ms_ = now;
  if (store_error_.ok()) {  // both record what they do: they wait for a writable journal
    nodes_.CheckTimeouts();
    jobs_.CheckTimeLimits();
    completing_.Check();
    ctld_hooks_.Check();
    resvs_.Tick();
  }
  jobs_.ForgetOldJobs(acct_ != nullptr);
}

FlushResult ControllerCore::Flush() {
  FlushResult r;
  const bool writable = ha_->Writable();
  if (writable && store_error_.ok()) RunScheduler();
  // Accounting rows go out only for what the passive has too (no output held for it): a
  // failover must not leave the database with a change the new active never saw.
  if (writable && acct_ != nullptr && output_.nothing_held() && store_error_.ok()) {
    const AcctStored stored = acct_->Pump();
    if (!stored.empty()) (void)Emit(stored);
  }
  ServeQueries();
  FinishDeferredReplies();
  if (journal_.has_records()) {
    // The passive may have records this controller then loses in a crash: they were never
    // acknowledged, and this controller's journal is replaced when it rejoins.
    ha_->Committed(journal_.TakeRecords());
    if (early_peer_sender_) early_peer_sender_(SignPeerMessages());
  }
  r.status = store_.Commit();
  if (!r.status.ok()) {
    StoreFailed(r.status, &r);  // nothing of this batch may be acknowledged yet
    return r;
  }
  if (AcctTouched touched = journal_.TakeTouched(); acct_ != nullptr && !touched.empty()) {
    acct_->Committed(touched);
  }
  if (!store_error_.ok()) StoreRecovered();
  journal_.ClearEmitted();
  RefreshSpace();
  if (ha_->WantsSnapshot()) ha_->SendSnapshot(MakeSnapshot());
  output_.TakeReleased(&r);
  if (acting_) {
    // Held until the passive has the records (ha_control.h, rule 3).
    std::vector<OutMsg> node_messages;
    if (writable) node_messages = outbox_.Due(epoch(), state_.nodes());
    output_.HoldBatch(store_.LastSeq(), std::move(node_messages));
    output_.Release(ha_->ReleasableSeq(), writable, &r);
  } else {
    output_.PassBatch(&r);
  }
  r.peer_messages = SignPeerMessages();
  return r;
}

Status ControllerCore::MaybeCheckpoint(bool force) {
  int64_t now = clock_.MonotonicMs();
  bool due = store_.RecordsSinceCheckpoint() > 0 &&
             (now - last_checkpoint_ms_ >= int64_t{config_.checkpoint_interval_s} * 1000 ||
              store_.RecordsSinceCheckpoint() >= 50000);
  if (!force && (!due || !store_error_.ok() || now < checkpoint_retry_ms_)) return Status::Ok();
  last_checkpoint_ms_ = now;
  Status s = store_.Checkpoint(state_.Snapshot());
  if (!s.ok()) checkpoint_retry_ms_ = now + 10000;  // not at every loop iteration
  return s;
}

}  // namespace herd::ctld
