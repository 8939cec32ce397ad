// herd hcontrol — records as scontrol prints them: "Key=Value" pairs, a few per line, the
// lines after the first indented by three spaces and a blank line after each record
// (or everything on one line with --oneliner); plus the ping lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/proto/types.h"

namespace herd::hcontrol {

// Lines of "Key=Value" words -> the record text (ends with "\n", and an empty line when
// not one-line).
std::string RenderRecord(const std::vector<std::vector<std::string>>& lines, bool oneliner);

// `details`: scontrol's -d count (DerivedExitCode= from 1).
std::string FormatJob(const proto::JobInfo& job, int64_t now, bool oneliner, int details = 0);
// Task `task_id` of array `array_job_id` among `jobs` (its array's records): its own record
// once started or split off, else the array's pending record shown as that one task (as
// scontrol shows "123_4"); none when the array never had it or it is gone.
std::optional<proto::JobInfo> FindArrayTask(const std::vector<proto::JobInfo>& jobs,
                                            uint64_t array_job_id, uint32_t task_id);
std::string FormatNode(const proto::NodeInfo& node, bool oneliner);
// A partition as scontrol prints it; `mem_mb`: the memory of its nodes (TRES=...,mem=).
std::string FormatPartition(const proto::PartitionInfo& p, uint64_t mem_mb, bool oneliner);
// A TRES memory amount: "8000M", "16G" (units only where exact, as Slurm).
std::string TresMemory(uint64_t mb);
// One record of the audit trail: Seq, Time, User, From, Entity, Action, Old, New.
std::string FormatAudit(const proto::AuditRecord& r, bool oneliner);
// "Configuration data as of <time>" then the controller's "Key = Value" lines.
std::string FormatConfig(const std::vector<std::string>& lines, int64_t now);

// scontrol's node state: "IDLE", "MIXED+DRAIN", "DOWN+NOT_RESPONDING", ...
std::string NodeStateFull(const proto::NodeInfo& n);

}  // namespace herd::hcontrol
