// herd — the job user's account as a step needs it: name, home, shell and supplementary
// groups. herdd looks it up (NSS) and hands it to the herdstepd it starts in
// kStepUserEnv: a step daemon is a new process per job, and NSS loads its modules
// (libnss_systemd and its libraries on Debian) into every process that asks, which was a
// tenth of a batch step's CPU. herdd asks once per job with its modules already loaded.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::noded {

inline constexpr char kStepUserEnv[] = "HERD_STEP_USER";

struct UserEntry {
  uid_t uid = 0;
  gid_t gid = 0;  // the job's group (first of `groups`)
  std::string name;
  std::string home;
  std::string shell;
  std::vector<gid_t> groups;  // supplementary groups, `gid` included
};

// The passwd entry of uid and its groups for gid (getgrouplist), from NSS.
Result<UserEntry> LookupUser(uid_t uid, gid_t gid);

// "uid:gid:g1,g2,...:name:home:shell" (passwd fields never hold ':').
std::string EncodeUserEntry(const UserEntry& u);
Result<UserEntry> DecodeUserEntry(const std::string& text);

// In a step daemon: the entry herdd handed down when it is for uid and gid, else NSS.
Result<UserEntry> StepUser(uid_t uid, gid_t gid);

}  // namespace herd::noded
