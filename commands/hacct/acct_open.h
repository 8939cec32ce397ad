// herd accounting commands (hacct, hacctmgr, heff, hreport) — the database herd.conf names,
// opened read-only, with the configuration it came from.
#pragma once

#include <memory>

#include "common/base/status.h"
#include "common/config/config.h"
#include "controller/acct/acct_store.h"

namespace herd::hacct {

struct OpenedStore {
  ClusterConfig config;
  std::unique_ptr<ctld::acct::AcctStore> store;
};

// Loads herd.conf (cli::ConfigPath()) and opens its accounting database (read-only unless
// asked; writable brings its schema up to date); an error when accounting is not configured
// or the database cannot be opened.
Result<OpenedStore> OpenConfiguredStore(bool read_only = true);

}  // namespace herd::hacct
