// herd — unit tests of the MPI plugin registry, mpi/none, and the PMIx-free parts of
// mpi/pmix (step validation, the map strings, rank placement, segment names, cleanup).
// Nothing here starts a PMIx server.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/base/fs.h"
#include "plugins/api/mpi.h"
#include "plugins/mpi/pmix/pmix_server.h"
#include "plugins/mpi/pmix/pmix_step.h"
#include "plugins/tests/rank_runner.h"

namespace herd::plugin {
namespace {

MpiStepInfo TwoNodeStep() {
  MpiStepInfo info;
  info.job_id = 12;
  info.nspace = "herd.12.0";
  info.num_tasks = 5;
  info.node_index = 1;
  info.tmpdir = "/tmp/x";
  info.nodes = {{"n1", {0, 1, 2}}, {"n2", {3, 4}}};
  return info;
}

class NullHost : public MpiHost {
 public:
  void SendFence(uint64_t, std::string) override {}
  void Abort(int, std::string) override {}
};

TEST(MpiRegistryTest, KnowsNoneAndPmixWithOrWithoutPrefix) {
  EXPECT_EQ(MpiTypes(), (std::vector<std::string>{"none", "pmix"}));
  for (const char* name : {"none", "mpi/none", "pmix", "mpi/pmix"}) {
    Result<std::unique_ptr<MpiServer>> s = MakeMpiServer(name);
    ASSERT_TRUE(s.ok()) << name;
    EXPECT_NE(s->get(), nullptr);
  }
  EXPECT_NE(dynamic_cast<PmixServer*>(MakeMpiServer("mpi/pmix")->get()), nullptr);
  Result<std::unique_ptr<MpiServer>> bad = MakeMpiServer("mpi/pmi2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("none, pmix"), std::string::npos);
}

TEST(MpiNoneTest, AddsNothing) {
  std::unique_ptr<MpiServer> s = std::move(MakeMpiServer("none").value());
  NullHost host;
  EXPECT_TRUE(s->Start(TwoNodeStep(), &host).ok());
  Result<std::vector<std::string>> env = s->TaskEnv(3);
  ASSERT_TRUE(env.ok());
  EXPECT_TRUE(env->empty());
  s->Stop();
}

TEST(PmixServerUnitTest, RefusesBadUseWithoutInitialisingPmix) {
  PmixServer s;
  NullHost host;
  EXPECT_EQ(s.TaskEnv(0).error().code(), Code::kFailedPrecondition);
  MpiStepInfo info = TwoNodeStep();
  info.node_index = 2;
  EXPECT_EQ(s.Start(info, &host).code(), Code::kInvalidArgument);
  EXPECT_EQ(s.Start(TwoNodeStep(), nullptr).code(), Code::kInvalidArgument);
  s.Stop();  // harmless when not started
}

TEST(PmixServerUnitTest, RankEnvIsExactlyTheDocumentedList) {
  EXPECT_EQ(PmixServer::RankEnvExtras("/tmp/s"),
            (std::vector<std::string>{"OMPI_MCA_schizo=^orte", "OMPI_MCA_orte_externally_bound=1",
                                      "OMPI_MCA_hwloc_base_binding_policy=none",
                                      "OMPI_MCA_btl_vader_backing_directory=/tmp/s"}));
}

TEST(PmixStepTest, MapsAndPlaces) {
  MpiStepInfo info = TwoNodeStep();
  ASSERT_TRUE(pmix::ValidateStepInfo(info).ok());
  EXPECT_EQ(pmix::NodeListSpec(info), "n1,n2");
  EXPECT_EQ(pmix::ProcMapSpec(info), "0,1,2;3,4");
  EXPECT_EQ(pmix::LocalPeers(info), "3,4");
  std::vector<pmix::RankPlace> places = pmix::PlaceRanks(info);
  ASSERT_EQ(places.size(), 5u);
  EXPECT_EQ(places[2].node, 0u);
  EXPECT_EQ(places[2].local_rank, 2);
  EXPECT_EQ(places[3].node, 1u);
  EXPECT_EQ(places[3].local_rank, 0);
  EXPECT_EQ(places[4].local_rank, 1);
}

TEST(PmixStepTest, ValidationNamesTheProblem) {
  auto broken = [](void (*edit)(MpiStepInfo*)) {
    MpiStepInfo info = TwoNodeStep();
    edit(&info);
    return pmix::ValidateStepInfo(info);
  };
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->nspace = ""; }).ok());
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->nspace = std::string(256, 'x'); }).ok());
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->tmpdir = ""; }).ok());
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->nodes[0].name = "a,b"; }).ok());
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->num_tasks = 6; }).ok());            // rank 5 missing
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->nodes[1].ranks = {4, 3}; }).ok());  // order
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->nodes[1].ranks = {2, 4}; }).ok());  // twice
  EXPECT_FALSE(broken([](MpiStepInfo* i) { i->nodes[1].ranks = {3, 4, 9}; }).ok());
  Status none_here = broken([](MpiStepInfo* i) {
    i->nodes[0].ranks = {0, 1, 2, 3, 4};
    i->nodes[1].ranks.clear();
  });
  EXPECT_EQ(none_here.code(), Code::kInvalidArgument);
  EXPECT_NE(none_here.message().find("n2"), std::string::npos);
}

TEST(PmixStepTest, OmpiJobIdClearsBit15AndNamesSegments) {
  uint32_t id = pmix::OmpiJobId("herd.12.0");
  EXPECT_EQ(id & 0x8000u, 0u);
  EXPECT_EQ(id, pmix::OmpiJobId("herd.12.0"));
  EXPECT_NE(id, pmix::OmpiJobId("herd.12.1"));
  // The one-at-a-time hash of "a" is 0xca2e9442; bit 15 is cleared.
  EXPECT_EQ(pmix::OmpiJobId("a"), 0xca2e1442u);
  EXPECT_TRUE(pmix::IsVaderSegmentOf("vader_segment.vm.1a2b.0", 0x1a2b));
  EXPECT_TRUE(pmix::IsVaderSegmentOf("vader_segment.host.with.dots.1a2b.12", 0x1a2b));
  EXPECT_FALSE(pmix::IsVaderSegmentOf("vader_segment.vm.1a2c.0", 0x1a2b));
  EXPECT_FALSE(pmix::IsVaderSegmentOf("vader_segment.vm.11a2b.0", 0x1a2b));
  EXPECT_FALSE(pmix::IsVaderSegmentOf("vader_segment.1a2b.", 0x1a2b));
  EXPECT_FALSE(pmix::IsVaderSegmentOf("other.vm.1a2b.0", 0x1a2b));
}

TEST(PmixStepTest, CleanupRemovesOnlyTheStepsSegmentsAndEmptiesTheTmpdir) {
  testing::ScopedTempDir scoped("herd_pmix_clean");
  ASSERT_FALSE(scoped.path().empty());
  const std::string* dir = &scoped.path();
  for (const char* name :
       {"vader_segment.vm.1a2b.0", "vader_segment.vm.1a2b.1", "vader_segment.vm.ffff.0", "keep"}) {
    ASSERT_TRUE(WriteFileAtomic(*dir + "/" + name, "x", false).ok());
  }
  Result<int> removed = pmix::RemoveVaderSegments(*dir, 0x1a2b);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(testing::ListDir(*dir).size(), 2u);
  ASSERT_TRUE(MakeDirs(*dir + "/sub/deeper").ok());
  ASSERT_TRUE(pmix::ClearDirectory(*dir).ok());
  EXPECT_TRUE(testing::ListDir(*dir).empty());
  EXPECT_TRUE(PathExists(*dir));
  EXPECT_TRUE(pmix::ClearDirectory(*dir + "/missing").ok());
}

}  // namespace
}  // namespace herd::plugin
