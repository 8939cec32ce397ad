// herd hacctmgr — `list|show account|user|qos|assoc` (hacctmgr_assoc.h): sacctmgr's
// columns, widths and order, from the controller's association tree.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "commands/hacct/hacct_fields.h"
#include "commands/hacctmgr/hacctmgr_assoc.h"
#include "commands/lib/cli.h"
#include "common/base/strings.h"

namespace herd::hacctmgr {

namespace {

using Row = std::map<std::string, std::string>;  // lower-case column key -> value

struct Column {
  const char* key;  // lower case, as rows hold it
  const char* header;
  int width;
  std::vector<const char*> aliases;
};

// sacctmgr's columns and default widths (right-justified).
const std::vector<Column>& Columns() {
  static const std::vector<Column> cols = {
      {"account", "Account", 10, {"acct"}},
      {"adminlevel", "Admin", 9, {"admin"}},
      {"cluster", "Cluster", 10, {}},
      {"defaultaccount", "Def Acct", 10, {"defacct", "defaultacct"}},
      {"defaultqos", "Def QOS", 9, {"defqos"}},
      {"description", "Descr", 20, {"descr"}},
      {"flags", "Flags", 20, {}},
      {"gracetime", "GraceTime", 10, {}},
      {"grpjobs", "GrpJobs", 7, {}},
      {"grpsubmit", "GrpSubmit", 9, {"grpsubmitjobs"}},
      {"grptres", "GrpTRES", 13, {}},
      {"grptresmins", "GrpTRESMins", 13, {}},
      {"grptresrunmins", "GrpTRESRunMin", 13, {"grptresrunmin"}},
      {"grpwall", "GrpWall", 11, {}},
      {"maxjobs", "MaxJobs", 7, {}},
      {"maxjobspa", "MaxJobsPA", 9, {}},
      {"maxjobspu", "MaxJobsPU", 9, {"maxjobsperuser"}},
      {"maxsubmit", "MaxSubmit", 9, {"maxsubmitjobs"}},
      {"maxsubmitpa", "MaxSubmitPA", 11, {}},
      {"maxsubmitpu", "MaxSubmitPU", 11, {"maxsubmitjobsperuser"}},
      {"maxtres", "MaxTRES", 13, {"maxtresperjob", "maxtrespj"}},
      {"maxtresmins", "MaxTRESMins", 13, {}},
      {"maxtrespa", "MaxTRESPA", 13, {}},
      {"maxtrespernode", "MaxTRESPerNode", 14, {}},
      {"maxtrespu", "MaxTRESPU", 13, {}},
      {"maxwall", "MaxWall", 11, {"maxwalldurationperjob"}},
      {"mintres", "MinTRES", 13, {}},
      {"name", "Name", 10, {}},
      {"organization", "Org", 20, {"org"}},
      {"parentname", "Par Name", 10, {"parent"}},
      {"partition", "Partition", 10, {}},
      {"preempt", "Preempt", 10, {}},
      {"preemptexempttime", "PreemptExemptTime", 19, {}},
      {"preemptmode", "PreemptMode", 11, {}},
      {"priority", "Priority", 10, {}},
      {"qos", "QOS", 20, {}},
      {"share", "Share", 9, {"fairshare", "shares"}},
      {"usagefactor", "UsageFactor", 11, {}},
      {"usagethres", "UsageThres", 10, {}},
      {"user", "User", 10, {}},
  };
  return cols;
}

const Column* FindColumn(const std::string& name) {
  const std::string n = ToLower(name);
  for (const Column& c : Columns()) {
    if (n == c.key) return &c;
    for (const char* a : c.aliases) {
      if (n == a) return &c;
    }
  }
  return nullptr;
}

const char* DefaultFormat(Entity e) {
  switch (e) {
    case Entity::kAccount:
      return "Account,Descr,Org";
    case Entity::kUser:
      return "User,DefaultAccount,AdminLevel";
    case Entity::kQos:
      return "Name,Priority,GraceTime,Preempt,PreemptExemptTime,PreemptMode,Flags%40,"
             "UsageThres,UsageFactor,GrpTRES,GrpTRESMins,GrpTRESRunMins,GrpJobs,GrpSubmit,"
             "GrpWall,MaxTRES,MaxTRESPerNode,MaxTRESMins,MaxWall,MaxTRESPU,MaxJobsPU,"
             "MaxSubmitPU,MaxTRESPA,MaxJobsPA,MaxSubmitPA,MinTRES";
    default:
      return "Cluster,Account,User,Partition,Share,Priority,GrpJobs,GrpTRES,GrpSubmit,GrpWall,"
             "GrpTRESMins,MaxJobs,MaxTRES,MaxTRESPerNode,MaxSubmit,MaxWall,MaxTRESMins,QOS,"
             "DefaultQOS,GrpTRESRunMins";
  }
}

struct Field {
  const Column* col;
  int width;  // < 0: left-justified
};

Result<std::vector<Field>> ParseFields(const std::string& spec) {
  std::vector<Field> out;
  for (const std::string& item : cli::SplitList(spec)) {
    const size_t pct = item.find('%');
    const Column* c = FindColumn(item.substr(0, pct));
    if (c == nullptr) return InvalidArgument("Unknown field '" + item.substr(0, pct) + "'");
    HERD_ASSIGN_OR_RETURN(const int width, FieldWidth(item, c->width));
    out.push_back(Field{c, width});
  }
  if (out.empty()) return InvalidArgument("No fields given to format=");
  return out;
}

std::string Count(int64_t n) { return n < 0 ? "" : std::to_string(n); }

// sacctmgr's times: [D-]HH:MM:SS.
std::string Wall(int64_t s) {
  if (s < 0) return "";
  char buf[48];
  const int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
  if (d > 0) {
    std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", static_cast<long long>(d),
                  static_cast<long long>(h), static_cast<long long>(m),
                  static_cast<long long>(sec));
  } else {
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(h),
                  static_cast<long long>(m), static_cast<long long>(sec));
  }
  return buf;
}

// The Max* limits an association inherits from the nearest one above that sets them
// (Grp* limits are its own only), as sacctmgr shows them.
proto::AssocLimits Inherit(proto::AssocLimits own, const proto::AssocLimits& above) {
  if (own.max_jobs < 0) own.max_jobs = above.max_jobs;
  if (own.max_submit < 0) own.max_submit = above.max_submit;
  if (own.max_wall_s < 0) own.max_wall_s = above.max_wall_s;
  if (own.max_tres_per_job.empty()) own.max_tres_per_job = above.max_tres_per_job;
  return own;
}

void PutLimits(const proto::AssocLimits& l, bool qos, Row* r) {
  Row& row = *r;
  row["grpjobs"] = Count(l.grp_jobs);
  row["grpsubmit"] = Count(l.grp_submit);
  row["grptres"] = proto::FormatTres(l.grp_tres);
  row["maxtres"] = proto::FormatTres(l.max_tres_per_job);
  row["maxwall"] = Wall(l.max_wall_s);
  row[qos ? "maxjobspu" : "maxjobs"] = Count(l.max_jobs);
  row[qos ? "maxsubmitpu" : "maxsubmit"] = Count(l.max_submit);
}

struct Filter {
  std::set<std::string> names, accounts, users;
  bool Pass(const std::set<std::string>& set, const std::string& v) const {
    if (set.empty()) return true;
    for (const std::string& s : set) {
      if (EqualsIgnoreCase(s, v)) return true;
    }
    return false;
  }
};

void AssocRows(const proto::QueryAssocReply& t, const Filter& f, std::vector<Row>* out) {
  std::map<std::string, const proto::AccountRecord*> accounts;
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& a : t.accounts) {
    accounts[a.name] = &a;
    if (!a.parent.empty()) children[a.parent].push_back(a.name);
  }
  // herd keeps no QOS list per association yet: each has Slurm's default, normal.
  std::string qos;
  for (const auto& q : t.qos) {
    if (q.name == "normal") qos = q.name;
  }
  std::function<void(const std::string&, const proto::AssocLimits&)> walk =
      [&](const std::string& name, const proto::AssocLimits& above) {
        const proto::AccountRecord& a = *accounts.at(name);
        const proto::AssocLimits eff = Inherit(a.limits, above);
        auto base = [&](Row* r) {
          (*r)["cluster"] = t.cluster;
          (*r)["account"] = name;
          (*r)["qos"] = qos;
        };
        if (f.Pass(f.accounts, name) && f.users.empty()) {
          Row r;
          base(&r);
          r["share"] = std::to_string(a.fairshare);
          r["parentname"] = a.parent;
          PutLimits(eff, false, &r);
          r["grpjobs"] = Count(a.limits.grp_jobs);
          out->push_back(std::move(r));
        }
        for (const auto& u : t.users) {
          auto it = u.accounts.find(name);
          if (it == u.accounts.end() || !f.Pass(f.accounts, name) || !f.Pass(f.users, u.name))
            continue;
          Row r;
          base(&r);
          r["user"] = u.name;
          r["share"] = std::to_string(it->second.fairshare);
          PutLimits(Inherit(it->second.limits, eff), false, &r);
          r["grpjobs"] = Count(it->second.limits.grp_jobs);
          out->push_back(std::move(r));
        }
        for (const std::string& c : children[name]) walk(c, eff);
      };
  if (accounts.count("root") != 0) walk("root", proto::AssocLimits{});
}

void EntityRows(Entity e, const proto::QueryAssocReply& t, const Filter& f, std::vector<Row>* out) {
  if (e == Entity::kAccount) {
    for (const auto& a : t.accounts) {
      if (!f.Pass(f.names, a.name)) continue;
      out->push_back({{"account", a.name},
                      {"description", a.description},
                      {"organization", a.organization},
                      {"parentname", a.parent},
                      {"share", std::to_string(a.fairshare)}});
    }
  } else if (e == Entity::kUser) {
    for (const auto& u : t.users) {
      if (!f.Pass(f.names, u.name) || !f.Pass(f.accounts, u.default_account)) continue;
      out->push_back(
          {{"user", u.name}, {"defaultaccount", u.default_account}, {"adminlevel", u.admin_level}});
    }
  } else if (e == Entity::kQos) {
    for (const auto& q : t.qos) {
      if (!f.Pass(f.names, q.name)) continue;
      char factor[32];
      std::snprintf(factor, sizeof factor, "%.6f", q.usage_factor);
      Row r = {{"name", q.name},
               {"description", q.description},
               {"priority", std::to_string(q.priority)},
               {"gracetime", "00:00:00"},
               {"preemptmode", "cluster"},
               {"flags", q.flags},
               {"usagefactor", factor}};
      PutLimits(q.limits, true, &r);
      out->push_back(std::move(r));
    }
  } else {
    AssocRows(t, f, out);
  }
}

}  // namespace

Result<std::string> RenderList(Entity entity, const std::vector<std::string>& words,
                               const proto::QueryAssocReply& tree, const Printing& p) {
  std::string format = DefaultFormat(entity);
  Filter f;
  for (const std::string& w : words) {
    const std::string lw = ToLower(w);
    if (lw == "where") continue;
    const size_t eq = w.find('=');
    if (eq == std::string::npos) {
      for (const std::string& n : cli::SplitList(w)) f.names.insert(n);
      continue;
    }
    const std::string key = lw.substr(0, eq), value = w.substr(eq + 1);
    std::set<std::string>* set = nullptr;
    if (key == "format") {
      format = value;
      continue;
    } else if (key == "cluster" || key == "clusters") {
      continue;  // one cluster: its own
    } else if (key == "name" || key == "names") {
      set = &f.names;
    } else if (key == "account" || key == "accounts" || key == "defaultaccount") {
      set = entity == Entity::kAccount ? &f.names : &f.accounts;
    } else if (key == "user" || key == "users") {
      set = entity == Entity::kUser ? &f.names : &f.users;
    } else if (key == "qos" && entity == Entity::kQos) {
      set = &f.names;
    } else {
      return InvalidArgument(" Unknown condition: " + w);
    }
    for (const std::string& n : cli::SplitList(value)) set->insert(n);
  }
  if (entity == Entity::kAssoc && !f.names.empty())
    f.accounts.insert(f.names.begin(), f.names.end());
  HERD_ASSIGN_OR_RETURN(std::vector<Field> fields, ParseFields(format));
  std::vector<Row> rows;
  EntityRows(entity, tree, f, &rows);

  std::string out;
  auto line = [&](const std::function<std::string(const Field&)>& cell) {
    std::string l;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string v = cell(fields[i]);
      l += p.parsable ? (i > 0 ? "|" : "") + v : v + " ";
    }
    if (p.parsable && p.trailing_delimiter) l += "|";
    out += l + "\n";
  };
  if (!p.noheader) {
    line([&](const Field& fd) {
      return p.parsable ? std::string(fd.col->header) : hacct::Cell(fd.col->header, fd.width, true);
    });
    if (!p.parsable) {
      line([](const Field& fd) {
        return std::string(static_cast<size_t>(std::abs(fd.width)), '-');
      });
    }
  }
  for (const Row& r : rows) {
    line([&](const Field& fd) {
      auto it = r.find(fd.col->key);
      const std::string v = it == r.end() ? "" : it->second;
      return p.parsable ? v : hacct::Cell(v, fd.width, false);
    });
  }
  return out;
}

}  // namespace herd::hacctmgr
