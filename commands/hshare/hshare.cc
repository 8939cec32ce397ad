// herd hshare — options and the table, in sshare's columns and widths.
#include "commands/hshare/hshare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "commands/lib/cli.h"
#include "commands/lib/option_table.h"
#include "commands/lib/table.h"
#include "common/base/strings.h"

namespace herd::hshare {
namespace {

enum LongOnly : int { kHelp = 256, kUsage };

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"all", 'a', no_argument},         {"long", 'l', no_argument},
      {"parsable", 'P', no_argument},    {"noheader", 'n', no_argument},
      {"users", 'u', required_argument}, {"accounts", 'A', required_argument},
      {"help", 0, no_argument, kHelp},   {"usage", 0, no_argument, kUsage},
      {"version", 'V', no_argument},
  };
  return table;
}

Status Apply(int opt, const char* arg, HshareOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'a':
      o->all = true;
      break;
    case 'l':
      o->long_format = true;
      break;
    case 'P':
      o->parsable = true;
      break;
    case 'n':
      o->noheader = true;
      break;
    case 'u':
      for (const std::string& u : cli::SplitList(v)) {
        auto name = cli::ResolveUserName(u);
        o->users.push_back(name.ok() ? *name : u);
      }
      break;
    case 'A':
      for (const std::string& a : cli::SplitList(v)) o->accounts.push_back(a);
      break;
    case kHelp:
    case kUsage:
      o->help = true;
      break;
    case 'V':
      o->version = true;
      break;
    default:
      return cli::UsageError("unexpected option");
  }
  return Status::Ok();
}

struct Column {
  const char* title;
  size_t width;
  bool right;
};

std::string Fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

// Jobs without -A belong to the default account, shown as Slurm shows a missing name.
std::string AccountName(const std::string& a) { return a.empty() ? "(null)" : a; }

bool Has(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

Result<HshareOptions> ParseHshareArgs(const std::vector<std::string>& args) {
  HshareOptions o;
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(Table().Parse(
      "hshare", args, /*stop_at_positional=*/false,
      [&o](int opt, const char* arg) { return Apply(opt, arg, &o); }, &positional));
  if (!positional.empty() && !o.help && !o.version) {
    return cli::UsageError("unrecognized argument '" + positional[0] + "'");
  }
  return o;
}

std::string Render(const HshareOptions& o, const proto::QueryShareReply& rep,
                   const std::string& caller) {
  std::vector<Column> cols = {{"Account", 20, false},
                              {"User", 10, true},
                              {"RawShares", 10, true},
                              {"NormShares", 11, true},
                              {"RawUsage", 11, true}};
  if (o.long_format) cols.push_back({"NormUsage", 11, true});
  cols.push_back({"EffectvUsage", 13, true});
  cols.push_back({"FairShare", 10, true});
  if (o.long_format) cols.push_back({"LevelFS", 10, true});
  double total = 0;
  for (const proto::ShareInfo& r : rep.rows) {
    if (r.depth == 0) total = r.raw_usage;
  }
  // -A: the lines of the accounts named and of their users (not their child accounts),
  // the account's at the left, as sshare prints them.
  std::vector<std::vector<std::string>> rows;
  for (const proto::ShareInfo& r : rep.rows) {
    uint32_t depth = r.depth;
    if (!o.accounts.empty()) {
      if (!Has(o.accounts, AccountName(r.account))) continue;
      depth = r.user.empty() ? 0 : 1;
    }
    if (!r.user.empty()) {
      if (!o.users.empty() ? !Has(o.users, r.user) : (!o.all && r.user != caller)) continue;
    }
    const bool root = r.depth == 0;
    std::vector<std::string> row;
    const std::string name = root ? r.account : AccountName(r.account);
    row.push_back(std::string(depth, ' ') + name);  // -P too
    row.push_back(r.user);
    row.push_back(root ? "" : std::to_string(r.raw_shares));
    row.push_back(root ? Fixed(0) : Fixed(r.norm_shares));
    row.push_back(std::to_string(std::llround(r.raw_usage)));
    if (o.long_format) row.push_back(root ? "" : Fixed(total > 0 ? r.raw_usage / total : 0));
    row.push_back(root ? Fixed(1) : Fixed(r.effective_usage));
    row.push_back(r.user.empty() ? "" : Fixed(r.fairshare));
    if (o.long_format) {
      row.push_back(root || !rep.fair_tree   ? ""
                    : std::isinf(r.level_fs) ? "inf"
                                             : Fixed(r.level_fs));
    }
    rows.push_back(std::move(row));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cols.size(); ++c) {
      if (o.parsable) {
        out += cells[c] + (c + 1 < cols.size() ? "|" : "");
      } else {
        out += cli::Justify(cells[c], cols[c].width, cols[c].right) + " ";
      }
    }
    out += "\n";
  };
  if (!o.noheader) {
    std::vector<std::string> titles, dashes;
    for (const Column& c : cols) {
      titles.push_back(c.title);
      dashes.push_back(std::string(c.width, '-'));
    }
    line(titles);
    if (!o.parsable) line(dashes);
  }
  for (const auto& r : rows) line(r);
  return out;
}

std::string HshareUsage() {
  return "Usage: hshare [OPTIONS]\n"
         "  -a, --all            list all users\n"
         "  -A, --accounts=      display specific accounts (comma separated list)\n"
         "  -l, --long           include normalized usage and level fair-share\n"
         "  -n, --noheader       omit the header\n"
         "  -P, --parsable       '|' delimited output without a trailing '|'\n"
         "  -u, --users=         display specific users (comma separated list)\n"
         "  -V, --version        output version information and exit\n"
         "      --help, --usage  show this help message\n";
}

}  // namespace herd::hshare
