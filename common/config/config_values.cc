// herd — value parsers of herd.conf: time limits, memory sizes, ports, host specs and the
// typed global keys; duration printing, the default config path, the ClusterConfig lookups.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

// The longest finite time limit: Slurm's largest finite value, 0xfffffffe minutes. Keeping
// limits this small lets callers add them to a wall-clock time without overflow.
constexpr uint64_t kMaxTimeLimitS = 0xfffffffeULL * 60;

Status BadTime(const std::string& text, const std::string& what) {
  return InvalidArgument("invalid time '" + text + "': " + what);
}

// Global keys by value type; the rest are handled one by one in ApplyGlobalKey().
struct TextKey {
  const char* name;
  std::string ClusterConfig::*field;
  bool required;
};
const TextKey kTextKeys[] = {
    {"ClusterName", &ClusterConfig::cluster_name, true},
    {"StateDir", &ClusterConfig::state_dir, true},
    {"SpoolDir", &ClusterConfig::spool_dir, true},
    {"LogDir", &ClusterConfig::log_dir, false},
    {"AuthType", &ClusterConfig::auth_type, true},
    {"AuthSocket", &ClusterConfig::auth_socket, false},
    {"KeyDir", &ClusterConfig::key_dir, true},
    {"SelectType", &ClusterConfig::select_type, true},
    {"MpiDefault", &ClusterConfig::mpi_default, true},
    {"AdminUser", &ClusterConfig::admin_user, true},
    {"AdminUsers", &ClusterConfig::admin_user, true},
    {"AccountingStorageLoc", &ClusterConfig::acct_loc, false},
    {"AccountingStorageHost", &ClusterConfig::acct_host, false},
    {"AccountingStorageUser", &ClusterConfig::acct_user, false},
    {"AccountingStoragePass", &ClusterConfig::acct_pass_file, false},
};
struct U32Key {
  const char* name;
  uint32_t ClusterConfig::*field;
  uint32_t min, max;
};
const U32Key kU32Keys[] = {
    {"HeartbeatInterval", &ClusterConfig::heartbeat_interval_s, 1, UINT32_MAX},
    {"NodeTimeout", &ClusterConfig::node_timeout_s, 1, UINT32_MAX},
    {"MinJobAge", &ClusterConfig::min_job_age_s, 0, UINT32_MAX},
    {"KillWait", &ClusterConfig::kill_wait_s, 0, UINT32_MAX},
    {"NodeLease", &ClusterConfig::node_lease_s, 1, UINT32_MAX / 2},
    {"CheckpointInterval", &ClusterConfig::checkpoint_interval_s, 1, UINT32_MAX},
    {"ReturnToService", &ClusterConfig::return_to_service, 0, 2},
    {"MaxJobCount", &ClusterConfig::max_job_count, 1, UINT32_MAX},
    {"MaxArraySize", &ClusterConfig::max_array_size, 0, 4000001},
    {"MessageTimeout", &ClusterConfig::message_timeout_s, 1, UINT32_MAX},
    {"HaLeaseMs", &ClusterConfig::ha_lease_ms, 100, 600000},
    {"HaSyncTimeoutMs", &ClusterConfig::ha_sync_timeout_ms, 10, 600000},
    {"MaxSubmitJobsPerUser", &ClusterConfig::max_submit_jobs_per_user, 0, UINT32_MAX},
    {"AuditMaxAge", &ClusterConfig::audit_max_age_s, 0, UINT32_MAX},
    {"AuditMaxRecords", &ClusterConfig::audit_max_records, 1, UINT32_MAX},
};
struct SizeKey {
  const char* name;
  uint64_t ClusterConfig::*field;
  uint64_t min;
};
const SizeKey kSizeKeys[] = {
    {"MaxScriptSize", &ClusterConfig::max_script_size, 1024},
    {"MaxEnvSize", &ClusterConfig::max_env_size, 1024},
    {"StateDirReserve", &ClusterConfig::state_dir_reserve, 0},
};
const char* const kOtherGlobalKeys[] = {"ControllerHost",        "ControllerHosts",
                                        "ControllerPort",        "WitnessHost",
                                        "ControllerCommandPort", "HardwareSource",
                                        "DefMemPerCPU",          "JobRequeue",
                                        "ReadFromPassive",       "UnsupportedOptions",
                                        "AccountingStorageType", "AccountingStoragePort",
                                        "PrivateData",           "DependencyParameters"};

// The canonical spelling of a global key, or "" when `key` is not one.
std::string CanonicalGlobal(const std::string& key) {
  for (const TextKey& k : kTextKeys) {
    if (EqualsIgnoreCase(key, k.name)) return k.name;
  }
  for (const U32Key& k : kU32Keys) {
    if (EqualsIgnoreCase(key, k.name)) return k.name;
  }
  for (const SizeKey& k : kSizeKeys) {
    if (EqualsIgnoreCase(key, k.name)) return k.name;
  }
  for (const char* k : kOtherGlobalKeys) {
    if (EqualsIgnoreCase(key, k)) return k;
  }
  return "";
}

Result<uint32_t> ParseU32(const std::string& v, uint32_t min, uint32_t max) {
  HERD_ASSIGN_OR_RETURN(uint64_t n, ParseUint(v, UINT32_MAX));
  if (n < min) return InvalidArgument("must be at least " + std::to_string(min));
  if (n > max) return InvalidArgument("must be at most " + std::to_string(max));
  return static_cast<uint32_t>(n);
}

}  // namespace

bool IsAdminUserName(const ClusterConfig& config, const std::string& name) {
  for (const std::string& u : Split(config.admin_user, ',')) {
    if (!name.empty() && Trim(u) == name) return true;
  }
  return false;
}

Result<int64_t> ParseTimeLimit(const std::string& text) {
  if (EqualsIgnoreCase(text, "INFINITE") || EqualsIgnoreCase(text, "UNLIMITED")) return -1;
  if (text.empty()) return BadTime(text, "empty");
  std::string clock = text;
  bool has_days = false;
  uint64_t days = 0;
  size_t dash = text.find('-');
  if (dash != std::string::npos) {
    if (dash == 0) return BadTime(text, "negative or missing days");
    auto d = ParseUint(text.substr(0, dash), kMaxTimeLimitS);
    if (!d) return BadTime(text, d.error().message());
    days = *d;
    has_days = true;
    clock = text.substr(dash + 1);
  }
  std::vector<std::string> parts = Split(clock, ':', /*keep_empty=*/true);
  if (parts.size() > 3) return BadTime(text, "too many ':' fields");
  std::vector<uint64_t> v;
  for (const std::string& p : parts) {
    auto n = ParseUint(p, kMaxTimeLimitS);
    if (!n) return BadTime(text, n.error().message());
    v.push_back(*n);
  }
  // Seconds in each field, by form: with days "H[:M[:S]]", else "M", "M:S" or "H:M:S".
  uint64_t h = 0, m = 0, s = 0;
  if (has_days) {
    h = v[0];
    if (v.size() > 1) m = v[1];
    if (v.size() > 2) s = v[2];
    if (h >= 24) return BadTime(text, "hours must be below 24 after days");
  } else if (v.size() == 1) {
    m = v[0];
  } else if (v.size() == 2) {
    m = v[0];
    s = v[1];
  } else {
    h = v[0];
    m = v[1];
    s = v[2];
  }
  const bool minutes_leading = !has_days && v.size() <= 2;
  if (!minutes_leading && m >= 60) return BadTime(text, "minutes must be below 60");
  if (v.size() > 1 && s >= 60) return BadTime(text, "seconds must be below 60");
  // Every field is at most kMaxTimeLimitS (< 2^38), so this sum cannot overflow.
  uint64_t total = days * 86400 + h * 3600 + m * 60 + s;
  if (total > kMaxTimeLimitS) return BadTime(text, "too large");
  return static_cast<int64_t>(total);
}

std::string FormatDuration(int64_t seconds) {
  if (seconds == -1) return "UNLIMITED";
  if (seconds < 0) return "INVALID";
  const long long d = seconds / 86400;
  const long long h = seconds / 3600 % 24;
  const long long m = seconds / 60 % 60;
  const long long s = seconds % 60;
  char buf[64];
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", d, h, m, s);
  } else if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, s);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, s);
  }
  return buf;
}

Result<uint64_t> ParseByteSize(const std::string& text) {
  auto bad = [&text](const std::string& what) {
    return InvalidArgument("invalid size '" + text + "': " + what);
  };
  if (text.empty()) return bad("empty");
  std::string digits = text;
  int shift = 0;
  if (std::isalpha(static_cast<unsigned char>(text.back()))) {
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        return bad("unknown unit (use K, M, G or T)");
    }
    digits.pop_back();
  }
  auto n = ParseUint(digits, UINT64_MAX >> shift);
  if (!n) return bad(n.error().message());
  return *n << shift;
}

Result<uint64_t> ParseMemoryMb(const std::string& text) {
  auto bad = [&text](const std::string& what) {
    return InvalidArgument("invalid memory size '" + text + "': " + what);
  };
  if (text.empty()) return bad("empty");
  std::string digits = text;
  char unit = 'M';
  if (std::isalpha(static_cast<unsigned char>(text.back()))) {
    unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    digits.pop_back();
  }
  uint64_t factor = 1;  // MB per unit; K is handled by division
  switch (unit) {
    case 'K':
    case 'M':
      break;
    case 'G':
      factor = 1024;
      break;
    case 'T':
      factor = 1024 * 1024;
      break;
    default:
      return bad("unknown unit (use K, M, G or T)");
  }
  auto n = ParseUint(digits, UINT64_MAX / factor);
  if (!n) return bad(n.error().message());
  if (unit == 'K') return *n / 1024 + (*n % 1024 != 0 ? 1 : 0);
  return *n * factor;
}

Result<uint16_t> ParsePort(const std::string& text) {
  auto n = ParseUint(text);
  if (!n || *n == 0 || *n > 65535) {
    return InvalidArgument("port must be a number 1-65535, got '" + text + "'");
  }
  return static_cast<uint16_t>(*n);
}

Result<ControllerAddr> ParseHostAddr(const std::string& text, uint16_t default_port) {
  const Status bad = InvalidArgument("'" + text +
                                     "' is not name, name(addr), name(addr:port) or "
                                     "name(addr:port/commandport)");
  ControllerAddr a;
  a.port = default_port;
  const size_t open = text.find('(');
  if (open == std::string::npos) {
    if (text.empty() || text.find_first_of("):,[]") != std::string::npos) return bad;
    a.name = a.host = text;
    return a;
  }
  if (open == 0 || text.back() != ')') return bad;
  a.name = text.substr(0, open);
  const std::string inner = text.substr(open + 1, text.size() - open - 2);
  std::string port;
  bool has_port = false;
  if (!inner.empty() && inner[0] == '[') {  // "[v6addr]" or "[v6addr]:port"
    const size_t close = inner.find(']');
    if (close == std::string::npos) return bad;
    a.host = inner.substr(1, close - 1);
    const std::string rest = inner.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return bad;
    has_port = !rest.empty();
    if (has_port) port = rest.substr(1);
  } else if (std::count(inner.begin(), inner.end(), ':') == 1) {
    a.host = inner.substr(0, inner.find(':'));
    port = inner.substr(inner.find(':') + 1);
    has_port = true;
  } else {
    a.host = inner;  // no port, or a bare IPv6 address
  }
  if (a.host.empty() || a.name.find_first_of("():,[]") != std::string::npos ||
      a.host.find_first_of("()") != std::string::npos) {
    return bad;
  }
  if (has_port) {
    const size_t slash = port.find('/');
    if (slash != std::string::npos) {
      auto cp = ParsePort(port.substr(slash + 1));
      if (!cp) return cp.error();
      a.command_port = *cp;
      port.resize(slash);
    }
    auto p = ParsePort(port);
    if (!p) return p.error();
    a.port = *p;
  }
  return a;
}

Status ApplyGlobalKey(ClusterConfig* config, const std::string& key, const std::string& value,
                      std::string* canonical) {
  ClusterConfig& c = *config;
  const std::string& v = value;
  *canonical = CanonicalGlobal(key);
  const std::string& k = *canonical;
  if (k.empty()) {
    Status st = ApplySchedKey(config, key, value, canonical);
    if (st.code() == Code::kNotFound) st = ApplyPriorityKey(config, key, value, canonical);
    if (st.code() == Code::kNotFound) st = ApplyEnforceKey(config, key, value, canonical);
    return st.code() == Code::kNotFound ? ApplyAcctPurgeKey(config, key, value, canonical) : st;
  }
  for (const TextKey& t : kTextKeys) {
    if (k != t.name) continue;
    if (t.required && v.empty()) return InvalidArgument("must not be empty");
    c.*t.field = v;
    return Status::Ok();
  }
  for (const U32Key& u : kU32Keys) {
    if (k != u.name) continue;
    HERD_ASSIGN_OR_RETURN(c.*u.field, ParseU32(v, u.min, u.max));
    return Status::Ok();
  }
  for (const SizeKey& z : kSizeKeys) {
    if (k != z.name) continue;
    HERD_ASSIGN_OR_RETURN(uint64_t n, ParseByteSize(v));
    if (n < z.min) return InvalidArgument("must be at least " + std::to_string(z.min) + " bytes");
    c.*z.field = n;
    return Status::Ok();
  }
  if (k == "ControllerHost") {
    HERD_ASSIGN_OR_RETURN(ControllerAddr a, ParseHostAddr(v, 0));
    c.controllers.push_back(std::move(a));
  } else if (k == "ControllerHosts") {  // ctl1(addr:port),ctl2(addr:port), in order
    if (v.empty() || v.front() == ',' || v.back() == ',' || v.find(",,") != std::string::npos) {
      return InvalidArgument("empty controller in '" + v + "'");
    }
    for (const std::string& one : Split(v, ',')) {
      HERD_ASSIGN_OR_RETURN(ControllerAddr a, ParseHostAddr(one, 0));
      c.controllers.push_back(std::move(a));
    }
  } else if (k == "ReadFromPassive") {
    const std::string lower = ToLower(v);
    if (lower != "yes" && lower != "no") {
      return InvalidArgument("must be yes or no, got '" + v + "'");
    }
    c.read_from_passive = lower == "yes";
  } else if (k == "UnsupportedOptions") {  // what sbatch does with --mail-type and the like
    const std::string lower = ToLower(v);
    if (lower != "warn" && lower != "error") {
      return InvalidArgument("must be warn or error, got '" + v + "'");
    }
    c.unsupported_options_error = lower == "error";
  } else if (k == "ControllerPort") {
    HERD_ASSIGN_OR_RETURN(c.controller_port, ParsePort(v));
  } else if (k == "ControllerCommandPort") {
    if (v == "0") {
      c.controller_command_port = 0;
    } else {
      HERD_ASSIGN_OR_RETURN(c.controller_command_port, ParsePort(v));
    }
  } else if (k == "WitnessHost") {
    c.witness_addr = ControllerAddr();
    if (!v.empty()) {
      HERD_ASSIGN_OR_RETURN(c.witness_addr, ParseHostAddr(v, 0));
      if (c.witness_addr.command_port != 0) {
        return InvalidArgument("the witness takes no command port (no commands go to it)");
      }
    }
    c.witness = v;
  } else if (k == "HardwareSource") {
    const std::string lower = ToLower(v);
    if (lower != "hwloc" && lower != "config") {
      return InvalidArgument("must be hwloc or config, got '" + v + "'");
    }
    c.hardware_source = lower;
  } else if (k == "AccountingStorageType") {
    const std::string lower = ToLower(v);
    if (lower == "accounting_storage/none" || lower.empty()) {
      c.acct_type.clear();
    } else if (lower == "accounting_storage/sqlite" || lower == "accounting_storage/pgsql" ||
               lower == "accounting_storage/postgresql") {
      c.acct_type = lower == "accounting_storage/postgresql" ? "accounting_storage/pgsql" : lower;
    } else {
      return InvalidArgument(
          "must be accounting_storage/none, accounting_storage/sqlite or "
          "accounting_storage/pgsql, got '" +
          v + "'");
    }
  } else if (k == "PrivateData") {
    // Slurm's words; herd acts on "jobs" (hacct) so far.
    static const char* const kWords[] = {"accounts",   "cloud",        "events", "jobs", "nodes",
                                         "partitions", "reservations", "usage",  "users"};
    for (const std::string& w : Split(ToLower(v), ',')) {
      if (std::find(std::begin(kWords), std::end(kWords), w) == std::end(kWords)) {
        return InvalidArgument("unknown PrivateData word '" + w + "'");
      }
    }
    c.private_data = ToLower(v);
  } else if (k == "DependencyParameters") {
    // Slurm's comma list; herd acts on kill_invalid_depend and refuses the rest (federation
    // and depth limits it does not have) rather than ignore them.
    c.kill_invalid_depend = false;
    for (const std::string& w : Split(ToLower(v), ',')) {
      if (w != "kill_invalid_depend") {
        return InvalidArgument("herd knows kill_invalid_depend only, got '" + w + "'");
      }
      c.kill_invalid_depend = true;
    }
  } else if (k == "AccountingStoragePort") {
    HERD_ASSIGN_OR_RETURN(c.acct_port, ParsePort(v));
  } else if (k == "DefMemPerCPU") {
    HERD_ASSIGN_OR_RETURN(c.def_mem_per_cpu_mb, ParseMemoryMb(v));
  } else if (k == "JobRequeue") {
    if (v != "0" && v != "1") return InvalidArgument("must be 0 or 1, got '" + v + "'");
    c.job_requeue = v == "1";
  }
  return Status::Ok();
}

std::string DefaultConfigPath() {
  const char* env = std::getenv("HERD_CONF");
  if (env != nullptr && *env != '\0') return env;
  return "/etc/herd/herd.conf";
}

const NodeConfig* ClusterConfig::FindNode(const std::string& name) const {
  for (const NodeConfig& n : nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

const PartitionConfig* ClusterConfig::FindPartition(const std::string& name) const {
  for (const PartitionConfig& p : partitions) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const PartitionConfig* ClusterConfig::DefaultPartition() const {
  for (const PartitionConfig& p : partitions) {
    if (p.is_default) return &p;
  }
  return nullptr;
}

}  // namespace herd
