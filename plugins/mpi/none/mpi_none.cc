// herd — mpi/none (see mpi_none.h).
#include "plugins/mpi/none/mpi_none.h"

namespace herd::plugin {
namespace {

class NoneMpiServer : public MpiServer {
 public:
  Status Start(const MpiStepInfo& /*info*/, MpiHost* /*host*/) override { return Status::Ok(); }
  Result<std::vector<std::string>> TaskEnv(uint32_t /*rank*/) override {
    return std::vector<std::string>();
  }
  // Never called: this plugin starts no fence.
  void FenceDone(uint64_t /*seq*/, const std::string& /*data*/) override {}
  void Stop() override {}
};

}  // namespace

std::unique_ptr<MpiServer> MakeNoneMpiServer() { return std::make_unique<NoneMpiServer>(); }

}  // namespace herd::plugin
