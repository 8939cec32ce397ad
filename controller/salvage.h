// herd — `herdctld --salvage`: turns a state directory that herdctld refuses to load
// (damaged journal or checkpoint, sequence gap, missing journal) into one it starts from,
// keeping every valid record, and says which jobs are lost or lose updates.
#pragma once

#include <ostream>
#include <string>

#include "common/base/status.h"
#include "common/config/config.h"

namespace herd::ctld {

// Salvages `dir` (the controller must be stopped: the directory's lock is taken). The
// damaged files are copied to <dir>/salvage-<UTC time>/ first. The report goes to `out`.
Status SalvageStateDir(const ClusterConfig& config, const std::string& dir, std::ostream& out);

// The job a journal record is about, when its body decodes (0 when it is about none).
Result<uint64_t> JobOfRecord(uint16_t type, const std::string& body);
const char* RecordTypeName(uint16_t type);

}  // namespace herd::ctld
