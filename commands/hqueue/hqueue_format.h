// herd hqueue — how jobs are printed: squeue's field codes and titles, the default and
// long formats, and the --json document.
//
// JSON: {"jobs":[{...}]} with job_id, name, user_name, user_id, group_id, partition,
// job_state, state_reason, priority, nodes, node_count, cpus, cpus_per_task, tasks,
// memory_per_node (MB), time_limit (minutes, as Slurm; null = unlimited),
// time_limit_seconds, submit_time, start_time, end_time (unix seconds, 0 = not yet; a
// pending job's start_time is its expected start), sched_nodes (its reserved nodes),
// elapsed (seconds), exit_code, exit_signal, held, restarts, batch_host, work_dir,
// standard_output, standard_error, command; plus "now", the controller's clock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/types.h"

namespace herd::hqueue {

inline constexpr char kDefaultFormat[] = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
inline constexpr char kLongFormat[] = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";
// --start (squeue's): the expected start and the nodes reserved.
inline constexpr char kStartFormat[] = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R";

// Every supported code and its header title.
const std::map<char, std::string>& JobTitles();

// The text of one field of `job`; `now` is the controller's clock.
std::string JobField(char code, const proto::JobInfo& job, int64_t now);

// The table for `jobs` in `format` (error: an unknown code).
Result<std::string> RenderJobs(const std::vector<proto::JobInfo>& jobs, int64_t now,
                               const std::string& format, bool header);

// squeue -r: an array's pending remainder as one line per task ("123_5", "123_6", ...).
void ExpandArrayTasks(std::vector<proto::JobInfo>* jobs);

// %i: "123" for a job, "123_4" for an array's task, "123_[5-99%10]" for its pending rest.
std::string JobIdText(const proto::JobInfo& job);

// In order of expected start, the jobs without one last (squeue --start).
void SortByStart(std::vector<proto::JobInfo>* jobs);

std::string JobsJson(const std::vector<proto::JobInfo>& jobs, int64_t now);

}  // namespace herd::hqueue
