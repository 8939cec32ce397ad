// herd — herd.conf parsing: splitting lines into Key=Value pairs, dispatching global keys
// (their values are parsed in config_values.cc), NodeName and PartitionName lines, and the
// whole-file checks made once every line is read.
#include "common/config/config.h"

#include <cctype>
#include <set>
#include <utility>

#include "common/base/fs.h"
#include "common/base/hostlist.h"
#include "common/base/strings.h"

namespace herd {
namespace {

struct KeyValue {
  std::string key;
  std::string value;
};

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

const char* const kNodeKeys[] = {"NodeAddr",       "Port",           "CPUs",       "Sockets",
                                 "CoresPerSocket", "ThreadsPerCore", "RealMemory", "Features",
                                 "Gres",           "Weight"};

// The canonical spelling of `key` among `keys`, or "" when it is not one of them.
template <size_t N>
std::string Canonical(const std::string& key, const char* const (&keys)[N]) {
  for (const char* k : keys) {
    if (EqualsIgnoreCase(key, k)) return k;
  }
  return "";
}

Result<uint32_t> ParseU32(const std::string& v, uint32_t min) {
  HERD_ASSIGN_OR_RETURN(uint64_t n, ParseUint(v, UINT32_MAX));
  if (n < min) return InvalidArgument("must be at least " + std::to_string(min));
  return static_cast<uint32_t>(n);
}

class Parser {
 public:
  explicit Parser(const std::string& origin) : origin_(origin) { cfg_.source_path = origin; }
  Result<ClusterConfig> Run(const std::string& text);

 private:
  Status Err(int line, const std::string& key, const std::string& what) const {
    return InvalidArgument(origin_ + ":" + std::to_string(line) + ": " + key + ": " + what);
  }
  Status Tokenize(const std::string& line, std::vector<KeyValue>* out) const;
  Status GlobalLine(const std::vector<KeyValue>& kvs);
  Status NodeLine(const std::vector<KeyValue>& kvs);
  Status PartitionLine(const std::vector<KeyValue>& kvs);
  Status Finish();

  std::string origin_;
  ClusterConfig cfg_;
  int line_ = 0;
  std::map<std::string, int> global_line_;  // canonical key -> last line that set it
  std::vector<int> controller_lines_;       // parallel to cfg_.controllers
  std::map<std::string, int> node_line_;    // node name -> defining line
  std::vector<int> partition_lines_;        // parallel to cfg_.partitions
  std::vector<bool> partition_all_;         // parallel: Nodes=ALL
};

Status Parser::Tokenize(const std::string& line, std::vector<KeyValue>* out) const {
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n || line[i] == '#') return Status::Ok();
    size_t start = i;
    while (i < n && !IsSpace(line[i]) && line[i] != '=' && line[i] != '#') ++i;
    std::string key = line.substr(start, i - start);
    if (i >= n || line[i] != '=') return Err(line_, key, "expected Key=Value");
    if (key.empty()) return Err(line_, "=", "missing key before '='");
    ++i;
    std::string value;
    if (i < n && line[i] == '"') {
      size_t close = line.find('"', i + 1);
      if (close == std::string::npos) return Err(line_, key, "unterminated '\"'");
      value = line.substr(i + 1, close - i - 1);
      i = close + 1;
      if (i < n && !IsSpace(line[i]) && line[i] != '#') {
        return Err(line_, key, "text after closing '\"'");
      }
    } else {
      start = i;
      while (i < n && !IsSpace(line[i]) && line[i] != '#') {
        if (line[i] == '"') return Err(line_, key, "'\"' inside an unquoted value");
        ++i;
      }
      value = line.substr(start, i - start);
    }
    out->push_back({std::move(key), std::move(value)});
  }
}

Status Parser::GlobalLine(const std::vector<KeyValue>& kvs) {
  for (const KeyValue& kv : kvs) {
    std::string key;
    Status st = ApplyGlobalKey(&cfg_, kv.key, kv.value, &key);
    if (st.code() == Code::kNotFound) {
      if (EqualsIgnoreCase(kv.key, "NodeName") || EqualsIgnoreCase(kv.key, "PartitionName")) {
        return Err(line_, kv.key, "must be the first key on its line");
      }
      if (!Canonical(kv.key, kNodeKeys).empty()) {
        return Err(line_, kv.key, "only valid on a NodeName line");
      }
      if (!CanonicalPartitionKey(kv.key).empty()) {
        return Err(line_, kv.key, "only valid on a PartitionName line");
      }
      return Err(line_, kv.key, "unknown key");
    }
    if (!st.ok()) return Err(line_, key, st.message());
    global_line_[key] = line_;
    if (key == "ControllerHost" || key == "ControllerHosts") {
      controller_lines_.resize(cfg_.controllers.size(), line_);
      std::string& all = cfg_.raw["ControllerHost"];
      all += (all.empty() ? "" : ",") + kv.value;
    } else {
      cfg_.raw[key] = kv.value;
    }
  }
  return Status::Ok();
}

Status Parser::NodeLine(const std::vector<KeyValue>& kvs) {
  auto names = ExpandHostlist(kvs[0].value);
  if (!names) return Err(line_, "NodeName", names.error().message());
  NodeConfig base;
  std::vector<std::string> addrs;
  std::vector<uint16_t> ports;
  bool port_range = false;
  std::set<std::string> seen;
  for (size_t i = 1; i < kvs.size(); ++i) {
    const std::string key = Canonical(kvs[i].key, kNodeKeys);
    const std::string& v = kvs[i].value;
    if (EqualsIgnoreCase(kvs[i].key, "NodeName")) return Err(line_, "NodeName", "given twice");
    if (key.empty()) return Err(line_, kvs[i].key, "unknown key on a NodeName line");
    if (!seen.insert(key).second) return Err(line_, key, "given twice");
    Status st;
    if (key == "NodeAddr") {
      auto r = ExpandHostlist(v);
      if (r) addrs = std::move(*r);
      st = r.error();
    } else if (key == "Port") {
      std::vector<std::string> ends = Split(v, '-', /*keep_empty=*/true);
      if (ends.size() > 2) return Err(line_, key, "'" + v + "' is not N or N-M");
      port_range = ends.size() == 2;
      auto lo = ParsePort(ends.front());
      auto hi = ParsePort(ends.back());
      if (!lo || !hi) return Err(line_, key, (lo ? hi : lo).error().message());
      if (*lo > *hi) return Err(line_, key, "reversed port range '" + v + "'");
      for (uint32_t p = *lo; p <= *hi; ++p) ports.push_back(static_cast<uint16_t>(p));
    } else if (key == "CPUs" || key == "Sockets" || key == "CoresPerSocket" ||
               key == "ThreadsPerCore" || key == "Weight") {
      auto r = ParseU32(v, key == "Weight" ? 0 : 1);
      uint32_t* field = key == "CPUs"             ? &base.cpus
                        : key == "Sockets"        ? &base.sockets
                        : key == "CoresPerSocket" ? &base.cores_per_socket
                        : key == "ThreadsPerCore" ? &base.threads_per_core
                                                  : &base.weight;
      if (r) *field = *r;
      st = r.error();
    } else if (key == "RealMemory") {
      auto r = ParseMemoryMb(v);
      if (r) base.real_memory_mb = *r;
      st = r && *r == 0 ? InvalidArgument("must be at least 1 MB") : r.error();
    } else if (key == "Features") {
      base.features = Split(v, ',');
    } else if (key == "Gres") {
      base.gres = v;
    }
    if (!st.ok()) return Err(line_, key, st.message());
  }
  const size_t count = names->size();
  // CPUs and the socket/core/thread layout must agree; either may be derived from the other.
  const bool topo =
      seen.count("Sockets") || seen.count("CoresPerSocket") || seen.count("ThreadsPerCore");
  // Each factor is at least 1, so checking the running product against UINT32_MAX is safe.
  const bool product_ok =
      base.sockets <= UINT32_MAX / base.cores_per_socket &&
      base.sockets * base.cores_per_socket <= UINT32_MAX / base.threads_per_core;
  const uint32_t product =
      product_ok ? base.sockets * base.cores_per_socket * base.threads_per_core : 0;
  if (!seen.count("CPUs")) {
    if (!product_ok) return Err(line_, "CPUs", "Sockets*CoresPerSocket*ThreadsPerCore too large");
    base.cpus = product;
  } else if (!topo) {
    base.sockets = base.cpus;  // as Slurm: CPUs alone means single-core sockets
  } else if (!product_ok || product != base.cpus) {
    return Err(line_, "CPUs",
               "CPUs=" + std::to_string(base.cpus) + " differs from Sockets*CoresPerSocket*" +
                   "ThreadsPerCore=" + (product_ok ? std::to_string(product) : "(too large)"));
  }
  if (addrs.size() > 1 && addrs.size() != count) {
    return Err(line_, "NodeAddr",
               std::to_string(addrs.size()) + " addresses for " + std::to_string(count) + " nodes");
  }
  if (port_range && ports.size() != count) {
    return Err(line_, "Port",
               "range has " + std::to_string(ports.size()) + " ports for " + std::to_string(count) +
                   " nodes");
  }
  for (size_t i = 0; i < count; ++i) {
    NodeConfig node = base;
    node.name = (*names)[i];
    node.addr = addrs.empty() ? node.name : addrs[addrs.size() == 1 ? 0 : i];
    if (!ports.empty()) node.port = ports[ports.size() == 1 ? 0 : i];
    auto [it, fresh] = node_line_.emplace(node.name, line_);
    if (!fresh) {
      return Err(
          line_, "NodeName",
          "node '" + node.name + "' is already defined at line " + std::to_string(it->second));
    }
    cfg_.nodes.push_back(std::move(node));
  }
  return Status::Ok();
}

Status Parser::PartitionLine(const std::vector<KeyValue>& kvs) {
  PartitionConfig p;
  p.name = kvs[0].value;
  if (p.name.empty() || p.name.find_first_of(",[]") != std::string::npos) {
    return Err(line_, "PartitionName", "bad partition name '" + p.name + "'");
  }
  for (size_t i = 0; i < cfg_.partitions.size(); ++i) {
    if (cfg_.partitions[i].name == p.name) {
      return Err(line_, "PartitionName",
                 "partition '" + p.name + "' is already defined at line " +
                     std::to_string(partition_lines_[i]));
    }
  }
  bool all = false;
  std::set<std::string> seen;
  for (size_t i = 1; i < kvs.size(); ++i) {
    const std::string key = CanonicalPartitionKey(kvs[i].key);
    if (EqualsIgnoreCase(kvs[i].key, "PartitionName")) {
      return Err(line_, "PartitionName", "given twice");
    }
    if (key.empty()) return Err(line_, kvs[i].key, "unknown key on a PartitionName line");
    if (!seen.insert(key).second) return Err(line_, kvs[i].key, "given twice");
    Status st = ApplyPartitionKey(&p, key, kvs[i].value, &all);
    if (!st.ok()) return Err(line_, kvs[i].key, st.message());
  }
  if (!seen.count("Nodes")) return Err(line_, "Nodes", "missing (give a hostlist or ALL)");
  if (p.max_time_s >= 0 && p.default_time_s > p.max_time_s) {
    return Err(line_, "DefaultTime", "longer than MaxTime");
  }
  if (p.max_nodes != 0 && p.min_nodes > p.max_nodes) {
    return Err(line_, "MinNodes", "larger than MaxNodes");
  }
  if (p.is_default) {
    const PartitionConfig* other = cfg_.DefaultPartition();
    if (other != nullptr) {
      return Err(line_, "Default", "partition '" + other->name + "' is already the default");
    }
  }
  cfg_.partitions.push_back(std::move(p));
  partition_lines_.push_back(line_);
  partition_all_.push_back(all);
  return Status::Ok();
}

Status Parser::Finish() {
  if (cfg_.controllers.empty()) {
    return Err(0, "ControllerHost", "at least one ControllerHost is required");
  }
  std::set<std::string> controller_names;
  for (size_t i = 0; i < cfg_.controllers.size(); ++i) {
    ControllerAddr& c = cfg_.controllers[i];
    if (c.port == 0) c.port = cfg_.controller_port;
    if (c.command_port == 0) c.command_port = cfg_.controller_command_port;
    if (c.command_port != 0 && c.command_port == c.port) {
      return Err(controller_lines_[i], "ControllerHost",
                 "'" + c.name + "' has the same port for daemons and commands (" +
                     std::to_string(c.port) + ")");
    }
    if (!controller_names.insert(c.name).second) {
      return Err(controller_lines_[i], "ControllerHost", "'" + c.name + "' is listed twice");
    }
  }
  if (cfg_.has_witness()) {
    if (cfg_.witness_addr.port == 0) cfg_.witness_addr.port = cfg_.controller_port;
    if (controller_names.count(cfg_.witness_addr.name) != 0) {
      return Err(global_line_["WitnessHost"], "WitnessHost",
                 "'" + cfg_.witness_addr.name + "' is also a ControllerHost");
    }
  }
  if (cfg_.controllers.size() > 2) {
    return Err(controller_lines_[2], "ControllerHost",
               "at most two controllers (an active and a passive) are supported");
  }
  if (cfg_.node_timeout_s <= cfg_.heartbeat_interval_s) {
    const bool set_here = global_line_.count("NodeTimeout") != 0;
    const int line = global_line_[set_here ? "NodeTimeout" : "HeartbeatInterval"];
    return Err(line, set_here ? "NodeTimeout" : "HeartbeatInterval",
               "NodeTimeout (" + std::to_string(cfg_.node_timeout_s) +
                   ") must be longer than HeartbeatInterval (" +
                   std::to_string(cfg_.heartbeat_interval_s) + ")");
  }
  if (cfg_.node_lease_s != 0 && cfg_.node_lease_s < cfg_.node_timeout_s) {
    const bool set_here = global_line_.count("NodeLease") != 0;
    const int line = global_line_[set_here ? "NodeLease" : "NodeTimeout"];
    return Err(line, set_here ? "NodeLease" : "NodeTimeout",
               "NodeLease (" + std::to_string(cfg_.node_lease_s) +
                   ") must be at least NodeTimeout (" + std::to_string(cfg_.node_timeout_s) + ")");
  }
  std::map<std::pair<std::string, uint16_t>, const NodeConfig*> endpoints;
  for (const NodeConfig& n : cfg_.nodes) {
    auto [it, fresh] = endpoints.emplace(std::make_pair(n.addr, n.port), &n);
    if (!fresh) {
      return Err(
          node_line_[n.name], "Port",
          "node '" + n.name + "' has the same address and port as '" + it->second->name + "'");
    }
  }
  for (size_t i = 0; i < cfg_.partitions.size(); ++i) {
    PartitionConfig& p = cfg_.partitions[i];
    if (partition_all_[i]) {
      for (const NodeConfig& n : cfg_.nodes) p.nodes.push_back(n.name);
      continue;
    }
    std::set<std::string> members;
    for (const std::string& name : p.nodes) {
      if (!node_line_.count(name)) {
        return Err(partition_lines_[i], "Nodes", "node '" + name + "' is not defined");
      }
      if (!members.insert(name).second) {
        return Err(partition_lines_[i], "Nodes", "node '" + name + "' is listed twice");
      }
    }
  }
  return Status::Ok();
}

Result<ClusterConfig> Parser::Run(const std::string& text) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<KeyValue> kvs;
    HERD_RETURN_IF_ERROR(Tokenize(line, &kvs));
    if (kvs.empty()) continue;
    if (EqualsIgnoreCase(kvs[0].key, "NodeName")) {
      HERD_RETURN_IF_ERROR(NodeLine(kvs));
    } else if (EqualsIgnoreCase(kvs[0].key, "PartitionName")) {
      HERD_RETURN_IF_ERROR(PartitionLine(kvs));
    } else {
      HERD_RETURN_IF_ERROR(GlobalLine(kvs));
    }
  }
  HERD_RETURN_IF_ERROR(Finish());
  return std::move(cfg_);
}

}  // namespace

Result<ClusterConfig> ParseConfig(const std::string& text, const std::string& origin) {
  return Parser(origin).Run(text);
}

Result<ClusterConfig> LoadConfig(const std::string& path) {
  HERD_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseConfig(text, path);
}

}  // namespace herd
