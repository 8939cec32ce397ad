// herd — AccountingStorageEnforce (doc/associations.md): a job's account and QOS checked
// and resolved at submission, the submit limits (MaxSubmitJobs, GrpSubmitJobs and their
// QOS twins) refused there, and the run-time limits (MaxJobs, GrpJobs, GrpTRES,
// MaxTRESPerJob, MaxWall) the scheduler holds a job back for, with Slurm's reasons. Pure
// functions of the association tree and the usage the state derives from its jobs.
#pragma once

#include <string>

#include "common/config/config.h"
#include "controller/state/assoc_tree.h"
#include "controller/state/assoc_usage.h"

namespace herd::ctld {

// Slurm's refusals, word for word.
inline constexpr const char* kInvalidAccount =
    "Invalid account or account/partition combination specified";
inline constexpr const char* kInvalidQos = "Invalid qos specification";
inline constexpr const char* kSubmitLimit =
    "Job violates accounting/QOS policy (job submit limit, user's size and/or time limits)";

// With associations enforced: an empty account becomes the user's DefaultAccount, an
// empty QOS "normal" (every association's default). Refused (kInvalidArgument, Slurm's
// words) for a user without associations, an account that does not exist or that the
// user has no association with, and a QOS that does not exist (herd keeps no QOS list
// per association: every QOS defined may be used).
Status ResolveAssoc(const AssocTree& tree, const AcctEnforce& enforce, const std::string& user,
                    std::string* account, std::string* qos);

// The MaxWall that applies to the job's association and QOS (the QOS's first, as in
// Slurm); -1 when none.
int64_t EffectiveMaxWall(const AssocTree& tree, const std::string& user, const std::string& account,
                         const std::string& qos);

// With limits enforced, whether `tasks` more jobs of `job`'s association and QOS may be
// submitted: kResourceExhausted with kSubmitLimit when one of the submit limits would be
// passed; the limit's name (AssocMaxSubmitJobLimit, ...) in `*which`.
Status CheckSubmitLimits(const AssocTree& tree, const AssocCounters& usage, const Job& job,
                         int64_t tasks, std::string* which);

// Why `job` may not start now by its association's and QOS limits, given `usage` (the
// state's, plus the starts already planned in the pass); kNone when it may.
PendingReason RunLimitReason(const AssocTree& tree, const AssocCounters& usage, const Job& job);

}  // namespace herd::ctld
