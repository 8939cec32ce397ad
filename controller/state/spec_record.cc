// herd — SpecRecord to and from JobSpec.
#include "controller/state/spec_record.h"

namespace herd::ctld {

// A tripwire, not a layout requirement: a field added to JobSpec must be added here too
// (member, both conversions, serialize), or the controller silently drops it.
static_assert(sizeof(void*) != 8 || sizeof(proto::JobSpec) == 672,
              "JobSpec changed: update SpecRecord to match, then this size");

SpecRecord::SpecRecord(const proto::JobSpec& s)
    : name(s.name),
      partition(s.partition),
      work_dir(s.work_dir),
      submit_dir(s.submit_dir),
      stdout_pattern(s.stdout_pattern),
      stderr_pattern(s.stderr_pattern),
      nodelist(s.nodelist),
      exclude(s.exclude),
      export_spec(s.export_spec),
      account(s.account),
      qos(s.qos),
      submit_line(s.submit_line),
      dependency(s.dependency),
      array(s.array),
      reservation(s.reservation),
      constraints(s.constraints),
      mem_per_node_mb(s.mem_per_node_mb),
      mem_per_cpu_mb(s.mem_per_cpu_mb),
      time_limit_s(s.time_limit_s),
      begin_time(s.begin_time),
      min_nodes(s.min_nodes),
      max_nodes(s.max_nodes),
      num_tasks(s.num_tasks),
      cpus_per_task(s.cpus_per_task),
      ntasks_per_node(s.ntasks_per_node),
      nice(s.nice),
      umask(static_cast<int16_t>(s.umask >= 0 && s.umask <= 0777 ? s.umask : -1)),
      kill_on_invalid_dep(static_cast<int8_t>(s.kill_on_invalid_dep > 0    ? 1
                                              : s.kill_on_invalid_dep == 0 ? 0
                                                                           : -1)),
      hold(s.hold),
      exclusive(s.exclusive),
      requeue(s.requeue),
      interactive(s.interactive) {}

proto::JobSpec SpecRecord::ToSpec() const {
  proto::JobSpec s;
  s.name = name;
  s.partition = partition;
  s.min_nodes = min_nodes;
  s.max_nodes = max_nodes;
  s.num_tasks = num_tasks;
  s.cpus_per_task = cpus_per_task;
  s.ntasks_per_node = ntasks_per_node;
  s.mem_per_node_mb = mem_per_node_mb;
  s.mem_per_cpu_mb = mem_per_cpu_mb;
  s.time_limit_s = time_limit_s;
  s.work_dir = work_dir;
  s.submit_dir = submit_dir;
  s.stdout_pattern = stdout_pattern;
  s.stderr_pattern = stderr_pattern;
  s.hold = hold;
  s.exclusive = exclusive;
  s.requeue = requeue;
  s.nodelist = nodelist;
  s.exclude = exclude;
  s.constraints = constraints;
  s.nice = nice;
  s.umask = umask;
  s.export_spec = export_spec;
  s.interactive = interactive;
  s.account = account;
  s.qos = qos;
  s.submit_line = submit_line;
  s.dependency = dependency;
  s.array = array;
  s.reservation = reservation;
  s.begin_time = begin_time;
  s.kill_on_invalid_dep = kill_on_invalid_dep;
  return s;
}

}  // namespace herd::ctld
