// herd hinfo — option parsing and default formats.
#include "commands/hinfo/hinfo_options.h"

#include "commands/lib/cli.h"
#include "commands/lib/field_format.h"
#include "commands/lib/option_table.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd::hinfo {
namespace {

enum LongOnly : int { kHelp = 256, kFromPassive, kControllers };

const cli::OptionTable& Table() {
  static const cli::OptionTable table = {
      {"Node", 'N', no_argument},
      {"responding", 'r', no_argument},
      {"exact", 'e', no_argument},
      {"list-reasons", 'R', no_argument},
      {"summarize", 's', no_argument},
      {"reservation", 'T', no_argument},
      {"long", 'l', no_argument},
      {"noheader", 'h', no_argument},
      {"partition", 'p', required_argument},
      {"nodes", 'n', required_argument},
      {"format", 'o', required_argument},
      {"Format", 'O', required_argument},
      {"states", 't', required_argument},
      {"help", 0, no_argument, kHelp},
      {"version", 'V', no_argument},
      {"from-passive", 0, no_argument, kFromPassive},
      {"controllers", 0, no_argument, kControllers},
  };
  return table;
}

struct StateAlias {
  const char* word;
  const char* canonical;
};
constexpr StateAlias kStateAliases[] = {
    {"idle", "idle"},       {"mix", "mix"},       {"mixed", "mix"},     {"alloc", "alloc"},
    {"allocated", "alloc"}, {"down", "down"},     {"drain", "drain"},   {"drained", "drain"},
    {"drng", "drng"},       {"draining", "drng"}, {"unk", "unk"},       {"unknown", "unk"},
    {"fail", "fail"},       {"failg", "failg"},   {"failing", "failg"},
};

Status Apply(int opt, const char* arg, HinfoOptions* o) {
  const std::string v = arg != nullptr ? arg : "";
  switch (opt) {
    case 'N':
      o->mode = Mode::kNodes;
      break;
    case 'R':
      o->mode = Mode::kReasons;
      break;
    case 's':
      o->mode = Mode::kSummary;
      break;
    case 'T':
      o->reservations = true;
      break;
    case 'l':
      o->long_format = true;
      break;
    case 'r':
      o->responding_only = true;
      break;
    case 'e':  // lines already split wherever a printed field differs
      break;
    case 'h':
      o->noheader = true;
      break;
    case 'p':
      for (const std::string& p : cli::SplitList(v)) o->partitions.push_back(p);
      break;
    case 'n': {
      auto names = ExpandHostlist(Trim(v));
      if (!names.ok()) return InvalidArgument("Invalid node name specified: " + v);
      o->nodes.insert(o->nodes.end(), names->begin(), names->end());
      break;
    }
    case 'o':
      o->format = v;
      break;
    case 'O': {
      HERD_ASSIGN_OR_RETURN(o->format, cli::FormatFromFields(v, cli::SinfoFields()));
      break;
    }
    case 't':
      for (const std::string& s : cli::SplitList(v)) {
        HERD_ASSIGN_OR_RETURN(std::string c, CanonicalNodeState(s));
        o->states.push_back(c);
      }
      break;
    case kHelp:
      o->help = true;
      break;
    case kFromPassive:
      o->from_passive = true;
      break;
    case kControllers:
      o->controllers = true;
      break;
    case 'V':
      o->version = true;
      break;
    default:
      return cli::UsageError("unexpected option");
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CanonicalNodeState(const std::string& text) {
  const std::string lower = ToLower(Trim(text));
  for (const StateAlias& a : kStateAliases) {
    if (lower == a.word) return std::string(a.canonical);
  }
  return InvalidArgument("Invalid node state specified: " + text);
}

Result<HinfoOptions> ParseHinfoArgs(const std::vector<std::string>& args) {
  HinfoOptions o;
  std::vector<std::string> positional;
  HERD_RETURN_IF_ERROR(Table().Parse(
      "hinfo", args, /*stop_at_positional=*/false,
      [&o](int opt, const char* arg) { return Apply(opt, arg, &o); }, &positional));
  if (o.help || o.version) return o;
  if (!positional.empty()) return cli::UsageError("unrecognized argument '" + positional[0] + "'");
  return o;
}

std::string DefaultFormat(const HinfoOptions& o) {
  switch (o.mode) {
    case Mode::kNodes:
      return o.long_format ? "%#N %.6D %#P %.11T %.4c %.8z %.6m %.8d %.6w %.8f %20E"
                           : "%#9N %.6D %.#9P %6t";
    case Mode::kReasons:
      return o.long_format ? "%20E %12U %19H %6t %N" : "%20E %9u %19H %N";
    case Mode::kSummary:
      return "%#P %.5a %.10l %.16F %N";
    case Mode::kPartitions:
      break;
  }
  return o.long_format ? "%#P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N"
                       : "%#P %.5a %.10l %.6D %.6t %N";
}

std::string HinfoUsage() {
  return R"(Usage: hinfo [OPTIONS...]
Show herd partitions and nodes.

  -N, --Node                 one line per node
  -R, --list-reasons         why nodes are down or drained
  -s, --summarize            one line per partition with node counts
  -T, --reservation          the advance reservations: name, state, window, nodes
  -l, --long                 more columns
  -p, --partition=list       only these partitions
  -n, --nodes=hostlist       only these nodes
  -t, --states=list          only nodes in these states (idle, mix, alloc, down,
                             drain, drng, fail, failg, unk)
  -o, --format=format        output format, e.g. "%#P %.5a %.10l %.6D %.6t %N"
                             codes: %P %R %a %l %L %D %t %T %N %n %o %c %m %f %E %C
                                    %F %z %X %Y %Z %d %w %s %r %h %g %u %U %H %b %G
                             (default: $SINFO_FORMAT, then $SINFO_FORMAT2 as -O)
  -O, --Format=fields        Slurm's field names, e.g. "PartitionName,NodeList:10"
  -r, --responding           only nodes that respond
  -e, --exact                accepted (lines split wherever a printed field differs)
  -h, --noheader             no header line
      --from-passive         ask the passive controller (default with ReadFromPassive=yes);
                             a note on stderr says how far behind the active it is
      --controllers          the controllers instead: address, role, epoch, journal, lag

      --conf FILE            configuration (default: $HERD_CONF or /etc/herd/herd.conf)
      --help                 show this help
  -V, --version              show the version
)";
}

}  // namespace herd::hinfo
