// herd — the job_submit worker: verdicts come back in order and wake the loop's poll,
// while an endless script holds only the submissions behind it.
#include "controller/job_submit/job_submit_worker.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace herd::ctld {
namespace {

TEST(JobSubmitWorker, VerdictsComeBackInOrderAndWakeThePoll) {
  char tmpl[] = "/tmp/herd-lua-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string path = dir + "/job_submit.lua";
  std::ofstream(path) << "function slurm_job_submit(d, p, u)\n"
                         "  if d.name == 'spin' then while true do end end\n"
                         "  if d.name == 'no' then slurm.log_user('no') return slurm.ERROR end\n"
                         "  d.partition = 'debug'\nend\n"
                         "function slurm_job_modify(d, r, p, u) end\n";
  LuaFilter::Options o;
  o.deadline = std::chrono::milliseconds(100);
  JobSubmitWorker w(path, o, 3);
  std::vector<std::string> names = {"a", "spin", "no", "b"};
  for (size_t i = 0; i < names.size(); ++i) {
    JobSubmitWorker::Item it;
    it.peer = "p" + std::to_string(i);
    it.req.spec.name = names[i];
    Status s = w.Push(std::move(it));
    // At most 3 wait: the fourth is refused unless the first was taken up already.
    if (!s.ok()) {
      EXPECT_EQ(s.code(), Code::kResourceExhausted);
      names.pop_back();
    }
  }
  std::vector<JobSubmitWorker::Item> done;
  while (done.size() < names.size()) {
    pollfd p{w.wake_fd(), POLLIN, 0};
    ASSERT_GE(::poll(&p, 1, 30000), 0);
    for (auto& d : w.TakeDone()) done.push_back(std::move(d));
  }
  ASSERT_EQ(done.size(), names.size());
  EXPECT_TRUE(done[0].verdict.status.ok());
  EXPECT_EQ(done[0].req.spec.partition, "debug");
  EXPECT_EQ(done[1].verdict.status.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(done[2].verdict.status.message(), "no");
  for (size_t i = 0; i < done.size(); ++i) EXPECT_EQ(done[i].peer, "p" + std::to_string(i));
  EXPECT_EQ(w.in_flight(), 0u);
  (void)!std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace herd::ctld
