// herd — the job user's account for a step (see user_entry.h).
#include "nodedaemon/user_entry.h"

#include <grp.h>
#include <pwd.h>

#include <cstdlib>

#include "common/base/strings.h"

namespace herd::noded {

Result<UserEntry> LookupUser(uid_t uid, gid_t gid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  int err = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found);
  if (err != 0 || found == nullptr) {
    return NotFound("user id " + std::to_string(uid) + " is unknown");
  }
  UserEntry u;
  u.uid = uid;
  u.gid = gid;
  u.name = pw.pw_name;
  u.home = pw.pw_dir != nullptr && *pw.pw_dir != '\0' ? pw.pw_dir : "/";
  u.shell = pw.pw_shell != nullptr && *pw.pw_shell != '\0' ? pw.pw_shell : "/bin/sh";
  int n = 64;
  u.groups.resize(static_cast<size_t>(n));
  while (::getgrouplist(u.name.c_str(), gid, u.groups.data(), &n) < 0) {
    if (n <= static_cast<int>(u.groups.size())) n = static_cast<int>(u.groups.size()) * 2;
    u.groups.resize(static_cast<size_t>(n));
  }
  u.groups.resize(static_cast<size_t>(n));
  if (u.groups.empty()) u.groups.push_back(gid);
  return u;
}

std::string EncodeUserEntry(const UserEntry& u) {
  std::vector<std::string> groups;
  for (gid_t g : u.groups) groups.push_back(std::to_string(g));
  return std::to_string(u.uid) + ":" + std::to_string(u.gid) + ":" + Join(groups, ",") + ":" +
         u.name + ":" + u.home + ":" + u.shell;
}

Result<UserEntry> DecodeUserEntry(const std::string& text) {
  const Status bad = InvalidArgument(std::string("malformed ") + kStepUserEnv);
  std::vector<std::string> f = Split(text, ':', /*keep_empty=*/true);
  if (f.size() != 6 || f[3].empty() || f[4].empty() || f[5].empty()) return bad;
  auto uid = ParseUint(f[0], UINT32_MAX);
  auto gid = ParseUint(f[1], UINT32_MAX);
  if (!uid.ok() || !gid.ok()) return bad;
  UserEntry u;
  u.uid = static_cast<uid_t>(*uid);
  u.gid = static_cast<gid_t>(*gid);
  for (const std::string& g : Split(f[2], ',')) {
    auto v = ParseUint(g, UINT32_MAX);
    if (!v.ok()) return bad;
    u.groups.push_back(static_cast<gid_t>(*v));
  }
  if (u.groups.empty()) return bad;
  u.name = f[3];
  u.home = f[4];
  u.shell = f[5];
  return u;
}

Result<UserEntry> StepUser(uid_t uid, gid_t gid) {
  if (const char* text = std::getenv(kStepUserEnv); text != nullptr) {
    auto u = DecodeUserEntry(text);
    if (u.ok() && u->uid == uid && u->gid == gid) return u;
  }
  return LookupUser(uid, gid);
}

}  // namespace herd::noded
