// herd commands — -O/--Format to -o.
#include "commands/lib/field_format.h"

#include <cstdlib>

#include "common/base/strings.h"

namespace herd::cli {
namespace {

constexpr unsigned kDefaultWidth = 20;  // Slurm's width of a -O field without one
constexpr unsigned kMaxWidth = 1000;

}  // namespace

const FieldLetters& SqueueFields() {
  static const FieldLetters fields = {
      {"arrayjobid", 'F'}, {"arraytaskid", 'K'}, {"batchhost", 'B'}, {"command", 'o'},
      {"endtime", 'e'},    {"groupid", 'G'},     {"groupname", 'g'}, {"jobid", 'i'},
      {"minmemory", 'm'},  {"name", 'j'},        {"nodelist", 'N'},  {"numcpus", 'C'},
      {"numnodes", 'D'},   {"partition", 'P'},   {"priority", 'Q'},  {"reason", 'r'},
      {"reasonlist", 'R'}, {"starttime", 'S'},   {"state", 'T'},     {"statecompact", 't'},
      {"submittime", 'V'}, {"timeleft", 'L'},    {"timelimit", 'l'}, {"timeused", 'M'},
      {"userid", 'U'},     {"username", 'u'},    {"workdir", 'Z'},
  };
  return fields;
}

const FieldLetters& SinfoFields() {
  static const FieldLetters fields = {
      {"available", 'a'},     {"cpus", 'c'},      {"cpusstate", 'C'},    {"memory", 'm'},
      {"nodeaddr", 'o'},      {"nodehost", 'n'},  {"nodelist", 'N'},     {"nodes", 'D'},
      {"partitionname", 'R'}, {"partition", 'P'}, {"reason", 'E'},       {"statecompact", 't'},
      {"statelong", 'T'},     {"time", 'l'},      {"defaulttime", 'L'},  {"features", 'f'},
      {"sockets", 'X'},       {"cores", 'Y'},     {"threads", 'Z'},      {"socketcorethread", 'z'},
      {"weight", 'w'},        {"gres", 'G'},      {"features_act", 'b'},
  };
  return fields;
}

Result<std::string> FormatFromFields(const std::string& spec, const FieldLetters& fields) {
  std::string out;
  for (const std::string& item : Split(spec, ',')) {
    const std::string t = Trim(item);
    if (t.empty()) continue;
    const size_t colon = t.find(':');
    const std::string name = ToLower(t.substr(0, colon));
    auto it = fields.find(name);
    if (it == fields.end()) return InvalidArgument("Invalid job format specification: " + name);
    bool right = false;
    unsigned width = kDefaultWidth;
    if (colon != std::string::npos) {
      std::string w = t.substr(colon + 1);
      if (!w.empty() && w[0] == '.') {
        right = true;
        w.erase(0, 1);
      }
      auto n = ParseUint(w, kMaxWidth);
      if (!w.empty() && (!n.ok() || *n == 0)) {
        return InvalidArgument("invalid width '" + w + "' in field '" + t + "'");
      }
      if (!w.empty()) width = static_cast<unsigned>(*n);
    }
    out += std::string("%") + (right ? "." : "-") + std::to_string(width) + it->second;
  }
  if (out.empty()) return InvalidArgument("empty --Format specification");
  return out;
}

Result<std::string> FormatFromEnvironment(const char* format_var, const char* fields_var,
                                          const FieldLetters& fields) {
  if (const char* f = std::getenv(format_var); f != nullptr && *f != '\0') return std::string(f);
  if (const char* f = std::getenv(fields_var); f != nullptr && *f != '\0') {
    auto format = FormatFromFields(f, fields);
    if (!format.ok())
      return InvalidArgument(std::string(fields_var) + ": " + format.error().message());
    return format;
  }
  return std::string();
}

}  // namespace herd::cli
