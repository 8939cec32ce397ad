// herd hreport — the four reports. Every figure is allocated CPU time from the hourly
// rollups; the cluster's capacity is its configured cpus over the period and its down
// time the node state periods the controller recorded.
#include "commands/hreport/hreport_reports.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "commands/lib/display.h"
#include "commands/lib/timefmt.h"

namespace herd::hreport {
namespace {

using ctld::acct::UsageRow;

struct Column {
  std::string name;
  int width;
};
using Row = std::vector<std::string>;

const std::string kRule(80, '-');

bool IsPer(TimeFormat t) {
  return t == TimeFormat::kSecPer || t == TimeFormat::kMinPer || t == TimeFormat::kHourPer;
}
int TimeWidth(TimeFormat t) { return IsPer(t) ? 17 : 8; }

// sreport cuts a value to its column without a mark, right-justified.
std::string Fit(const std::string& v, int width) {
  std::string s = cli::EscapeForDisplay(v);
  if (cli::DisplayWidth(s) > static_cast<size_t>(width)) s = cli::CutToWidth(s, width);
  return std::string(width - cli::DisplayWidth(s), ' ') + s;
}

std::string Table(const HreportOptions& o, const std::vector<Column>& cols,
                  const std::vector<Row>& rows) {
  std::string out;
  auto line = [&](const std::function<std::string(size_t)>& cell) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (o.parsable) {
        out += cell(i);
        if (i + 1 < cols.size() || o.trailing_delimiter) out += "|";
      } else {
        out += Fit(cell(i), cols[i].width) + " ";
      }
    }
    out += "\n";
  };
  if (!o.noheader) {
    line([&](size_t i) { return cols[i].name; });
    if (!o.parsable) {
      for (const Column& c : cols) out += std::string(c.width, '-') + " ";
      out += "\n";
    }
  }
  for (const Row& r : rows) line([&](size_t i) { return r[i]; });
  return out;
}

std::string Title(const HreportOptions& o, const std::string& what, bool secs,
                  const std::string& unit_line) {
  if (o.noheader) return "";
  std::string t = kRule + "\n" + what + " " + cli::FormatTimestamp(o.start) + " - " +
                  cli::FormatTimestamp(o.end - 1);
  if (secs) t += " (" + std::to_string(o.end - o.start) + " secs)";
  return t + "\n" + unit_line + "\n" + kRule + "\n";
}

std::string UsageUnit(TimeFormat t) { return "Usage reported in " + TimeFormatName(t); }

// Job reports name the unit without "CPU ".
std::string JobTimeUnit(TimeFormat t) {
  std::string name = TimeFormatName(t);
  if (name.rfind("CPU ", 0) == 0) name.erase(0, 4);
  return "Time reported in " + name;
}

bool Wanted(const std::vector<std::string>& list, const std::string& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

std::vector<UsageRow> Filtered(const HreportOptions& o, const std::vector<UsageRow>& usage) {
  std::vector<UsageRow> out;
  for (const UsageRow& u : usage) {
    if (Wanted(o.accounts, u.account) && Wanted(o.users, u.user)) out.push_back(u);
  }
  return out;
}

int64_t Capacity(const HreportOptions& o, const ReportInput& in) {
  return static_cast<int64_t>(in.cluster_cpus) * (o.end - o.start);
}

std::string Utilization(const HreportOptions& o, const ReportInput& in) {
  int64_t allocated = 0;
  for (const UsageRow& u : in.usage) allocated += u.cpu_s;
  const int64_t reported = Capacity(o, in);
  const int64_t down = std::min(in.down_cpu_s, reported);
  const int64_t idle = std::max<int64_t>(reported - allocated - down, 0);
  const int w = TimeWidth(o.time);
  auto t = [&](int64_t v) { return FormatTime(v, reported, o.time); };
  return Title(o, "Cluster Utilization", false, UsageUnit(o.time)) +
         Table(o,
               {{"Cluster", 9},
                {"Allocated", w},
                {"Down", w},
                {"PLND Down", w},
                {"Idle", w},
                {"Planned", w},
                {"Reported", w}},
               {{in.cluster, t(allocated), t(down), t(0), t(idle), t(0), t(reported)}});
}

// Per account (by name), then its users (by usage, most first), each line with its sum;
// "root" first with the whole cluster's, as sreport's tree has it.
std::string AccountUtilizationByUser(const HreportOptions& o, const ReportInput& in) {
  std::map<std::string, int64_t> accounts;
  std::map<std::string, std::map<std::string, int64_t>> users;
  int64_t total = 0;
  for (const UsageRow& u : Filtered(o, in.usage)) {
    accounts[u.account] += u.cpu_s;
    users[u.account][u.user] += u.cpu_s;
    total += u.cpu_s;
  }
  const int64_t reported = Capacity(o, in);
  auto t = [&](int64_t v) { return FormatTime(v, reported, o.time); };
  std::vector<Row> rows;
  if (!accounts.empty() && o.accounts.empty()) {
    rows.push_back({in.cluster, "root", "", "", t(total), "0"});
  }
  for (const auto& [account, used] : accounts) {
    rows.push_back({in.cluster, account, "", "", t(used), "0"});
    std::vector<std::pair<std::string, int64_t>> by_use(users[account].begin(),
                                                        users[account].end());
    std::stable_sort(by_use.begin(), by_use.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [user, secs] : by_use) {
      rows.push_back({in.cluster, account, user, in.proper_name(user), t(secs), "0"});
    }
  }
  const int w = TimeWidth(o.time);
  return Title(o, "Cluster/Account/User Utilization", true, UsageUnit(o.time)) +
         Table(o,
               {{"Cluster", 9},
                {"Account", 15},
                {"Login", 9},
                {"Proper Name", 15},
                {"Used", w},
                {"Energy", 8}},
               rows);
}

std::string TopUsage(const HreportOptions& o, const ReportInput& in) {
  struct Line {
    std::string user, account;
    int64_t secs = 0;
  };
  std::map<std::pair<std::string, std::string>, Line> lines;
  for (const UsageRow& u : Filtered(o, in.usage)) {
    Line& l = lines[{u.user, o.group_accounts ? "" : u.account}];
    l.user = u.user;
    if (o.group_accounts) {
      if (l.account.find(u.account) == std::string::npos) {
        l.account += (l.account.empty() ? "" : ",") + u.account;
      }
    } else {
      l.account = u.account;
    }
    l.secs += u.cpu_s;
  }
  std::vector<Line> sorted;
  for (auto& [key, l] : lines) sorted.push_back(l);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Line& a, const Line& b) { return a.secs > b.secs; });
  if (sorted.size() > o.top_count) sorted.resize(o.top_count);
  const int64_t reported = Capacity(o, in);
  std::vector<Row> rows;
  for (const Line& l : sorted) {
    rows.push_back({in.cluster, l.user, in.proper_name(l.user), l.account,
                    FormatTime(l.secs, reported, o.time), "0"});
  }
  const int w = TimeWidth(o.time);
  return Title(o, "Top " + std::to_string(o.top_count) + " Users", true, UsageUnit(o.time)) +
         Table(o,
               {{"Cluster", 9},
                {"Login", 9},
                {"Proper Name", 15},
                {"Account", 15},
                {"Used", w},
                {"Energy", 8}},
               rows);
}

std::string SizesByAccount(const HreportOptions& o, const ReportInput& in) {
  const std::vector<uint32_t>& g = o.grouping;
  std::vector<Column> cols{{"Cluster", 9}, {"Account", 9}};
  const int w = IsPer(o.time) ? 17 : 13;
  uint32_t low = 0;
  for (uint32_t edge : g) {
    cols.push_back({std::to_string(low) + "-" + std::to_string(edge - 1) + " CPUs", w});
    low = edge;
  }
  cols.push_back({">= " + std::to_string(low) + " CPUs", w});
  cols.push_back({"% of cluster", 12});
  // One row for all accounts ("root"), or one per account with FlatView or Accounts=.
  const bool per_account = o.flat_view || !o.accounts.empty();
  std::map<std::string, std::vector<int64_t>> bins;
  int64_t total = 0;
  for (const UsageRow& u : Filtered(o, in.usage)) {
    std::vector<int64_t>& b = bins[per_account ? u.account : "root"];
    b.resize(g.size() + 1);
    const size_t bin =
        static_cast<size_t>(std::upper_bound(g.begin(), g.end(), u.cpus) - g.begin());
    b[bin] += u.cpu_s;
    total += u.cpu_s;
  }
  std::vector<Row> rows;
  for (const auto& [account, b] : bins) {
    Row r{in.cluster, account};
    int64_t sum = 0;
    for (int64_t v : b) {
      r.push_back(FormatTime(v, total, o.time));
      sum += v;
    }
    char pct[32];
    std::snprintf(pct, sizeof pct, "%.2f%%", total > 0 ? 100.0 * sum / total : 0.0);
    r.push_back(pct);
    rows.push_back(std::move(r));
  }
  return Title(o, "Job Sizes", true, JobTimeUnit(o.time)) + Table(o, cols, rows);
}

}  // namespace

std::vector<UsageRow> RunningUsage(const std::vector<proto::JobInfo>& jobs, int64_t start,
                                   int64_t end, int64_t now) {
  constexpr int64_t kHour = 3600;
  const int64_t until = std::min(end, now - now % kHour);
  std::vector<UsageRow> out;
  for (const proto::JobInfo& j : jobs) {
    if (j.state != proto::JobState::kRunning || j.start_time <= 0 || j.num_cpus == 0) continue;
    const int64_t from = std::max(start, j.start_time);
    if (from >= until) continue;
    UsageRow u;
    u.account = j.account;
    u.user = j.user;
    u.uid = j.uid;
    u.cpus = j.num_cpus;
    u.cpu_s = (until - from) * static_cast<int64_t>(j.num_cpus);
    out.push_back(std::move(u));
  }
  return out;
}

std::string FormatTime(int64_t seconds, int64_t total, TimeFormat t) {
  const double v = static_cast<double>(seconds);
  const double pct = total > 0 ? v / static_cast<double>(total) * 100 : 0.0;
  char buf[64];
  switch (t) {
    case TimeFormat::kSeconds:
      return std::to_string(seconds);
    case TimeFormat::kHours:
      std::snprintf(buf, sizeof buf, "%.0f", v / 3600);
      break;
    case TimeFormat::kPercent:
      std::snprintf(buf, sizeof buf, "%.2f%%", pct);
      break;
    case TimeFormat::kSecPer:
      std::snprintf(buf, sizeof buf, "%lld(%.2f%%)", static_cast<long long>(seconds), pct);
      break;
    case TimeFormat::kMinPer:
      std::snprintf(buf, sizeof buf, "%.0f(%.2f%%)", v / 60, pct);
      break;
    case TimeFormat::kHourPer:
      std::snprintf(buf, sizeof buf, "%.0f(%.2f%%)", v / 3600, pct);
      break;
    case TimeFormat::kMinutes:
      std::snprintf(buf, sizeof buf, "%.0f", v / 60);
      break;
  }
  return buf;
}

int64_t DownCpuSeconds(const std::vector<ctld::acct::NodeEventRow>& events,
                       const std::map<std::string, uint32_t>& node_cpus, int64_t start, int64_t end,
                       int64_t now) {
  int64_t total = 0;
  for (const auto& e : events) {
    auto cpus = node_cpus.find(e.node);
    if (cpus == node_cpus.end()) continue;
    const int64_t from = std::max(e.time_start, start);
    const int64_t to = std::min(e.time_end > 0 ? e.time_end : now, end);
    if (to > from) total += (to - from) * cpus->second;
  }
  return total;
}

std::string RenderReport(const HreportOptions& o, const ReportInput& in) {
  switch (o.report) {
    case Report::kAccountUtilizationByUser:
      return AccountUtilizationByUser(o, in);
    case Report::kTopUsage:
      return TopUsage(o, in);
    case Report::kSizesByAccount:
      return SizesByAccount(o, in);
    case Report::kUtilization:
      break;
  }
  return Utilization(o, in);
}

}  // namespace herd::hreport
