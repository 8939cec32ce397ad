// herd — AcctFeed.
#include "controller/acct/acct_feed.h"

#include <algorithm>

#include "common/base/log.h"
#include "controller/acct/acct_rows.h"

namespace herd::ctld::acct {

AcctFeed::AcctFeed(const ClusterState& state, Clock& clock, std::string type, Opener open)
    : state_(state), clock_(clock), type_(std::move(type)), open_(std::move(open)) {
  worker_ = std::thread([this] { Work(); });
}

AcctFeed::~AcctFeed() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void AcctFeed::Committed(const AcctTouched& touched) {
  dirty_.insert(touched.jobs.begin(), touched.jobs.end());
  dirty_nodes_.insert(touched.nodes.begin(), touched.nodes.end());
}

void AcctFeed::Resync() {
  for (const auto& [id, j] : state_.jobs()) {
    if (!j.acct_stored) dirty_.insert(id);
  }
  sent_through_.clear();
  for (const NodeRecord& n : state_.nodes()) {
    if (!n.acct_pending.empty()) dirty_nodes_.insert(n.name);
  }
}

AcctStored AcctFeed::Pump() {
  const int64_t now = clock_.MonotonicMs();
  Collect(now);
  Send(now);
  AcctStored stored;
  if (!stored_.empty() &&
      (now - last_stored_ms_ >= kStoredIntervalMs || stored_.job_ids.size() >= kBatchJobs)) {
    std::swap(stored, stored_);
    last_stored_ms_ = now;
  }
  return stored;
}

void AcctFeed::Collect(int64_t now) {
  if (busy_) {
    std::unique_lock<std::mutex> l(mu_);
    if (!result_ready_) return;
    result_ready_ = false;
    Status r = result_;
    Status purged = purge_result_;
    l.unlock();
    busy_ = false;
    if (purge_sent_ && !purged.ok()) {
      next_purge_s_ = std::min(next_purge_s_, clock_.NowSeconds() + kPurgeRetryS);
    }
    purge_sent_ = false;
    if (r.ok()) {
      if (link_ != "up") HERD_LOG(Info) << "accounting: the database stores again";
      link_ = "up";
      error_.clear();
      retry_delay_ms_ = kRetryMinMs;
      stored_.job_ids.insert(stored_.job_ids.end(), sent_finished_.begin(), sent_finished_.end());
      for (const auto& [node, seq] : sent_nodes_) stored_.node_changes.emplace_back(node, seq);
    } else {
      if (link_ != "down" || error_ != r.message()) {
        HERD_LOG(Warning) << "accounting: the database does not store (kept for later, next try"
                          << " in " << retry_delay_ms_ << " ms): " << r.message();
      }
      link_ = "down";
      error_ = r.message();
      dirty_.insert(sent_jobs_.begin(), sent_jobs_.end());
      for (const auto& [node, seq] : sent_nodes_) {
        sent_through_.erase(node);  // all of its pending changes again, in order
        dirty_nodes_.insert(node);
      }
      retry_at_ms_ = now + retry_delay_ms_;
      retry_delay_ms_ = std::min(retry_delay_ms_ * 2, kRetryMaxMs);
    }
    sent_jobs_.clear();
    sent_finished_.clear();
    sent_nodes_.clear();
  }
}

void AcctFeed::Send(int64_t now) {
  const int64_t wall = clock_.NowSeconds();
  const bool purge_due = purge_.any() && wall >= next_purge_s_;
  if (busy_ || now < retry_at_ms_ || (dirty_.empty() && dirty_nodes_.empty() && !purge_due)) {
    return;
  }
  if (!purge_due && now - last_send_ms_ < kSendIntervalMs && dirty_.size() < kBatchJobs) return;
  auto batch = std::make_unique<Batch>();
  while (!dirty_.empty() && batch->jobs.size() < kBatchJobs) {
    const uint64_t id = *dirty_.begin();
    dirty_.erase(dirty_.begin());
    const Job* j = state_.FindJob(id);
    if (j == nullptr || j->acct_stored) continue;
    batch->jobs.push_back(JobRowOf(*j));
    for (StepRow& s : StepRowsOf(*j)) batch->steps.push_back(std::move(s));
    sent_jobs_.push_back(id);
    if (proto::IsFinished(j->state)) sent_finished_.push_back(id);
  }
  // A node's changes go in order, each once unless a failure or a resync sends them again
  // (upserts: the same periods result).
  while (!dirty_nodes_.empty() && batch->node_events.size() < kBatchNodeEvents) {
    const std::string name = *dirty_nodes_.begin();
    dirty_nodes_.erase(dirty_nodes_.begin());
    const NodeRecord* n = state_.FindNode(name);
    if (n == nullptr) continue;
    auto through = sent_through_.find(name);
    const uint64_t after = through == sent_through_.end() ? 0 : through->second;
    for (const NodeChange& c : n->acct_pending) {
      if (c.seq <= after) continue;
      batch->node_events.push_back(NodeEventOf(name, c));
      sent_nodes_[name] = c.seq;
      sent_through_[name] = c.seq;
    }
  }
  if (batch->size() == 0 && !purge_due) return;
  if (purge_due) {
    next_purge_s_ = NextPurge(purge_, wall);
    purge_sent_ = true;
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    todo_ = std::move(batch);
    todo_purge_at_ = purge_due ? wall : 0;
  }
  busy_ = true;
  last_send_ms_ = now;
  cv_.notify_one();
}

void AcctFeed::Work() {
  std::unique_ptr<AcctStore> store;
  for (;;) {
    std::unique_ptr<Batch> batch;
    int64_t purge_at = 0;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return stop_ || todo_ != nullptr; });
      if (stop_) return;
      batch = std::move(todo_);
      purge_at = todo_purge_at_;
    }
    Status s;
    if (store == nullptr) {
      auto opened = open_();
      if (opened.ok()) {
        store = std::move(*opened);
      } else {
        s = opened.error();
      }
    }
    if (store != nullptr && batch->size() > 0) {
      s = store->Put(*batch);
      if (!s.ok()) store.reset();  // a new connection for the next try
    }
    Status purged = s;
    if (store != nullptr && purge_at != 0) purged = RunPurge(store.get(), purge_at);
    std::lock_guard<std::mutex> l(mu_);
    result_ = s;
    purge_result_ = purged;
    result_ready_ = true;
  }
}

Status AcctFeed::RunPurge(AcctStore* store, int64_t now) {
  PurgeReport report;
  Status s = store->Purge(purge_, now, &report);
  if (!s.ok()) {
    HERD_LOG(Warning) << "accounting: the purge failed (nothing of that kind deleted; tried"
                      << " again in " << kPurgeRetryS << " s): " << s.message();
  } else if (report.jobs + report.steps + report.events + report.usage > 0) {
    HERD_LOG(Info) << "accounting: " << report.Describe();
  }
  return s;
}

size_t AcctFeed::backlog() const {
  size_t node_changes = 0;
  for (const NodeRecord& n : state_.nodes()) node_changes += n.acct_pending.size();
  return dirty_.size() + sent_jobs_.size() + stored_.job_ids.size() + node_changes;
}

bool AcctFeed::idle() const {
  return !busy_ && dirty_.empty() && dirty_nodes_.empty() && stored_.empty();
}

void AcctFeed::Describe(proto::HaStatusReply* st) const {
  st->acct_type = type_;
  st->acct_link = link_;
  st->acct_error = error_;
  // Finished jobs not stored yet count too: on the passive they are the whole backlog.
  uint64_t unstored = 0;
  for (const auto& [id, j] : state_.jobs()) {
    if (proto::IsFinished(j.state) && !j.acct_stored) unstored++;
  }
  for (const NodeRecord& n : state_.nodes()) unstored += n.acct_pending.size();
  st->acct_backlog = std::max<uint64_t>(backlog(), unstored);
}

}  // namespace herd::ctld::acct
