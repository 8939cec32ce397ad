// herd hprio — options, formats and the table.
#include "commands/hprio/hprio.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "commands/lib/cli.h"
#include "commands/lib/option_table.h"
#include "commands/lib/table.h"
#include "common/base/strings.h"

namespace herd::hprio {
namespace {

enum LongOnly : int { kHelp = 256, kUsage };

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"jobs", 'j', optional_argument},   {"user", 'u', required_argument},
      {"partition", 'p', required_argument}, {"long", 'l', no_argument},
      {"norm", 'n', no_argument},         {"weights", 'w', no_argument},
      {"noheader", 'h', no_argument},     {"format", 'o', required_argument},
      {"help", 0, no_argument, kHelp},    {"usage", 0, no_argument, kUsage},
      {"version", 'V', no_argument},
  };
  return table;
}

Status Apply(int opt, const char* arg, HprioOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'j':
      o->jobs_given = true;
      for (const std::string& id : cli::SplitList(v)) {
        auto n = ParseUint(id);
        if (!n.ok() || *n == 0) return InvalidArgument("Invalid job id: " + id);
        o->job_ids.push_back(*n);
      }
      break;
    case 'u':
      for (const std::string& u : cli::SplitList(v)) {
        auto name = cli::ResolveUserName(u);
        if (!name.ok()) return InvalidArgument("Invalid user: " + u);
        o->users.push_back(*name);
      }
      break;
    case 'p':
      for (const std::string& p : cli::SplitList(v)) o->partitions.push_back(p);
      break;
    case 'l':
      o->long_format = true;
      break;
    case 'n':
      o->norm = true;
      break;
    case 'w':
      o->weights = true;
      break;
    case 'h':
      o->noheader = true;
      break;
    case 'o':
      if (v.empty()) return InvalidArgument("Invalid format: empty");
      o->format = v;
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

const std::map<char, std::string>& Titles() {
  static const std::map<char, std::string> titles = {
      {'a', "AGE"},      {'A', "AGE"},       {'b', "ASSOC"},     {'B', "ASSOC"},
      {'c', "CLUSTER"},  {'f', "FAIRSHARE"}, {'F', "FAIRSHARE"}, {'i', "JOBID"},
      {'j', "JOBSIZE"},  {'J', "JOBSIZE"},   {'N', "NICE"},      {'p', "PARTITION"},
      {'P', "PARTITION"}, {'q', "QOS"},      {'Q', "QOS"},       {'r', "PARTITION"},
      {'S', "SITE"},     {'t', "TRES"},      {'T', "TRES"},      {'u', "USER"},
      {'Y', "PRIORITY"}, {'y', "PRIORITY"},
  };
  return titles;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Weighted(uint32_t weight, double factor) {
  return std::to_string(std::llround(weight * factor));
}

std::string Cell(char code, const proto::PriorityInfo& j, const proto::QueryPriorityReply& w,
                 const std::string& cluster) {
  switch (code) {
    case 'a':
      return Fixed(j.age, 7);
    case 'A':
      return Weighted(w.weight_age, j.age);
    case 'b':
      return Fixed(0, 7);
    case 'B':
    case 'S':
      return "0";
    case 'c':
      return cluster;
    case 'f':
      return Fixed(j.fairshare, 7);
    case 'F':
      return Weighted(w.weight_fairshare, j.fairshare);
    case 'i':
      return std::to_string(j.job_id);
    case 'j':
      return Fixed(j.job_size, 7);
    case 'J':
      return Weighted(w.weight_job_size, j.job_size);
    case 'N':
      return std::to_string(j.nice);
    case 'p':
      return Fixed(j.partition_factor, 7);
    case 'P':
      return Weighted(w.weight_partition, j.partition_factor);
    case 'q':
      return Fixed(j.qos, 7);
    case 'Q':
      return Weighted(w.weight_qos, j.qos);
    case 'r':
      return j.partition;
    case 'u':
      return j.user;
    case 'Y':
      return std::to_string(j.priority);
    case 'y':
      return Fixed(j.priority / 4294967295.0, 8);
    default:  // t, T: no TRES weights in herd
      return "";
  }
}

// -w: the weights under their columns ("Weights" in the job id's).
std::string WeightCell(char code, const proto::QueryPriorityReply& w) {
  switch (code) {
    case 'i':
      return "Weights";
    case 'S':
      return "1";
    case 'A':
    case 'a':
      return std::to_string(w.weight_age);
    case 'F':
    case 'f':
      return std::to_string(w.weight_fairshare);
    case 'J':
    case 'j':
      return std::to_string(w.weight_job_size);
    case 'P':
    case 'p':
      return std::to_string(w.weight_partition);
    case 'Q':
    case 'q':
      return std::to_string(w.weight_qos);
    default:
      return "";
  }
}

}  // namespace

Result<HprioOptions> ParseHprioArgs(const std::vector<std::string>& args) {
  HprioOptions o;
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(Table().Parse(
      "hprio", args, /*stop_at_positional=*/false,
      [&o](int opt, const char* arg) { return Apply(opt, arg, &o); }, &positional));
  if (!positional.empty() && !o.help && !o.version) {
    return cli::UsageError("unrecognized argument '" + positional[0] + "'");
  }
  return o;
}

std::string DefaultFormat(const HprioOptions& o, const proto::QueryPriorityReply& w) {
  const bool all = o.long_format;
  auto add = [&](uint32_t weight, const char* weighted, const char* norm) {
    return all || weight != 0 ? std::string(o.norm ? norm : weighted) : std::string();
  };
  std::string f = "%.15i %9r";
  if (o.long_format) f += " %.8u";
  f += o.norm ? " %10y" : " %.10Y %.10S";
  f += add(w.weight_age, " %.10A", " %10a");
  if (all) f += o.norm ? " %10b" : " %.10B";
  f += add(w.weight_fairshare, " %.10F", " %10f");
  f += add(w.weight_job_size, " %.10J", " %10j");
  f += add(w.weight_partition, " %.10P", " %10p");
  f += add(w.weight_qos, " %.10Q", " %10q");
  if (o.long_format) f += o.norm ? " %20t" : " %.11N %.20T";
  return f;
}

Result<std::string> Render(const HprioOptions& o, const std::string& format,
                           const proto::QueryPriorityReply& rep) {
  HERD_ASSIGN_OR_RETURN(cli::TableFormat table, cli::TableFormat::Parse(format, Titles()));
  std::vector<std::vector<std::string>> rows;
  const std::vector<char> codes = table.codes();
  if (o.weights) {
    std::vector<std::string> row;
    for (char c : codes) row.push_back(WeightCell(c, rep));
    rows.push_back(std::move(row));
  } else {
    for (const proto::PriorityInfo& j : rep.jobs) {
      std::vector<std::string> row;
      for (char c : codes) row.push_back(Cell(c, j, rep, ""));
      rows.push_back(std::move(row));
    }
  }
  return table.Render(rows, !o.noheader);
}

std::string HprioUsage() {
  return "Usage: hprio [OPTIONS]\n"
         "  -h, --noheader              no headers on output\n"
         "  -j, --jobs[=job_id]         comma separated list of jobs to view\n"
         "  -l, --long                  long report\n"
         "  -n, --norm                  display normalized values\n"
         "  -o, --format=format         format specification\n"
         "  -p, --partition=partitions  comma separated list of partitions to view\n"
         "  -u, --user=user_name        comma separated list of users to view\n"
         "  -w, --weights               show the weights for each priority factor\n"
         "  -V, --version               output version information and exit\n"
         "      --help, --usage         show this help message\n";
}

}  // namespace herd::hprio
