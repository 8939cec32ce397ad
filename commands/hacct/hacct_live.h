// herd hacct — the controller's view merged into the stored records: a job the
// controller still holds shows as it is now (pending, running, just ended) even while the
// database lags behind it (a slow or absent database, or the feed's few hundred ms); the
// stored record keeps what only it has (steps, account, usage).
#pragma once

#include <vector>

#include "common/proto/types.h"
#include "controller/acct/acct_record.h"

namespace herd::hacct {

// A job as the controller shows it, as an accounting row (no steps, account or usage).
ctld::acct::JobRow RowOf(const proto::JobInfo& j);

// Whether `r` is one of the jobs `q` asks for (what AcctStore::Jobs selects in SQL).
bool Matches(const ctld::acct::JobRow& r, const ctld::acct::JobQuery& q);

// `stored` with the controller's `live` jobs merged in: a stored job takes the live state,
// times, nodes and exit status; a live job not stored yet is added when `q` asks for it.
// By job id.
std::vector<ctld::acct::JobRow> MergeLive(std::vector<ctld::acct::JobRow> stored,
                                          const std::vector<proto::JobInfo>& live,
                                          const ctld::acct::JobQuery& q);

}  // namespace herd::hacct
