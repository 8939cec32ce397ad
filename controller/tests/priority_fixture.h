// herd — the state the priority tests share: 4 nodes of 4 cpus, priority/multifactor,
// PriorityMaxAge 100 s, no decay; jobs submitted and runs ended by hand.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "controller/state/cluster_state.h"
#include "controller/tests/test_util.h"

namespace herd::ctld::testing {

class PriorityTest : public ::testing::Test {
 protected:
  PriorityTest() : cfg_(Config()), state_(cfg_) {
    for (auto& n : state_.nodes()) n.registered = true;
  }
  static ClusterConfig Config() {
    ClusterConfig c = testing::TestConfig();  // 4 nodes of 4 cpus; debug (all), short (n1)
    c.priority.multifactor = true;
    c.priority.max_age_s = 100;
    c.priority.decay_half_life_s = 0;
    for (auto& p : c.partitions) p.priority_job_factor = p.name == "short" ? 4 : 1;
    return c;
  }
  const Job& Submit(uint64_t id, uint32_t tasks, const std::string& user = "alice",
                    int64_t submit = 0, const std::string& partition = "debug", int32_t nice = 0,
                    const std::string& account = "", const std::string& qos = "") {
    Job j;
    j.id = id;
    j.partition = partition;
    j.user = user;
    j.submit_time = submit;
    j.time_limit_s = time_limit_;
    j.admin_priority = admin_priority_;
    proto::JobSpec spec = testing::SimpleSpec();
    spec.num_tasks = tasks;
    spec.nice = nice;
    spec.account = account;
    spec.qos = qos;
    j.spec = spec;
    EXPECT_TRUE(state_.Apply(JobSubmitted{j, {}, {}, {}}).ok());
    return *state_.FindJob(id);
  }
  // `user` ran one job on `cpus` cpus of n1 from `start` to `end`.
  void Ran(uint64_t id, const std::string& user, uint32_t cpus, int64_t start, int64_t end,
           const std::string& account = "") {
    Submit(id, cpus, user, 0, "debug", 0, account);
    NodeAlloc a;
    a.node = "n1";
    for (uint32_t c = 0; c < cpus; ++c) a.cpus.push_back(c);
    ASSERT_TRUE(state_.Apply(JobStarted{id, 1, start, {a}}).ok());
    JobEnded e;
    e.job_id = id;
    e.end_time = end;
    ASSERT_TRUE(state_.Apply(e).ok());
  }
  void Weights(uint32_t age, uint32_t fs, uint32_t size, uint32_t part) {
    cfg_.priority.weight_age = age;
    cfg_.priority.weight_fairshare = fs;
    cfg_.priority.weight_job_size = size;
    cfg_.priority.weight_partition = part;
  }
  ClusterConfig cfg_;
  ClusterState state_;
  int64_t time_limit_ = 600;     // of the jobs Submit makes
  uint32_t admin_priority_ = 0;  // of the jobs Submit makes
};

}  // namespace herd::ctld::testing
