// herd accounting commands — opening the configured database.
#include "commands/hacct/acct_open.h"

#include "commands/lib/cli.h"

namespace herd::hacct {

Result<OpenedStore> OpenConfiguredStore(bool read_only) {
  OpenedStore out;
  HERD_ASSIGN_OR_RETURN(out.config, LoadConfig(cli::ConfigPath()));
  if (out.config.acct_type.empty()) {
    return FailedPrecondition("accounting is not configured (AccountingStorageType in " +
                              out.config.source_path + ")");
  }
  HERD_ASSIGN_OR_RETURN(out.store,
                        ctld::acct::OpenStore(ctld::acct::StorageConfigOf(out.config), read_only));
  return out;
}

}  // namespace herd::hacct
