// herd — sacctmgr's settings of accounts, users and QOS (`add ... K=V`, `modify ... set
// K=V`), applied to the records of common/proto/assoc.h. Keys in any case, with the
// aliases sacctmgr accepts; -1 clears a limit, as in sacctmgr.
#pragma once

#include <string>

#include "common/base/status.h"
#include "common/proto/assoc.h"

namespace herd::ctld {

// "cpu=4,mem=2G,node=1,gres/gpu=2" over `base`: each named TRES set (mem in MB), or
// removed with -1. Unknown TRES and bad numbers are refused.
Result<proto::TresMap> ParseTres(const std::string& text, proto::TresMap base);

// The limit keys (GrpJobs, GrpSubmitJobs, MaxJobs, MaxSubmitJobs, MaxWall, MaxTRES,
// GrpTRES and their long names; for a QOS MaxJobsPerUser, MaxSubmitJobsPerUser too).
// kNotFound when `key` is not one of them.
Status ApplyLimitKey(proto::AssocLimits* l, const std::string& key, const std::string& value,
                     bool qos);
// Parent, Fairshare, Description, Organization and the limits.
Status ApplyAccountKey(proto::AccountRecord* a, const std::string& key, const std::string& value);
// Fairshare and the limits of one user's association.
Status ApplyUserAssocKey(proto::UserAssoc* u, const std::string& key, const std::string& value);
// Priority, Description, Flags, UsageFactor and the limits.
Status ApplyQosKey(proto::QosRecord* q, const std::string& key, const std::string& value);

}  // namespace herd::ctld
