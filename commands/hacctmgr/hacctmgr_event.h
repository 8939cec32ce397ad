// herd hacctmgr — sacctmgr's `show event` (alias `list event`): node state periods from
// the accounting database, with sacctmgr's conditions (nodes=, states=, start=, end=,
// user=, event=, format=) and columns. Other entities come with the scheduling work
// (accounts, users, QOS); this file is only the event part.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "controller/acct/acct_record.h"

namespace herd::hacctmgr {

struct EventField {
  std::string name;  // canonical spelling ("NodeName")
  int width = 0;     // columns; < 0 left-justified
};

// The width a format= item asks for: "Name%N" (right-justified in N columns), "Name%-N"
// (left-justified), or `default_width` without '%'.
Result<int> FieldWidth(const std::string& item, int default_width);

// The conditions and columns of one `show event` command.
struct EventOptions {
  ctld::acct::EventQuery query;
  std::vector<EventField> fields;
};

// Parses the words after "show event" ("nodes=n[1-2]", "start=now-1days", ...). `now`:
// the wall clock, for the default window (00:00 of the previous day, as sacctmgr's; none
// when states= is given: the periods still open in those states).
Result<EventOptions> ParseEventArgs(const std::vector<std::string>& words, int64_t now);

// How the rows are printed: parsable ('|' between fields, -p one after the last too) or
// in columns; without a header line with -n.
struct Printing {
  bool parsable = false;
  bool trailing_delimiter = false;
  bool noheader = false;
};

// The table: a header (unless noheader), then a row per period. `cluster`: ClusterName.
std::string RenderEvents(const std::vector<ctld::acct::NodeEventRow>& rows, const EventOptions& o,
                         const Printing& p, const std::string& cluster, int64_t now);

}  // namespace herd::hacctmgr
