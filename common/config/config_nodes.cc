// herd — NodeName lines of a herd.conf rewritten with the values the controller holds at
// runtime (hcontrol write config, doc/admin.md).
#include <sstream>

#include "common/base/hostlist.h"
#include "common/base/strings.h"
#include "common/config/config.h"

namespace herd {
namespace {

// The Key=Value words of a line (a quoted value kept whole) and its trailing comment.
std::vector<std::string> Words(const std::string& line, std::string* comment) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '#') {
      *comment = line.substr(i);
      break;
    }
    if (!quoted && (c == ' ' || c == '\t')) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string KeyOf(const std::string& word) {
  const size_t eq = word.find('=');
  return eq == std::string::npos ? word : word.substr(0, eq);
}

bool Same(const NodeValues& a, const NodeValues& b) {
  return a.weight == b.weight && a.features == b.features && a.gres == b.gres;
}

// `words` with Weight, Features and Gres set to `v` (an empty list or Gres: no key).
std::vector<std::string> WithValues(std::vector<std::string> words, const NodeValues& v) {
  std::vector<std::string> out;
  for (std::string& w : words) {
    const std::string key = KeyOf(w);
    if (EqualsIgnoreCase(key, "Weight") || EqualsIgnoreCase(key, "Features") ||
        EqualsIgnoreCase(key, "Gres")) {
      continue;
    }
    out.push_back(std::move(w));
  }
  if (v.weight != 1) out.push_back("Weight=" + std::to_string(v.weight));
  if (!v.features.empty()) out.push_back("Features=" + Join(v.features, ","));
  if (!v.gres.empty()) out.push_back("Gres=" + v.gres);
  return out;
}

}  // namespace

NodeValues ValuesOf(const NodeConfig& n) { return NodeValues{n.weight, n.features, n.gres}; }

std::string MergeNodeValues(const std::string& conf_text, const ClusterConfig& cfg,
                            const std::map<std::string, NodeValues>& values) {
  std::string out;
  std::istringstream in(conf_text);
  std::string line;
  while (std::getline(in, line)) {
    std::string comment;
    std::vector<std::string> words = Words(line, &comment);
    auto names = words.empty() || !EqualsIgnoreCase(KeyOf(words[0]), "NodeName")
                     ? Result<std::vector<std::string>>(std::vector<std::string>{})
                     : ExpandHostlist(words[0].substr(words[0].find('=') + 1));
    bool changed = false;
    std::vector<NodeValues> now;
    if (names.ok()) {
      for (const std::string& name : *names) {
        const NodeConfig* conf = cfg.FindNode(name);
        auto it = values.find(name);
        changed = changed || it != values.end();
        now.push_back(it != values.end() ? it->second
                      : conf != nullptr  ? ValuesOf(*conf)
                                         : NodeValues{});
      }
    }
    if (!changed) {
      out += line + "\n";
      continue;
    }
    bool uniform = true;
    for (const NodeValues& v : now) uniform = uniform && Same(v, now[0]);
    if (uniform) {
      out += Join(WithValues(words, now[0]), " ") + (comment.empty() ? "" : " " + comment) + "\n";
      continue;
    }
    // Nodes of one line now differ: a line each, with its own address and port.
    std::vector<std::string> rest;
    for (size_t i = 1; i < words.size(); ++i) {
      const std::string key = KeyOf(words[i]);
      if (!EqualsIgnoreCase(key, "NodeAddr") && !EqualsIgnoreCase(key, "Port")) {
        rest.push_back(words[i]);
      }
    }
    out += "# split at runtime: " + line + "\n";
    for (size_t i = 0; i < names->size(); ++i) {
      const NodeConfig* conf = cfg.FindNode((*names)[i]);
      std::string head = "NodeName=" + (*names)[i];
      if (conf != nullptr) {
        head += " NodeAddr=" + conf->addr;
        if (conf->port != 0) head += " Port=" + std::to_string(conf->port);
      }
      std::vector<std::string> w = WithValues(rest, now[i]);
      out += head + (w.empty() ? "" : " " + Join(w, " ")) + "\n";
    }
  }
  return out;
}

}  // namespace herd
