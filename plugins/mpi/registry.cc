// herd — the static registry of MPI plugins: MakeMpiServer and MpiTypes (plugins/api/mpi.h).
//
// Threads: stateless; any thread.
#include <memory>
#include <string>
#include <vector>

#include "common/base/strings.h"
#include "plugins/api/mpi.h"
#include "plugins/mpi/none/mpi_none.h"
#include "plugins/mpi/pmix/pmix_server.h"

namespace herd::plugin {

std::vector<std::string> MpiTypes() { return {"none", "pmix"}; }

Result<std::unique_ptr<MpiServer>> MakeMpiServer(const std::string& type) {
  std::string name = StartsWith(type, "mpi/") ? type.substr(4) : type;
  if (name == "none") return MakeNoneMpiServer();
  if (name == "pmix") return std::unique_ptr<MpiServer>(std::make_unique<PmixServer>());
  return InvalidArgument("unknown MPI type '" + type + "' (known: " + Join(MpiTypes(), ", ") + ")");
}

}  // namespace herd::plugin
