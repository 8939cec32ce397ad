// herd — the controller core with the site's job_submit.lua: a submission's reply waits for
// the script's verdict while other requests are answered, the request as the script left
// it is what is recorded, a refusal carries the script's message, and a resend of a
// submission that made its job is answered without the script.
#include <gtest/gtest.h>
#include <poll.h>

#include <fstream>

#include "controller/tests/core_fixture.h"

namespace herd::ctld {
namespace {

using testing::SimpleSpec;

class JobSubmitCoreTest : public CoreTestOn<> {
 protected:
  // Again, now that BeforeRecover() reaches this class's override.
  void SetUp() override { Restart(); }
  void BeforeRecover() override {
    script_ = dir_ + "/job_submit.lua";
    Install(R"(if job_desc.time_limit == slurm.NO_VAL then
                 slurm.log_user("no time given: please use --time")
                 return slurm.ERROR
               end
               if job_desc.partition == nil then job_desc.partition = "short" end)");
    worker_ = std::make_unique<JobSubmitWorker>(script_, LuaFilter::Options{});
    core_->set_job_submit(worker_.get());
  }
  void Install(const std::string& body) {
    std::ofstream(script_ + ".new") << "function slurm_job_submit(job_desc, part_list, uid)\n"
                                    << body << "\nend\n"
                                    << "function slurm_job_modify(d, r, p, u) end\n";
    ASSERT_EQ(::rename((script_ + ".new").c_str(), script_.c_str()), 0);
  }
  // Sends the request; nothing is answered in that flush.
  void Send(const proto::SubmitJobRequest& r, uint64_t rid) {
    core_->HandleRequest("peer", testing::RequestBytes(r, 1000, rid));
    FlushResult out = core_->Flush();
    EXPECT_TRUE(out.replies.empty()) << "answered before the script decided";
  }
  // Waits for the worker as the server's poll does, then flushes: the reply to `rid`.
  Result<proto::SubmitJobReply> Verdict(uint64_t rid) {
    for (int i = 0; i < 300; ++i) {
      pollfd p{core_->job_submit_fd(), POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) break;
    }
    core_->HandleFilteredSubmissions();
    FlushResult out = core_->Flush();
    if (out.replies.size() != 1) return Internal("replies: " + std::to_string(out.replies.size()));
    auto f = proto::DecodeFrame(out.replies[0].bytes.data(), out.replies[0].bytes.size());
    EXPECT_EQ(f->request_id, rid);
    Status st = proto::ReplyStatus(*f);
    if (!st.ok()) return st;
    return proto::DecodeBody<proto::SubmitJobReply>(f->body);
  }
  std::string script_;
  std::unique_ptr<JobSubmitWorker> worker_;
};

TEST_F(JobSubmitCoreTest, TheReplyWaitsForTheScriptAndOthersAreServedMeanwhile) {
  RegisterAll();
  proto::SubmitJobRequest r;
  r.spec = SimpleSpec();
  r.spec.time_limit_s = 300;
  r.token = 7;
  Send(r, 100);
  // Another request is answered while the submission waits for its verdict.
  proto::QueryJobsRequest q;
  EXPECT_TRUE((Call<proto::QueryJobsReply>(q).ok()));
  auto rep = Verdict(100);
  ASSERT_TRUE(rep.ok()) << rep.error().ToString();
  const Job* j = core_->state().FindJob(rep->job_id);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(j->partition, "short");  // as the script chose
  // A resend with the same token is that job, without the script (which now refuses all).
  Install("return slurm.ERROR");
  auto again = Call<proto::SubmitJobReply>(r, 1000);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->job_id, rep->job_id);
}

TEST_F(JobSubmitCoreTest, ARefusalCarriesTheScriptsMessageAndRecordsNothing) {
  RegisterAll();
  const uint64_t next = core_->state().next_job_id();
  proto::SubmitJobRequest r;
  r.spec = SimpleSpec();
  r.token = 8;
  Send(r, 200);
  auto rep = Verdict(200);
  ASSERT_FALSE(rep.ok());
  EXPECT_EQ(rep.error().code(), Code::kPermissionDenied);
  EXPECT_EQ(rep.error().message(), "no time given: please use --time");
  EXPECT_EQ(core_->state().next_job_id(), next);
  EXPECT_EQ(core_->state().FindJob(next), nullptr);
}

}  // namespace
}  // namespace herd::ctld
