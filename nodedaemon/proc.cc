// herd — /proc process table reading.
#include "nodedaemon/proc.h"

#include <dirent.h>

#include <map>

#include "common/base/fs.h"
#include "common/base/strings.h"

namespace herd::noded {

Result<ProcStat> ParseProcStat(const std::string& line) {
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  //  utime stime cutime cstime priority nice threads itrealvalue starttime ..."
  size_t open = line.find('(');
  size_t close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return InvalidArgument("malformed stat line");
  }
  ProcStat st;
  auto pid = ParseInt(Trim(line.substr(0, open)));
  if (!pid.ok()) return InvalidArgument("malformed pid in stat line");
  st.pid = static_cast<pid_t>(*pid);
  std::vector<std::string> f = Split(line.substr(close + 1), ' ');
  // f[0] = state (field 3), f[1] = ppid (field 4), f[19] = starttime (field 22).
  if (f.size() < 20 || f[0].size() != 1) return InvalidArgument("short stat line");
  st.state = f[0][0];
  auto ppid = ParseInt(f[1]);
  auto start = ParseUint(f[19]);
  if (!ppid.ok() || !start.ok()) return InvalidArgument("malformed stat fields");
  st.ppid = static_cast<pid_t>(*ppid);
  st.starttime = *start;
  return st;
}

Result<ProcStat> ReadProcStat(pid_t pid) {
  if (pid <= 0) return InvalidArgument("bad pid");
  auto text = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text.ok()) return NotFound("no process " + std::to_string(pid));
  return ParseProcStat(*text);
}

std::vector<ProcStat> ListProcesses() {
  std::vector<ProcStat> out;
  DIR* d = opendir("/proc");
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    auto pid = ParseUint(e->d_name, INT32_MAX);
    if (!pid.ok()) continue;
    auto st = ReadProcStat(static_cast<pid_t>(*pid));
    if (st.ok()) out.push_back(*st);
  }
  closedir(d);
  return out;
}

std::vector<pid_t> ListDescendants(pid_t root, bool include_zombies) {
  std::multimap<pid_t, const ProcStat*> children;
  std::vector<ProcStat> all = ListProcesses();
  for (const ProcStat& p : all) children.emplace(p.ppid, &p);
  std::vector<pid_t> out;
  std::vector<pid_t> queue{root};
  for (size_t i = 0; i < queue.size(); ++i) {
    auto range = children.equal_range(queue[i]);
    for (auto it = range.first; it != range.second; ++it) {
      const ProcStat* p = it->second;
      if (p->pid == root) continue;
      queue.push_back(p->pid);  // a zombie has no children, but walking it is harmless
      if (include_zombies || (p->state != 'Z' && p->state != 'X')) out.push_back(p->pid);
    }
  }
  return out;
}

bool ProcessAlive(pid_t pid, uint64_t starttime) {
  auto st = ReadProcStat(pid);
  if (!st.ok()) return false;
  return st->starttime == starttime && st->state != 'Z' && st->state != 'X';
}

}  // namespace herd::noded
