// herd — accounting's retention keys: Purge{Job,Step,Event,Usage}After with slurmdbd.conf's
// values (a number of months, or of days or hours with that word after it) and
// Archive{Jobs,Steps,Events,Usage}, ArchiveDir (doc/accounting.md "Purge and archive").
#include <string>

#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

struct PurgeKey {
  const char* name;
  PurgeAfter AcctPurgeConfig::*field;
};
const PurgeKey kPurgeKeys[] = {
    {"PurgeJobAfter", &AcctPurgeConfig::jobs},
    {"PurgeStepAfter", &AcctPurgeConfig::steps},
    {"PurgeEventAfter", &AcctPurgeConfig::events},
    {"PurgeUsageAfter", &AcctPurgeConfig::usage},
};
struct ArchiveKey {
  const char* name;
  bool AcctPurgeConfig::*field;
};
const ArchiveKey kArchiveKeys[] = {
    {"ArchiveJobs", &AcctPurgeConfig::archive_jobs},
    {"ArchiveSteps", &AcctPurgeConfig::archive_steps},
    {"ArchiveEvents", &AcctPurgeConfig::archive_events},
    {"ArchiveUsage", &AcctPurgeConfig::archive_usage},
};

}  // namespace

Result<PurgeAfter> ParsePurgeAfter(const std::string& text) {
  const std::string t = ToLower(Trim(text));
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') digits++;
  const std::string unit = Trim(t.substr(digits));
  auto n = ParseUint(t.substr(0, digits), UINT32_MAX);
  if (digits == 0 || !n.ok() || *n == 0) {
    return InvalidArgument("'" + text + "' is not a count of at least 1 month, day or hour");
  }
  PurgeAfter p;
  p.count = static_cast<uint32_t>(*n);
  if (unit.empty() || unit == "month" || unit == "months") {
    p.unit = PurgeAfter::kMonths;
  } else if (unit == "day" || unit == "days") {
    p.unit = PurgeAfter::kDays;
  } else if (unit == "hour" || unit == "hours") {
    p.unit = PurgeAfter::kHours;
  } else {
    return InvalidArgument("'" + text + "': the unit is months (the default), days or hours");
  }
  return p;
}

std::string FormatPurgeAfter(const PurgeAfter& p) {
  switch (p.unit) {
    case PurgeAfter::kHours:
      return std::to_string(p.count) + "hours";
    case PurgeAfter::kDays:
      return std::to_string(p.count) + "days";
    case PurgeAfter::kMonths:
      return std::to_string(p.count) + "months";
    case PurgeAfter::kNever:
      break;
  }
  return "";
}

Status ApplyAcctPurgeKey(ClusterConfig* config, const std::string& key, const std::string& value,
                         std::string* canonical) {
  AcctPurgeConfig& c = config->purge;
  for (const PurgeKey& k : kPurgeKeys) {
    if (!EqualsIgnoreCase(key, k.name)) continue;
    *canonical = k.name;
    HERD_ASSIGN_OR_RETURN(c.*k.field, ParsePurgeAfter(value));
    return Status::Ok();
  }
  for (const ArchiveKey& k : kArchiveKeys) {
    if (!EqualsIgnoreCase(key, k.name)) continue;
    *canonical = k.name;
    HERD_ASSIGN_OR_RETURN(c.*k.field, ParseYesNo(value));
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "ArchiveDir")) {
    *canonical = "ArchiveDir";
    if (value.empty() || value[0] != '/') return InvalidArgument("must be an absolute path");
    c.archive_dir = value;
    return Status::Ok();
  }
  if (EqualsIgnoreCase(key, "ArchiveScript")) {
    *canonical = "ArchiveScript";
    return InvalidArgument(
        "herd writes the archive itself (ArchiveDir); an ArchiveScript is not run");
  }
  return NotFound("not an accounting retention key");
}

}  // namespace herd
