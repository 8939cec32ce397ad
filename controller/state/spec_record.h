// herd — SpecRecord: a job's JobSpec as the controller keeps it in memory. The script,
// arguments and environment are not here (they live in the job's blob file, see
// store/blob_store.h) and strings are pooled (string_pool.h): most pending jobs share their
// name, directories and output patterns. Fields keep JobSpec's names and types, so code
// reading `job.spec.x` reads the same value as before.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/proto/types.h"
#include "controller/state/string_pool.h"

namespace herd::ctld {

struct SpecRecord {
  PooledString name;
  PooledString partition;  // as requested (Job::partition is the resolved one)
  PooledString work_dir;
  PooledString submit_dir;
  PooledString stdout_pattern;
  PooledString stderr_pattern;
  PooledString nodelist;
  PooledString exclude;
  PooledString export_spec;
  PooledString account;      // version 2
  PooledString qos;          // version 2
  PooledString submit_line;  // version 2
  PooledString dependency;   // version 3 (as given; see state/depend.h)
  PooledString array;        // version 4 (--array as given)
  PooledString reservation;  // version 6 (--reservation; 5 is another field's)
  std::vector<std::string> constraints;
  uint64_t mem_per_node_mb = 0;
  uint64_t mem_per_cpu_mb = 0;
  int64_t time_limit_s = -2;
  int64_t begin_time = 0;  // version 3
  uint32_t min_nodes = 0;
  uint32_t max_nodes = 0;
  uint32_t num_tasks = 0;
  uint32_t cpus_per_task = 1;
  uint32_t ntasks_per_node = 0;
  int32_t nice = 0;
  int16_t umask = -1;               // JobSpec::umask (version 1; fits the padding after nice)
  int8_t kill_on_invalid_dep = -1;  // JobSpec's (version 3)
  bool hold = false;
  bool exclusive = false;
  bool requeue = true;
  bool interactive = false;

  SpecRecord() = default;
  // Everything but script, argv and env.
  SpecRecord(const proto::JobSpec& spec);  // NOLINT(google-explicit-constructor)
  // The spec as submitted, without script, argv and env (the caller adds them from the blob).
  proto::JobSpec ToSpec() const;

  template <class A>
  void serialize(A& ar, unsigned version) {
    ar& name& partition& work_dir& submit_dir& stdout_pattern& stderr_pattern& nodelist;
    ar& exclude& export_spec& constraints& mem_per_node_mb& mem_per_cpu_mb& time_limit_s;
    ar& min_nodes& max_nodes& num_tasks& cpus_per_task& ntasks_per_node& nice& hold;
    ar& exclusive& requeue& interactive;
    if (version >= 1) ar& umask;
    if (version >= 2) ar& account& qos& submit_line;
    if (version >= 3) ar& dependency& begin_time& kill_on_invalid_dep;
    if (version >= 4) ar& array;
    if (version >= 6) ar& reservation;
  }
};

}  // namespace herd::ctld

BOOST_CLASS_VERSION(herd::ctld::SpecRecord, 6)
