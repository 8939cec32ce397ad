// herd hreport — sreport's reports from the hourly rollups: the title block, the column
// names cut to their widths, the figures in the -t format, as sreport 22.05 prints them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "commands/hreport/hreport_options.h"
#include "common/proto/types.h"
#include "controller/acct/acct_record.h"

namespace herd::hreport {

struct ReportInput {
  std::string cluster;
  uint64_t cluster_cpus = 0;  // the configured nodes' cpus (herd.conf)
  int64_t down_cpu_s = 0;     // cpu-seconds of nodes down or drained within the period
  std::vector<ctld::acct::UsageRow> usage;  // the period's rollups
  // A user's full name (the passwd entry's first GECOS field), "" when none.
  std::function<std::string(const std::string& user)> proper_name;
};

// The whole output of the report `o` asks for.
std::string RenderReport(const HreportOptions& o, const ReportInput& in);

// The cpu-seconds within [start, end) of node state periods (an open one lasts until
// `now`), each node counted with its configured cpus; nodes not configured now count none.
int64_t DownCpuSeconds(const std::vector<ctld::acct::NodeEventRow>& events,
                       const std::map<std::string, uint32_t>& node_cpus, int64_t start, int64_t end,
                       int64_t now);

// The allocated cpu-seconds of the jobs still running (from the controller), within
// [start, end) and before the start of `now`'s hour, as rollup rows: the hours a running
// job has finished count as sreport's hourly rollup counts them; its row in the database
// is rolled only when it ends, so nothing is counted twice.
std::vector<ctld::acct::UsageRow> RunningUsage(const std::vector<proto::JobInfo>& jobs,
                                               int64_t start, int64_t end, int64_t now);

// One time figure as sreport prints it: seconds, rounded minutes or hours, a percentage
// of `total`, or both ("12(3.45%)").
std::string FormatTime(int64_t seconds, int64_t total, TimeFormat t);

}  // namespace herd::hreport
