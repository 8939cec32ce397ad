// herd — reading the kernel's process table (/proc): one process's stat line, every
// process's parent, and the descendants of a process. Used by the spool scan (liveness
// with pid-reuse protection) and by the process-tree killer.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::noded {

struct ProcStat {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';        // R, S, D, Z, T, ...
  uint64_t starttime = 0;  // field 22, clock ticks since boot
};

// Parses one /proc/<pid>/stat line (the command name may hold spaces and parentheses).
Result<ProcStat> ParseProcStat(const std::string& line);
// kNotFound when the process does not exist.
Result<ProcStat> ReadProcStat(pid_t pid);
// Every process visible in /proc (races with exits are skipped silently).
std::vector<ProcStat> ListProcesses();
// All descendants of `root` (not root itself), parents before children. Zombies are
// included only when `include_zombies`.
std::vector<pid_t> ListDescendants(pid_t root, bool include_zombies = false);
// The process exists, is not a zombie and started at `starttime`.
bool ProcessAlive(pid_t pid, uint64_t starttime);

}  // namespace herd::noded
