// herd — the cluster configuration (herd.conf): Slurm-like "Key=Value" lines.
//
// Keys are case-insensitive. '#' starts a comment. A NodeName= or PartitionName= line
// defines one node set or partition with the other keys on the same line. Every error
// names the file, the line number and the key. Loading is pure: no daemon state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd {

struct ControllerAddr {
  std::string name;  // "ctl1"
  std::string host;  // address to connect/bind: "127.0.0.1"
  uint16_t port = 0;
  // Commands' sealed requests (doc/security.md "Commands"); 0: none, commands use `port`.
  uint16_t command_port = 0;
};

struct NodeConfig {
  std::string name;   // one node, expanded from the NodeName hostlist
  std::string addr;   // NodeAddr (default: the name)
  uint16_t port = 0;  // from Port= (a single port, or a range matched in order)
  uint32_t cpus = 1;  // CPUs (default Sockets*CoresPerSocket*ThreadsPerCore)
  uint32_t sockets = 1;
  uint32_t cores_per_socket = 1;
  uint32_t threads_per_core = 1;
  uint64_t real_memory_mb = 1;        // RealMemory
  std::vector<std::string> features;  // Features=ib,eth
  std::string gres;                   // Gres= as given
  uint32_t weight = 1;
};

enum class PartitionState { kUp, kDown, kDrain, kInactive };

struct PartitionConfig {
  std::string name;
  std::vector<std::string> nodes;  // expanded
  bool is_default = false;
  int64_t max_time_s = -1;      // -1 = INFINITE
  int64_t default_time_s = -1;  // DefaultTime; -1 = use MaxTime
  PartitionState state = PartitionState::kUp;
  uint32_t max_nodes = 0;  // 0 = unlimited
  uint32_t min_nodes = 0;  // MinNodes: jobs asking fewer nodes wait (PartitionNodeLimit)
  uint32_t priority = 1;   // PriorityTier
  // PriorityJobFactor: the partition factor of priority/multifactor is this over the
  // highest of all partitions' (PriorityTier decides first).
  uint32_t priority_job_factor = 1;
};

// What a node enforces of a job's allocation through cgroups (cgroup.conf's keys in Slurm,
// here in herd.conf). Off by default, as in Slurm.
struct CgroupConfig {
  std::string plugin = "autodetect";  // CgroupPlugin: autodetect, cgroup/v1 or cgroup/v2
  bool constrain_cores = false;       // ConstrainCores: a cpuset of the allocated cores
  bool constrain_ram = false;         // ConstrainRAMSpace: memory limit from the allocation
  bool constrain_swap = false;        // ConstrainSwapSpace: RAM + swap limit
  bool constrain_devices = false;     // ConstrainDevices (parsed; GRES devices come later)
  double allowed_ram_percent = 100;   // AllowedRAMSpace: % of the allocated memory
  double allowed_swap_percent = 0;    // AllowedSwapSpace: % of it allowed as swap on top
  bool any() const { return constrain_cores || constrain_ram || constrain_swap; }
};

// The programs a site runs on its nodes (Slurm's keys of the same names).
struct HookConfig {
  std::string prolog;                    // Prolog: absolute path, run before a batch script
  std::string epilog;                    // Epilog: run after the job's processes are gone
  std::string task_prolog;               // TaskProlog: as the user before each task's exec
  std::string task_epilog;               // TaskEpilog: as the user after each task ended
  uint32_t prolog_epilog_timeout_s = 0;  // PrologEpilogTimeout; 0 = no limit
  // Run by the active controller (controller/ctld_hooks.h): before a job's launch, at its end.
  std::string prolog_slurmctld;          // PrologSlurmctld
  std::string epilog_slurmctld;          // EpilogSlurmctld
  std::string health_check_program;      // HealthCheckProgram
  uint32_t health_check_interval_s = 0;  // HealthCheckInterval; 0 = never
  bool health_check_idle_only = false;   // HealthCheckNodeState=IDLE (else ANY)
  bool health_check_busy_only = false;   // HealthCheckNodeState=ALLOC or MIXED
  // JobSubmitPlugins=lua: the controller runs the site's job_submit.lua on each submission
  // (doc/enforce.md); JobSubmitScript: its path, by default job_submit.lua beside herd.conf
  // (where Slurm looks for it beside slurm.conf).
  bool job_submit_lua = false;
  std::string job_submit_script;
};

// SchedulerType and SchedulerParameters (doc/scheduling.md): Slurm's names and defaults
// for what herd's scheduler does.
struct SchedConfig {
  bool backfill = true;                // SchedulerType=sched/backfill (else sched/builtin)
  uint32_t default_queue_depth = 100;  // jobs tried in priority order per pass
  uint32_t bf_max_job_test = 500;      // jobs tried for a backfill start per pass
  uint32_t bf_window_min = 1440;       // how far ahead a reservation may be made
  uint32_t bf_resolution_s = 60;       // expected ends are rounded up to this
  bool bf_continue = false;            // accepted: a herd pass is never interrupted
  // herd's bf_reserve_aged: with priority/multifactor, every job whose age factor reached
  // 1 (PriorityMaxAge) gets a reservation too, not only the first of its partition.
  bool bf_reserve_aged = false;
  // Options Slurm has and herd does not: warned about when the controller starts.
  std::vector<std::string> ignored;
};

// AccountingStorageEnforce (doc/associations.md): what submission and the scheduler
// check against the associations. Slurm's values; each one implies those it needs.
struct AcctEnforce {
  bool associations = false;  // an unknown account or user's association is refused
  bool limits = false;        // the associations' and QOS limits (implies associations)
  bool qos = false;           // a job's QOS must exist (implies associations)
  bool safe = false;          // accepted (implies associations, limits)
  bool wckeys = false;        // accepted; herd keeps no wckeys
  bool nojobs = false;        // accepted (implies nosteps)
  bool nosteps = false;       // accepted
  bool any() const { return associations; }
};

// PriorityType and the Priority* keys (doc/scheduling.md "Priority"): Slurm's names and
// defaults. priority/basic orders jobs by submission (and nice); priority/multifactor sums
// weight x factor (each factor 0..1) and subtracts nice.
struct PriorityConfig {
  bool multifactor = false;  // PriorityType=priority/multifactor (else priority/basic)
  uint32_t weight_age = 0;   // PriorityWeightAge
  uint32_t weight_fairshare = 0;
  uint32_t weight_job_size = 0;
  uint32_t weight_partition = 0;
  uint32_t weight_qos = 0;
  int64_t max_age_s = 7 * 86400;            // PriorityMaxAge: the age factor is 1 past it
  bool favor_small = false;                 // PriorityFavorSmall
  int64_t decay_half_life_s = 7 * 86400;    // PriorityDecayHalfLife; 0: usage never decays
  uint32_t calc_period_s = 300;             // PriorityCalcPeriod (minutes in herd.conf)
  std::string usage_reset_period = "NONE";  // PriorityUsageResetPeriod (accepted)
  // PriorityFlags: fair-tree is the default (FAIR_TREE); NO_FAIR_TREE: classic fair-share.
  bool fair_tree = true;
  bool small_relative_to_time = false;  // SMALL_RELATIVE_TO_TIME
  std::vector<std::string> flags;       // as given, upper case (the others are accepted)
};

// Accounting's purge and archive policy (doc/accounting.md "Purge and archive"): Slurm's
// slurmdbd.conf keys, in herd.conf because herd's controller writes the database itself.
struct PurgeAfter {
  enum Unit { kNever, kHours, kDays, kMonths } unit = kNever;
  uint32_t count = 0;
  bool set() const { return unit != kNever; }
};
struct AcctPurgeConfig {
  PurgeAfter jobs;              // PurgeJobAfter: ended jobs (and their steps)
  PurgeAfter steps;             // PurgeStepAfter: ended steps
  PurgeAfter events;            // PurgeEventAfter: ended node state periods
  PurgeAfter usage;             // PurgeUsageAfter: hourly rollups
  bool archive_jobs = false;    // ArchiveJobs: write purged jobs to ArchiveDir first
  bool archive_steps = false;   // ArchiveSteps
  bool archive_events = false;  // ArchiveEvents
  bool archive_usage = false;   // ArchiveUsage
  std::string archive_dir;      // ArchiveDir; empty: StateDir/archive
  bool any() const { return jobs.set() || steps.set() || events.set() || usage.set(); }
};

struct ClusterConfig {
  std::string source_path;                  // the file it was read from
  std::string cluster_name = "herd";        // ClusterName
  std::vector<ControllerAddr> controllers;  // ControllerHost=name(addr:port), in order
  uint16_t controller_port = 6817;          // ControllerPort: default port for ControllerHost
  uint16_t controller_command_port = 0;     // ControllerCommandPort: default command port
  std::string witness;                      // WitnessHost=name(addr:port) as written, optional
  ControllerAddr witness_addr;              // parsed; name empty when there is no witness
  // High availability (doc/ha.md). The active renews its lease with a majority of the
  // voters (controllers + witness) every HaLeaseMs/4 and stops writing before it ends; the
  // passive starts an election when it has not heard from the active for HaLeaseMs.
  uint32_t ha_lease_ms = 1000;  // HaLeaseMs
  // The passive must have a record durably within this long, or the active goes on alone
  // (after telling the witness that the passive may not take over).
  uint32_t ha_sync_timeout_ms = 500;               // HaSyncTimeoutMs
  bool unsupported_options_error = false;          // UnsupportedOptions=error (default warn)
  bool read_from_passive = false;                  // ReadFromPassive=yes: queries go to the passive
  std::string state_dir = "/var/spool/herd/ctld";  // StateDir
  std::string spool_dir = "/var/spool/herd/%n";    // SpoolDir (%n = node name)
  std::string log_dir;                             // LogDir; empty = stderr
  std::string auth_type = "auth/munge";            // AuthType
  std::string auth_socket;                         // AuthSocket: munged socket; empty = default
  // KeyDir: the daemons' CurveZMQ key pairs, "<name>.pub" (public) and "<name>.key"
  // (secret, mode 0600), one per controller, witness and node (doc/security.md).
  std::string key_dir = "/etc/herd/keys";
  std::string scheduler_type = "sched/backfill";  // SchedulerType (see sched)
  SchedConfig sched;                              // SchedulerType, SchedulerParameters
  AcctEnforce enforce;                            // AccountingStorageEnforce
  PriorityConfig priority;                        // PriorityType, Priority*
  std::string select_type = "select/cores";
  std::string mpi_default = "mpi/none";
  std::string hardware_source = "hwloc";  // HardwareSource=hwloc|config
  // AdminUser (or AdminUsers): a comma list of users who may do what root may.
  std::string admin_user = "root";
  uint32_t heartbeat_interval_s = 5;  // HeartbeatInterval
  uint32_t node_timeout_s = 30;       // NodeTimeout (Slurm: SlurmdTimeout)
  uint32_t min_job_age_s = 300;       // MinJobAge
  // The audit trail of admin changes (doc/admin.md): records older than AuditMaxAge
  // seconds (counted from the newest; 0 = no age bound) or beyond the newest
  // AuditMaxRecords are dropped.
  uint32_t audit_max_age_s = 90 * 86400;
  uint32_t audit_max_records = 10000;
  uint32_t kill_wait_s = 30;  // KillWait: SIGTERM -> SIGKILL grace
  // NodeLease: a node daemon without an accepted answer from an active controller for this
  // long stops its jobs itself; 0 (not set) = twice NodeTimeout. At least NodeTimeout.
  uint32_t node_lease_s = 0;
  uint32_t checkpoint_interval_s = 60;  // CheckpointInterval
  uint32_t return_to_service = 1;       // ReturnToService 0|1|2 (as Slurm)
  uint64_t def_mem_per_cpu_mb = 0;      // DefMemPerCPU; 0 = memory not reserved by default
  uint32_t max_job_count = 100000;      // MaxJobCount
  uint32_t max_array_size = 1001;       // MaxArraySize: array task ids are below it
  // What one user can make the controller store (doc/limits.md). Sizes in bytes.
  uint64_t max_script_size = 4u << 20;  // MaxScriptSize: a batch script (Slurm's max_script_size)
  uint64_t max_env_size = 1u << 20;     // MaxEnvSize: a job's environment, "NAME=value" + NUL each
  // MaxSubmitJobsPerUser: a user's jobs not yet ended (pending or running); root and the
  // AdminUser are not limited. 0 = no limit.
  uint32_t max_submit_jobs_per_user = 10000;
  // StateDirReserve: free space kept on StateDir's file system; below it new submissions
  // are refused, so that ending jobs can still be journaled.
  uint64_t state_dir_reserve = 256u << 20;
  bool job_requeue = true;          // JobRequeue
  uint32_t message_timeout_s = 10;  // MessageTimeout
  // Accounting (doc/accounting.md). acct_type: "" (none), "accounting_storage/sqlite" or
  // "accounting_storage/pgsql" (accounting_storage/postgresql is read as that).
  std::string acct_type;       // AccountingStorageType
  std::string acct_loc;        // AccountingStorageLoc: SQLite file / PostgreSQL database
  std::string acct_host;       // AccountingStorageHost: PostgreSQL host or socket directory
  uint16_t acct_port = 0;      // AccountingStoragePort (0: libpq's default)
  std::string acct_user;       // AccountingStorageUser
  std::string acct_pass_file;  // AccountingStoragePass: a file holding the password
  AcctPurgeConfig purge;       // Purge*After, Archive* (the database's retention)
  // PrivateData: Slurm's comma list; "jobs" makes hacct show users their own jobs only
  // (root and AdminUser see all).
  std::string private_data;
  // DependencyParameters=kill_invalid_depend: a job whose dependency can never be satisfied
  // is cancelled, unless it was submitted with --kill-on-invalid-dep=no.
  bool kill_invalid_depend = false;
  CgroupConfig cgroup;
  HookConfig hooks;
  std::vector<NodeConfig> nodes;  // in file order
  std::vector<PartitionConfig> partitions;
  // Every accepted key=value as written (last wins), for `hcontrol show config`.
  std::map<std::string, std::string> raw;

  const NodeConfig* FindNode(const std::string& name) const;
  const PartitionConfig* FindPartition(const std::string& name) const;
  const PartitionConfig* DefaultPartition() const;
  bool has_witness() const { return !witness_addr.name.empty(); }
  // NodeLease as it applies (the default resolved).
  int64_t NodeLeaseS() const {
    return node_lease_s != 0 ? int64_t{node_lease_s} : 2 * int64_t{node_timeout_s};
  }
  // How long after its last accepted contact with a node the controller may take the
  // node's jobs for gone (doc/ha.md, "Lost nodes"): the node's lease, its KillWait, and a
  // margin for the answer's way to the node, the node's loop and the kill itself.
  static constexpr uint32_t kLostNodeMarginS = 5;
  int64_t LostNodeDelayMs() const { return (NodeLeaseS() + kill_wait_s + kLostNodeMarginS) * 1000; }
  // Controllers and the witness: the voters of an election.
  size_t voters() const { return controllers.size() + (has_witness() ? 1 : 0); }
};

// A partition's keys (config_partition.cc). The canonical spelling of a PartitionName
// line's key ("Priority" is read as PriorityTier), "" when it is not one.
std::string CanonicalPartitionKey(const std::string& key);
const char* PartitionStateName(PartitionState s);
Result<PartitionState> ParsePartitionState(const std::string& text);
// Sets the key (canonical) on `p`; Nodes=ALL sets `*all_nodes` (the caller fills the
// nodes). kNotFound for an unknown key, kInvalidArgument for a bad value.
Status ApplyPartitionKey(PartitionConfig* p, const std::string& key, const std::string& value,
                         bool* all_nodes);
// What a partition must satisfy by itself (name, nodes listed once, DefaultTime within
// MaxTime, MinNodes within MaxNodes).
Status CheckPartition(const PartitionConfig& p);
// The partition as one canonical herd.conf line, every key given: two partitions are the
// same exactly when their lines are.
std::string FormatPartitionLine(const PartitionConfig& p);
// `conf_text` (a herd.conf) with its PartitionName lines replaced by `lines` (partition
// name -> its line, FormatPartitionLine's): a line of one not among them is commented out
// ("# deleted at runtime: ..."), those it lacks are appended. Every other line is kept.
std::string MergePartitionLines(const std::string& conf_text,
                                const std::map<std::string, std::string>& lines);

// A node's values herd.conf gives and an admin may change at runtime.
struct NodeValues {
  uint32_t weight = 1;
  std::vector<std::string> features;
  std::string gres;
};
NodeValues ValuesOf(const NodeConfig& n);
// `conf_text` (a herd.conf, read as `cfg`) with its NodeName lines giving each node of
// `values` those values: a line whose nodes all have the same ones keeps its form with
// Weight, Features and Gres set; one whose nodes now differ becomes a line per node (its
// NodeAddr and Port from `cfg`), after the old line commented out.
std::string MergeNodeValues(const std::string& conf_text, const ClusterConfig& cfg,
                            const std::map<std::string, NodeValues>& values);

// Reads and validates a file. Errors: "<file>:<line>: <Key>: <what is wrong>".
Result<ClusterConfig> LoadConfig(const std::string& path);
// Same, from text already in memory (`origin` is used in messages).
Result<ClusterConfig> ParseConfig(const std::string& text, const std::string& origin);

// `name` is one of AdminUser's (a comma list).
bool IsAdminUserName(const ClusterConfig& config, const std::string& name);

// The path commands and daemons use: $HERD_CONF, else /etc/herd/herd.conf.
std::string DefaultConfigPath();

// Time strings as Slurm accepts them: "minutes", "minutes:seconds", "hours:minutes:seconds",
// "days-hours", "days-hours:minutes", "days-hours:minutes:seconds", "INFINITE"/"UNLIMITED"
// (-> -1). Returns seconds.
Result<int64_t> ParseTimeLimit(const std::string& text);
// Seconds -> "D-HH:MM:SS" / "HH:MM:SS" / "MM:SS" as squeue prints; -1 -> "UNLIMITED".
std::string FormatDuration(int64_t seconds);
// Memory sizes: "2000" (MB), "2G", "512M", "1T", "100K" -> MB (rounded up).
Result<uint64_t> ParseMemoryMb(const std::string& text);
// Byte sizes: "4194304", "512K", "4M", "1G", "1T" (binary units) -> bytes.
Result<uint64_t> ParseByteSize(const std::string& text);
// "yes"/"no" in any case.
Result<bool> ParseYesNo(const std::string& text);
// A TCP port, 1-65535.
Result<uint16_t> ParsePort(const std::string& text);
// "name(addr:port)", "name(addr)", "name([v6addr]:port)" or "name", as ControllerHost and
// WitnessHost take them: host defaults to name, port to `default_port` (0 = not given).
Result<ControllerAddr> ParseHostAddr(const std::string& text, uint16_t default_port);
// Applies one global key as a herd.conf line would (the key matched case-insensitively;
// ControllerHost appends; `raw` is not touched) and stores the key's canonical spelling in
// `*canonical`. Errors carry no file or line: kNotFound for a key that is not global,
// kInvalidArgument for a bad value.
Status ApplyGlobalKey(ClusterConfig* config, const std::string& key, const std::string& value,
                      std::string* canonical);
// The job_submit.lua the controller runs (JobSubmitScript or its default).
std::string JobSubmitScriptPath(const ClusterConfig& config);
// The same for SchedulerType, SchedulerParameters and AccountingStorageEnforce
// (config_sched.cc).
Status ApplySchedKey(ClusterConfig* config, const std::string& key, const std::string& value,
                     std::string* canonical);
// The same for PriorityType and the Priority* keys (config_priority.cc).
Status ApplyPriorityKey(ClusterConfig* config, const std::string& key, const std::string& value,
                        std::string* canonical);
// The same for the node enforcement keys (config_enforce.cc): kNotFound when `key` is not
// one of them.
Status ApplyEnforceKey(ClusterConfig* config, const std::string& key, const std::string& value,
                       std::string* canonical);
// The same for the accounting purge and archive keys (config_acct.cc).
Status ApplyAcctPurgeKey(ClusterConfig* config, const std::string& key, const std::string& value,
                         std::string* canonical);
// "12month", "7days", "36hours", "6" (months): Purge*After's values. At least 1.
Result<PurgeAfter> ParsePurgeAfter(const std::string& text);
// The value as herd.conf takes it back ("12months"; "" when never).
std::string FormatPurgeAfter(const PurgeAfter& p);

}  // namespace herd
