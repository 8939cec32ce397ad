// herd hacctmgr — show event: conditions, fields and the table, as sacctmgr 22.05 prints
// node events (a period per state change: DOWN, DRAIN, DOWN+DRAIN, from its start until
// the next change; "Unknown" end while it lasts).
#include "commands/hacctmgr/hacctmgr_event.h"

#include <algorithm>
#include <functional>

#include "commands/hacct/hacct_fields.h"
#include "commands/hacct/hacct_options.h"
#include "commands/lib/cli.h"
#include "commands/lib/timefmt.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::hacctmgr {
namespace {

using ctld::acct::NodeEventRow;

struct Column {
  const char* name;
  const char* header;
  int width;
  std::function<std::string(const NodeEventRow&, const std::string& cluster, int64_t now)> get;
};

std::string UserOf(uint32_t uid) {
  const std::string name = hacct::UserNameOf(uid);
  return (name.empty() ? std::to_string(uid) : name) + "(" + std::to_string(uid) + ")";
}

const std::vector<Column>& Columns() {
  static const std::vector<Column> columns = {
      {"Cluster", "Cluster", 10,
       [](const NodeEventRow&, const std::string& c, int64_t) { return c; }},
      {"ClusterNodes", "Cluster Nodes", 20,
       [](const NodeEventRow&, const std::string&, int64_t) { return std::string(); }},
      {"Duration", "Duration", 13,
       [](const NodeEventRow& e, const std::string&, int64_t now) {
         return cli::FormatRunTime(
             std::max<int64_t>((e.time_end > 0 ? e.time_end : now) - e.time_start, 0));
       }},
      {"End", "TimeEnd", 19,
       [](const NodeEventRow& e, const std::string&, int64_t) {
         return cli::FormatTimestamp(e.time_end);
       }},
      {"Event", "Event", 7,
       [](const NodeEventRow&, const std::string&, int64_t) { return std::string("Node"); }},
      {"EventRaw", "EventRaw", 8,
       [](const NodeEventRow&, const std::string&, int64_t) { return std::string("2"); }},
      {"NodeName", "NodeName", -15,
       [](const NodeEventRow& e, const std::string&, int64_t) { return e.node; }},
      {"Reason", "Reason", 30,
       [](const NodeEventRow& e, const std::string&, int64_t) { return e.reason; }},
      {"Start", "TimeStart", 19,
       [](const NodeEventRow& e, const std::string&, int64_t) {
         return cli::FormatTimestamp(e.time_start);
       }},
      {"State", "State", 6,
       [](const NodeEventRow& e, const std::string&, int64_t) { return e.state; }},
      {"TimeEnd", "TimeEnd", 19,
       [](const NodeEventRow& e, const std::string&, int64_t) {
         return cli::FormatTimestamp(e.time_end);
       }},
      {"TimeStart", "TimeStart", 19,
       [](const NodeEventRow& e, const std::string&, int64_t) {
         return cli::FormatTimestamp(e.time_start);
       }},
      {"User", "User", 10,
       [](const NodeEventRow& e, const std::string&, int64_t) { return UserOf(e.reason_uid); }},
  };
  return columns;
}

const Column* FindColumn(const std::string& name) {
  for (const Column& c : Columns()) {
    if (EqualsIgnoreCase(c.name, name)) return &c;
  }
  return nullptr;
}

constexpr char kDefaultFormat[] = "Cluster,NodeName,TimeStart,TimeEnd,State,Reason,User";

Result<std::vector<EventField>> ParseFields(const std::string& spec) {
  std::vector<EventField> out;
  for (const std::string& item : cli::SplitList(spec)) {
    const size_t pct = item.find('%');
    const Column* c = FindColumn(item.substr(0, pct));
    if (c == nullptr)
      return InvalidArgument("Unknown field '" + ToLower(item.substr(0, pct)) + "'");
    HERD_ASSIGN_OR_RETURN(const int width, FieldWidth(item, c->width));
    out.push_back(EventField{c->name, width});
  }
  if (out.empty()) return InvalidArgument("No fields given to format=");
  return out;
}

}  // namespace

Result<int> FieldWidth(const std::string& item, int default_width) {
  const size_t pct = item.find('%');
  if (pct == std::string::npos) return default_width;
  // "%N" right-justifies in N columns, "%-N" left-justifies (as sacctmgr).
  std::string w = item.substr(pct + 1);
  const bool left = !w.empty() && w[0] == '-';
  auto n = ParseUint(left ? w.substr(1) : w, 4096);
  if (!n.ok() || *n == 0) return InvalidArgument("Invalid field width: \"" + item + "\"");
  return left ? -static_cast<int>(*n) : static_cast<int>(*n);
}

Result<EventOptions> ParseEventArgs(const std::vector<std::string>& words, int64_t now) {
  EventOptions o;
  std::string format = kDefaultFormat, start, end;
  for (const std::string& w : words) {
    const size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return InvalidArgument(" Unknown condition: " + w);
    std::string key = ToLower(w.substr(0, eq));
    if (key == "where" || key == "set") continue;  // sacctmgr's optional filler words
    const std::string value = w.substr(eq + 1);
    if (key == "nodes" || key == "node" || key == "nodename" || key == "nodelist") {
      for (const std::string& part : cli::SplitList(value)) {
        auto names = ExpandHostlist(part);
        if (!names.ok()) return InvalidArgument("Invalid node list: " + value);
        for (auto& n : *names) o.query.nodes.push_back(n);
      }
    } else if (key == "states" || key == "state") {
      for (const std::string& s : cli::SplitList(value)) o.query.states.push_back(ToUpper(s));
      o.query.open_only = true;
    } else if (key == "start" || key == "starttime") {
      start = value;
    } else if (key == "end" || key == "endtime") {
      end = value;
    } else if (key == "user" || key == "users") {
      for (const std::string& u : cli::SplitList(value)) {
        HERD_ASSIGN_OR_RETURN(uint32_t uid, hacct::ResolveUid(u));
        o.query.uids.push_back(uid);
      }
    } else if (key == "event" || key == "events") {
      for (const std::string& e : cli::SplitList(value)) {
        if (!EqualsIgnoreCase(e, "node") && !EqualsIgnoreCase(e, "cluster")) {
          return InvalidArgument(" Unknown event type: '" + e +
                                 "'  Valid events are Cluster and Node.");
        }
      }
    } else if (key == "format") {
      format = value;
    } else if (key == "cluster" || key == "clusters") {
      // One cluster per herd.conf: its own (ClusterName) is what is shown.
    } else {
      return InvalidArgument(" Unknown condition: " + w);
    }
  }
  HERD_ASSIGN_OR_RETURN(o.fields, ParseFields(format));
  // sacctmgr: since 00:00 of the previous day, unless states= asks for what is so now.
  if (!start.empty()) {
    HERD_ASSIGN_OR_RETURN(o.query.start, hacct::ParseSacctTime(start, now));
    o.query.open_only = false;
  } else if (!o.query.open_only) {
    HERD_ASSIGN_OR_RETURN(o.query.start, hacct::ParseSacctTime("midnight", now));
    o.query.start -= 86400;
  }
  if (!end.empty()) {
    HERD_ASSIGN_OR_RETURN(o.query.end, hacct::ParseSacctTime(end, now));
    o.query.open_only = false;
  }
  return o;
}

std::string RenderEvents(const std::vector<NodeEventRow>& rows, const EventOptions& o,
                         const Printing& p, const std::string& cluster, int64_t now) {
  std::string out;
  auto line = [&](const std::function<std::string(const EventField&, const Column&)>& cell) {
    std::string l;
    for (size_t i = 0; i < o.fields.size(); ++i) {
      const std::string v = cell(o.fields[i], *FindColumn(o.fields[i].name));
      l += p.parsable ? (i > 0 ? "|" : "") + v : v + " ";
    }
    if (p.parsable && p.trailing_delimiter) l += "|";
    out += l + "\n";
  };
  if (!p.noheader) {
    line([&](const EventField& f, const Column& c) {
      return p.parsable ? std::string(c.header) : hacct::Cell(c.header, f.width, true);
    });
    if (!p.parsable) {
      line([](const EventField& f, const Column&) {
        return std::string(static_cast<size_t>(std::abs(f.width)), '-');
      });
    }
  }
  for (const NodeEventRow& e : rows) {
    line([&](const EventField& f, const Column& c) {
      const std::string v = c.get(e, cluster, now);
      return p.parsable ? v : hacct::Cell(v, f.width, false);
    });
  }
  return out;
}

}  // namespace herd::hacctmgr
