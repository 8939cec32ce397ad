// herd hacctmgr — `archive dump` and `archive load` (sacctmgr's): the accounting
// database's purge run now, and an archive file's rows stored again (doc/accounting.md
// "Purge and archive"). Both work on the database herd.conf names, directly.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/config/config.h"

namespace herd::hacctmgr {

// `archive dump` options over herd.conf's policy: Directory=, Events, Jobs, Steps, Usage
// (archive those), PurgeEventAfter=, PurgeJobAfter=, PurgeStepAfter=, PurgeUsageAfter=.
Result<AcctPurgeConfig> ParseDumpArgs(const std::vector<std::string>& args, AcctPurgeConfig base);
// `archive load` options: File= (required).
Result<std::string> ParseLoadArgs(const std::vector<std::string>& args);

// Runs `archive dump|load ARGS`; returns the exit code, having printed what it did.
int ArchiveCommand(const std::string& cmd, const std::vector<std::string>& words);

}  // namespace herd::hacctmgr
