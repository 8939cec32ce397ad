// herd hshare — the fair-share tree (sshare's interface): options and the table.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::hshare {

struct HshareOptions {
  bool all = false;                   // -a: every user, not only the caller's lines
  bool long_format = false;           // -l: NormUsage and LevelFS too
  bool parsable = false;              // -P: '|' between fields
  bool noheader = false;              // -n
  std::vector<std::string> users;     // -u
  std::vector<std::string> accounts;  // -A
  bool help = false;
  bool version = false;
};

Result<HshareOptions> ParseHshareArgs(const std::vector<std::string>& args);

// The table for `rep`, as `caller` (user name) asked for it.
std::string Render(const HshareOptions& o, const proto::QueryShareReply& rep,
                   const std::string& caller);

std::string HshareUsage();

}  // namespace herd::hshare
