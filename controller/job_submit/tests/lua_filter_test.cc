// herd — job_submit.lua through the real interpreter: fields under Slurm's names and
// sentinels, verdicts and messages, reloading, and scripts that fail, loop or hoard memory.
#include "controller/job_submit/lua_filter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace herd::ctld {
namespace {

class LuaFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/herd-lua-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/job_submit.lua";
  }
  void TearDown() override { (void)!std::system(("rm -rf " + dir_).c_str()); }
  // Writes the script with both functions; `submit` is slurm_job_submit's body.
  void Write(const std::string& submit, const std::string& modify = "return slurm.SUCCESS",
             const std::string& extra = "") {
    // A new inode each time, so that a rewrite within the same clock tick is noticed.
    const std::string tmp = path_ + ".new";
    std::ofstream(tmp) << extra << "\nfunction slurm_job_submit(job_desc, part_list, submit_uid)\n"
                       << submit << "\nend\nfunction slurm_job_modify(job_desc, job_rec, "
                       << "part_list, modify_uid)\n"
                       << modify << "\nend\n";
    ASSERT_EQ(::rename(tmp.c_str(), path_.c_str()), 0);
  }
  static proto::JobSpec Spec() {
    proto::JobSpec s;
    s.name = "job";
    s.script = "#!/bin/sh\ntrue\n";
    s.work_dir = "/tmp";
    s.env = {"HOME=/root", "PATH=/bin"};
    s.argv = {"a1"};
    return s;
  }
  static std::vector<LuaPartition> Parts() {
    LuaPartition p;
    p.name = "debug";
    p.nodes = "n[1-2]";
    p.max_time_s = 3600;
    p.is_default = true;
    p.total_nodes = 2;
    p.total_cpus = 8;
    return {p};
  }
  LuaFilter::Options Fast() {
    LuaFilter::Options o;
    o.deadline = std::chrono::milliseconds(200);
    return o;
  }
  std::string dir_, path_;
};

TEST_F(LuaFilterTest, RefusesAJobWithoutTimeWithTheScriptsMessage) {
  Write(R"(if job_desc.time_limit == slurm.NO_VAL then
             slurm.log_user("no time given: please use --time")
             return slurm.ERROR
           end
           return slurm.SUCCESS)");
  LuaFilter f(path_);
  proto::JobSpec s = Spec();
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(v.status.code(), Code::kPermissionDenied);
  EXPECT_EQ(v.status.message(), "no time given: please use --time");
  s.time_limit_s = 600;
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(s.time_limit_s, 600);
}

TEST_F(LuaFilterTest, SeesSlurmsFieldsAndSentinels) {
  Write(R"(
    local d = job_desc
    assert(d.partition == nil, "partition")
    assert(d.time_limit == slurm.NO_VAL, "time_limit")
    assert(d.min_nodes == slurm.NO_VAL and d.num_tasks == slurm.NO_VAL, "counts")
    assert(d.pn_min_memory == slurm.NO_VAL64, "memory")
    assert(d.nice == slurm.NO_VAL, "nice")
    assert(d.name == "job" and d.work_dir == "/tmp", "strings")
    assert(d.user_id == 1000 and d.group_id == 1001 and submit_uid == 1000, "ids")
    assert(d.environment.HOME == "/root" and d.argv[1] == "a1" and d.argc == 1, "bulk")
    assert(d.script:sub(1, 2) == "#!", "script")
    assert(part_list.debug.max_time == 60 and part_list.debug.flag_default == 1, "parts")
    assert(part_list.debug.total_cpus == 8, "parts cpus")
    return slurm.SUCCESS)");
  LuaFilter f(path_);
  proto::JobSpec s = Spec();
  LuaVerdict v = f.Submit(&s, 1000, 1001, Parts());
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
}

TEST_F(LuaFilterTest, ChangesAreTakenBackIntoTheRequest) {
  Write(R"(
    if job_desc.partition == nil then job_desc.partition = "debug" end
    job_desc.time_limit = 30
    job_desc.min_nodes = 2
    job_desc.num_tasks = 4
    job_desc.cpus_per_task = 2
    job_desc.min_mem_per_cpu = 512
    job_desc.nice = slurm.NICE_OFFSET + 10
    job_desc.features = "ib&big"
    job_desc.name = job_desc.name .. "-checked"
    job_desc.account = "physics"  -- not held by herd: ignored, logged
    return slurm.SUCCESS)");
  LuaFilter f(path_);
  proto::JobSpec s = Spec();
  s.mem_per_node_mb = 100;
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  ASSERT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(s.partition, "debug");
  EXPECT_EQ(s.time_limit_s, 1800);
  EXPECT_EQ(s.min_nodes, 2u);
  EXPECT_EQ(s.num_tasks, 4u);
  EXPECT_EQ(s.cpus_per_task, 2u);
  EXPECT_EQ(s.mem_per_cpu_mb, 512u);
  EXPECT_EQ(s.mem_per_node_mb, 0u);
  EXPECT_EQ(s.nice, 10);
  EXPECT_EQ(s.constraints, (std::vector<std::string>{"ib", "big"}));
  EXPECT_EQ(s.name, "job-checked");
  EXPECT_EQ(s.script, Spec().script);  // untouched fields stay
  EXPECT_EQ(s.env, Spec().env);
}

TEST_F(LuaFilterTest, AValueOfTheWrongKindIsRefusedByName) {
  Write("job_desc.min_nodes = 'two'\nreturn slurm.SUCCESS");
  LuaFilter f(path_);
  proto::JobSpec s = Spec();
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_FALSE(v.status.ok());
  EXPECT_NE(v.status.message().find("job_desc.min_nodes"), std::string::npos);
}

TEST_F(LuaFilterTest, AnErrorNumberGivesSlurmsWords) {
  Write("return slurm.ESLURM_INVALID_TIME_LIMIT");
  LuaFilter f(path_);
  proto::JobSpec s = Spec();
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(v.status.message(), "Requested time limit is invalid (missing or exceeds some limit)");
  Write("return slurm.ERROR");
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(v.status.message(), "Unspecified error");
  Write("slurm.log_user('noted %d', 42)\nslurm.log_info('to the log %s', 'only')");
  v = f.Submit(&s, 1000, 1000, Parts());  // no return value: accepted, as Slurm
  EXPECT_TRUE(v.status.ok());
  EXPECT_EQ(v.user_message, "noted 42");
}

TEST_F(LuaFilterTest, ASyntaxErrorRefusesUntilFixedAndABrokenReloadKeepsTheOldScript) {
  std::ofstream(path_) << "function slurm_job_submit(job_desc\n";
  LuaFilter f(path_);
  proto::JobSpec s = Spec();
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(v.status.code(), Code::kFailedPrecondition);
  EXPECT_NE(v.status.message().find("job_submit.lua:2:"), std::string::npos) << v.status.message();
  Write("job_desc.name = 'first'");
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();
  EXPECT_EQ(s.name, "first");
  std::ofstream(path_ + ".new") << "this is not lua";
  ASSERT_EQ(::rename((path_ + ".new").c_str(), path_.c_str()), 0);
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_TRUE(v.status.ok()) << v.status.ToString();  // the loaded one stays in force
  Write("job_desc.name = 'second'");
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(s.name, "second");
}

TEST_F(LuaFilterTest, EndlessLoopsAreStoppedEvenUnderPcall) {
  Write(R"(if job_desc.name == "spin" then while true do end end
           if job_desc.name == "stubborn" then
             while true do pcall(function() while true do end end) end
           end
           if job_desc.name == "nested" then
             while true do coroutine.resume(coroutine.create(function() while true do end end)) end
           end
           return slurm.SUCCESS)");
  LuaFilter f(path_, Fast());
  for (const char* name : {"spin", "stubborn", "nested"}) {
    proto::JobSpec s = Spec();
    s.name = name;
    LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
    EXPECT_EQ(v.status.code(), Code::kDeadlineExceeded) << name << ": " << v.status.ToString();
    EXPECT_NE(v.status.message().find("did not finish"), std::string::npos);
  }
  proto::JobSpec s = Spec();
  EXPECT_TRUE(f.Submit(&s, 1000, 1000, Parts()).status.ok());  // and it still works
}

TEST_F(LuaFilterTest, ALoopInTheMainChunkDoesNotLoad) {
  Write("return slurm.SUCCESS", "return slurm.SUCCESS", "while true do end");
  LuaFilter f(path_, Fast());
  proto::JobSpec s = Spec();
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(v.status.code(), Code::kFailedPrecondition);
  EXPECT_NE(v.status.message().find("main chunk ran longer"), std::string::npos);
}

TEST_F(LuaFilterTest, RuntimeErrorsAndMemoryHoardingRefuseTheSubmission) {
  Write(R"(if job_desc.name == "boom" then local x = nil; return x.y end
           if job_desc.name == "exit" then os.exit(1) end
           if job_desc.name == "hoard" then
             local t = {}
             for i = 1, 1e9 do t[i] = string.rep("x", 1024) .. i end
           end
           return slurm.SUCCESS)");
  LuaFilter::Options o;
  o.memory_limit = 16u << 20;
  o.deadline = std::chrono::seconds(20);  // the ceiling, not the clock, ends "hoard"
  LuaFilter f(path_, o);
  proto::JobSpec s = Spec();
  s.name = "boom";
  LuaVerdict v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_EQ(v.status.code(), Code::kFailedPrecondition);
  EXPECT_NE(v.status.message().find("attempt to index"), std::string::npos) << v.status.message();
  s.name = "exit";  // would end the controller's process
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_NE(v.status.message().find("os.exit would stop the controller"), std::string::npos);
  s.name = "hoard";
  v = f.Submit(&s, 1000, 1000, Parts());
  EXPECT_FALSE(v.status.ok());
  EXPECT_NE(v.status.message().find("not enough memory"), std::string::npos) << v.status.message();
  s.name = "fine";
  EXPECT_TRUE(f.Submit(&s, 1000, 1000, Parts()).status.ok());
}

TEST_F(LuaFilterTest, ModifySeesTheJobAndTheCaller) {
  Write("return slurm.SUCCESS", R"(
    if modify_uid ~= 0 and job_desc.time_limit ~= slurm.NO_VAL
       and job_desc.time_limit > job_rec.time_limit then
      slurm.log_user("only root may extend job %d", job_rec.job_id)
      return slurm.ERROR
    end
    return slurm.SUCCESS)");
  LuaFilter f(path_);
  LuaJobRecord rec;
  rec.job_id = 42;
  rec.uid = 1000;
  rec.time_limit_s = 600;
  rec.state = "PENDING";
  proto::JobSpec change;
  change.time_limit_s = 1200;
  LuaVerdict v = f.Modify(&change, rec, 1000, Parts());
  EXPECT_EQ(v.status.message(), "only root may extend job 42");
  EXPECT_TRUE(f.Modify(&change, rec, 0, Parts()).status.ok());
}

}  // namespace
}  // namespace herd::ctld
