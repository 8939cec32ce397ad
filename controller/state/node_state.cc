// herd — the nodes' values an admin sets at runtime (Weight, Features, ActiveFeatures,
// Gres) over herd.conf's, by the rule partitions follow (doc/admin.md): a runtime value
// is kept at every restart and takeover while it differs from herd.conf's, and reported.
#include <algorithm>

#include "common/base/strings.h"
#include "controller/state/cluster_state.h"

namespace herd::ctld {
namespace {

std::string List(const std::vector<std::string>& v) { return v.empty() ? "(null)" : Join(v, ","); }

std::string Gres(const std::string& g) { return g.empty() ? "(null)" : g; }

}  // namespace

void ClusterState::SetOverrides(size_t index, NodeOverrides o) {
  const NodeConfig& conf = config_.nodes[index];
  if (o.has_weight && o.weight == conf.weight) o.has_weight = false;
  if (o.has_features && o.features == conf.features) o.has_features = false;
  if (o.has_gres && o.gres == conf.gres) o.has_gres = false;
  const std::vector<std::string>& avail = o.has_features ? o.features : conf.features;
  if (o.has_active && o.active_features == avail) o.has_active = false;
  if (!o.has_weight) o.weight = conf.weight;
  if (!o.has_features) o.features.clear();
  if (!o.has_active) o.active_features.clear();
  if (!o.has_gres) o.gres.clear();
  NodeConfig& now = node_conf_[index];
  now.weight = o.weight;
  now.features = avail;
  now.gres = o.has_gres ? o.gres : conf.gres;
  nodes_[index].overrides = std::move(o);
}

const std::vector<std::string>& ClusterState::ActiveFeatures(size_t index) const {
  const NodeOverrides& o = nodes_[index].overrides;
  return o.has_active ? o.active_features : node_conf_[index].features;
}

std::vector<std::string> ClusterState::NodeDrift() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const NodeOverrides& o = nodes_[i].overrides;
    if (o.empty()) continue;
    const NodeConfig& conf = config_.nodes[i];
    std::string now, was;
    auto add = [&now, &was](const std::string& key, const std::string& a, const std::string& b) {
      now += " " + key + "=" + a;
      was += " " + key + "=" + b;
    };
    if (o.has_weight) add("Weight", std::to_string(o.weight), std::to_string(conf.weight));
    if (o.has_features) add("Features", List(o.features), List(conf.features));
    if (o.has_active) add("ActiveFeatures", List(o.active_features), List(node_conf_[i].features));
    if (o.has_gres) add("Gres", Gres(o.gres), Gres(conf.gres));
    out.push_back("node " + conf.name + " was changed at runtime and keeps" + now +
                  " over herd.conf's" + was);
  }
  return out;
}

}  // namespace herd::ctld
