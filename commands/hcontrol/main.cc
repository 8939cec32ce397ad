// herd hcontrol — view and change cluster state (scontrol's interface). Parsing:
// hcontrol_options.cc; records: hcontrol_format.cc. This file runs the one command.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

#include "commands/hcontrol/hcontrol_format.h"
#include "commands/hcontrol/hcontrol_ha.h"
#include "commands/hcontrol/hcontrol_keygen.h"
#include "commands/hcontrol/hcontrol_options.h"
#include "commands/hcontrol/hcontrol_resv.h"
#include "commands/lib/cli.h"
#include "commands/lib/client.h"
#include "commands/lib/dialect.h"
#include "common/base/fs.h"
#include "common/base/hostlist.h"
#include "common/base/random.h"
#include "common/base/strings.h"

namespace {

// The name this process speaks under (herd's, or Slurm's through a link).
const char* Cmd() { return herd::cli::Name().c_str(); }

using herd::Code;
using herd::Status;
using herd::cli::Client;
using herd::hcontrol::HcontrolCommand;
namespace proto = herd::proto;

int Fail(const Status& st) {
  return herd::cli::ReportError(Cmd(), herd::cli::DescribeCallError(st).message());
}

// A job's error as scontrol prints it: the line alone on stderr under Slurm's names
// ("Invalid job id specified for job 7"), prefixed under herd's. Returns 1.
int JobError(const std::string& line) {
  if (!herd::cli::SlurmDialect()) return herd::cli::ReportError(Cmd(), line);
  std::fprintf(stderr, "%s\n", line.c_str());
  return 1;
}

// After a show the passive served: the note on stderr, the exit code unchanged.
int WithNote(Client& client, int rc) {
  herd::cli::PrintPassiveNote(Cmd(), client);
  return rc;
}

int ShowJobs(Client& client, const HcontrolCommand& c) {
  proto::JobFilter filter;
  filter.include_finished = true;
  if (c.job_id != 0) filter.job_ids.push_back(c.job_id);
  auto reply = client.QueryAllJobs(filter);
  if (c.task_id != proto::kNoArrayTask) {
    if (!reply.ok()) return Fail(reply.error());
    auto task = herd::hcontrol::FindArrayTask(reply->jobs, c.job_id, c.task_id);
    if (!task) {  // as scontrol: "Job 13_9 not found"
      return herd::cli::ReportNotFound(Cmd(), "Job " + std::to_string(c.job_id) + "_" +
                                                  std::to_string(c.task_id) + " not found");
    }
    std::fputs(herd::hcontrol::FormatJob(*task, reply->now, c.oneliner, c.details).c_str(), stdout);
    return 0;
  }
  const bool one = c.job_id != 0;
  if (one && (!reply.ok() ? reply.error().code() == Code::kNotFound : reply->jobs.empty())) {
    return herd::cli::ReportLoadError(Cmd(), "slurm_load_jobs", "Invalid job id specified");
  }
  if (!reply.ok()) return Fail(reply.error());
  if (reply->jobs.empty()) {
    std::printf("No jobs in the system\n");
    return 0;
  }
  int shown = 0;
  for (const proto::JobInfo& j : reply->jobs) {
    if (one && j.job_id != c.job_id) continue;
    std::fputs(herd::hcontrol::FormatJob(j, reply->now, c.oneliner, c.details).c_str(), stdout);
    ++shown;
  }
  if (one && shown == 0)
    return herd::cli::ReportLoadError(Cmd(), "slurm_load_jobs", "Invalid job id specified");
  return 0;
}

int ShowNodes(Client& client, const HcontrolCommand& c) {
  proto::QueryNodesRequest req;
  if (!c.name.empty()) {
    auto names = herd::ExpandHostlist(c.name);
    if (!names.ok()) return herd::cli::ReportNotFound(Cmd(), "Node " + c.name + " not found");
    req.names = *names;
  }
  auto reply = client.QueryNodes(req.names);
  const bool named = !c.name.empty();
  if (named && (!reply.ok() ? reply.error().code() == Code::kNotFound : reply->nodes.empty())) {
    return herd::cli::ReportNotFound(Cmd(), "Node " + c.name + " not found");
  }
  if (!reply.ok()) return Fail(reply.error());
  if (reply->nodes.empty()) {
    std::printf("No nodes in the system\n");
    return 0;
  }
  int shown = 0;
  for (const proto::NodeInfo& n : reply->nodes) {
    if (named && std::find(req.names.begin(), req.names.end(), n.name) == req.names.end()) {
      continue;
    }
    std::fputs(herd::hcontrol::FormatNode(n, c.oneliner).c_str(), stdout);
    ++shown;
  }
  if (named && shown == 0) return herd::cli::ReportNotFound(Cmd(), "Node " + c.name + " not found");
  return 0;
}

int ShowPartitions(Client& client, const HcontrolCommand& c) {
  proto::QueryPartitionsRequest req;
  if (!c.name.empty()) req.names.push_back(c.name);
  auto reply = client.Read<proto::QueryPartitionsReply>(req);
  const bool named = !c.name.empty();
  if (named &&
      (!reply.ok() ? reply.error().code() == Code::kNotFound : reply->partitions.empty())) {
    return herd::cli::ReportNotFound(Cmd(), "Partition " + c.name + " not found");
  }
  if (!reply.ok()) return Fail(reply.error());
  if (reply->partitions.empty()) {
    std::printf("No partitions in the system\n");
    return 0;
  }
  // The memory of each partition's nodes, for its TRES (0, left out, if not known).
  std::map<std::string, uint64_t> node_mem;
  auto nodes = client.Read<proto::QueryNodesReply>(proto::QueryNodesRequest{});
  if (nodes.ok()) {
    for (const proto::NodeInfo& n : nodes->nodes) node_mem[n.name] = n.memory_mb;
  }
  int shown = 0;
  for (const proto::PartitionInfo& p : reply->partitions) {
    if (named && p.name != c.name) continue;
    uint64_t mem = 0;
    for (const std::string& n : p.nodes) {
      if (auto it = node_mem.find(n); it != node_mem.end()) mem += it->second;
    }
    std::fputs(herd::hcontrol::FormatPartition(p, mem, c.oneliner).c_str(), stdout);
    ++shown;
  }
  if (named && shown == 0)
    return herd::cli::ReportNotFound(Cmd(), "Partition " + c.name + " not found");
  return 0;
}

int ShowConfig(Client& client) {
  auto reply = client.Read<proto::QueryConfigReply>(proto::QueryConfigRequest{});
  if (!reply.ok()) return Fail(reply.error());
  auto lines = herd::hcontrol::WithControllerLines(client, std::move(reply->lines));
  std::fputs(herd::hcontrol::FormatConfig(lines, std::time(nullptr)).c_str(), stdout);
  herd::cli::PrintPassiveNote(Cmd(), client);
  return 0;
}

int ShowAudit(Client& client, const HcontrolCommand& c) {
  auto reply = client.Read<proto::QueryAuditReply>(c.audit);
  if (!reply.ok()) return Fail(reply.error());
  if (reply->records.empty()) {
    std::printf("No audit records\n");
    return 0;
  }
  for (const proto::AuditRecord& r : reply->records) {
    std::fputs(herd::hcontrol::FormatAudit(r, c.oneliner).c_str(), stdout);
  }
  return 0;
}

// write config [FILE]: the local herd.conf with the controller's partitions and nodes'
// runtime values (Weight, Features, Gres) merged in
// (doc/admin.md), to FILE or to herd.conf.YYYYMMDDTHHMMSS beside herd.conf, as scontrol
// write config names its copy.
int WriteConfig(Client& client, const HcontrolCommand& c) {
  const std::string conf = herd::cli::ConfigPath();
  auto text = herd::ReadFile(conf);
  if (!text.ok()) return herd::cli::ReportError(Cmd(), text.error().message());
  auto reply = client.Read<proto::QueryPartitionsReply>(proto::QueryPartitionsRequest{});
  if (!reply.ok()) return Fail(reply.error());
  std::map<std::string, std::string> parts;
  for (const proto::PartitionInfo& p : reply->partitions) {
    if (p.conf_line.empty()) {
      return herd::cli::ReportError(Cmd(), "the controller is too old to write its partitions");
    }
    parts[p.name] = p.conf_line;
  }
  std::string to = c.write_to;
  if (to.empty()) {
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    to = conf + "." + stamp;
  }
  // Nodes whose Weight, Features or Gres the controller holds otherwise than this file.
  auto cfg = herd::ParseConfig(*text, conf);
  if (!cfg.ok()) return herd::cli::ReportError(Cmd(), cfg.error().message());
  auto nodes = client.Read<proto::QueryNodesReply>(proto::QueryNodesRequest{});
  if (!nodes.ok()) return Fail(nodes.error());
  std::map<std::string, herd::NodeValues> values;
  for (const proto::NodeInfo& n : nodes->nodes) {
    const herd::NodeConfig* mine = cfg->FindNode(n.name);
    if (mine == nullptr || !n.values_known) continue;
    herd::NodeValues v{n.weight, n.features, n.gres};
    if (v.weight != mine->weight || v.features != mine->features || v.gres != mine->gres) {
      values[n.name] = std::move(v);
    }
  }
  const std::string merged = herd::MergePartitionLines(*text, parts);
  Status w = herd::WriteFileAtomic(to, herd::MergeNodeValues(merged, *cfg, values));
  if (!w.ok()) return herd::cli::ReportError(Cmd(), w.message());
  std::printf("herd config saved to %s\n", to.c_str());
  return 0;
}

// The per-job answers of a hold, release or requeue, as scontrol prints them.
int JobActionResults(const herd::Result<proto::CancelJobsReply>& reply) {
  if (!reply.ok()) return Fail(reply.error());
  int rc = 0;
  for (const proto::JobActionResult& r : reply->results) {
    if (r.code == 0) continue;
    const std::string why = r.message.empty() ? "error" : r.message;
    // A task by its task id as Slurm: "1_99: Invalid job id specified".
    rc = r.array_job_id != 0 ? JobError(herd::cli::ResultId(r) + ": " + why)
                             : JobError(why + " for job " + std::to_string(r.job_id));
  }
  return rc;
}

int HoldOrRelease(Client& client, const HcontrolCommand& c, bool hold) {
  proto::HoldJobsRequest req;
  req.filter.job_ids = c.job_ids;
  req.filter.task_ids = c.task_ids;
  req.hold = hold;
  req.user_hold = c.user_hold;
  req.token = herd::RandomNonZeroU64();  // the same in every resend of this request
  return JobActionResults(client.Call<proto::CancelJobsReply>(req));
}

int Requeue(Client& client, const HcontrolCommand& c) {
  proto::RequeueJobsRequest req;
  req.filter.job_ids = c.job_ids;
  req.filter.task_ids = c.task_ids;
  req.hold = c.requeue_hold;
  req.token = herd::RandomNonZeroU64();
  return JobActionResults(client.Call<proto::CancelJobsReply>(req));
}

// show hostnames [LIST]: one name per line (LIST defaults to the job's node list, as
// scontrol does inside a job); show hostlist NAMES: the compressed expression;
// hostlistsorted: the same of the names sorted.
int ShowHostnames(const herd::hcontrol::HcontrolCommand& cmd) {
  std::string list = cmd.name;
  if (list.empty()) {
    for (const char* var : {"HERD_JOB_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST"}) {
      if (const char* v = std::getenv(var); v != nullptr && *v != '\0') {
        list = v;
        break;
      }
    }
  }
  if (list.empty()) return herd::cli::ReportError(Cmd(), "no host list given");
  auto names = herd::ExpandHostlist(list);
  if (!names.ok()) return herd::cli::ReportError(Cmd(), names.error().message());
  if (cmd.entity == herd::hcontrol::Entity::kHostlistSorted) herd::SortHostnames(&*names);
  if (cmd.entity != herd::hcontrol::Entity::kHostnames) {
    std::printf("%s\n", herd::CompressHostlist(*names).c_str());
  } else {
    for (const auto& n : *names) std::printf("%s\n", n.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  herd::cli::InitName(argv[0], "hcontrol", "scontrol");
  using namespace herd;
  auto cmd = hcontrol::ParseHcontrolArgs(cli::Args(argc, argv));
  if (!cmd.ok()) {
    // scontrol prints an unknown keyword alone, with no prefix
    if (cli::SlurmDialect() && StartsWith(cmd.error().message(), "invalid keyword: ")) {
      std::fprintf(stderr, "%s\n", cmd.error().message().c_str());
      return 1;
    }
    return cli::ReportStatus(Cmd(), cmd.error());
  }
  if (cmd->help) {
    std::fputs(hcontrol::HcontrolUsage().c_str(), stdout);
    return 0;
  }
  if (cmd->version) {
    std::printf("%s\n", cli::kVersionString);
    return 0;
  }
  if (cmd->verb == hcontrol::Verb::kShow &&
      (cmd->entity == hcontrol::Entity::kHostnames || cmd->entity == hcontrol::Entity::kHostlist ||
       cmd->entity == hcontrol::Entity::kHostlistSorted)) {
    return ShowHostnames(*cmd);
  }
  if (cmd->verb == hcontrol::Verb::kKeygen) {
    // Local: the keys are what a connection to the controller would need.
    auto config = LoadConfig(cli::ConfigPath());  // --conf, else $HERD_CONF, else the default
    if (!config.ok()) return cli::ReportError(Cmd(), config.error().message());
    return hcontrol::Keygen(*config, cmd->keygen_names, cmd->keygen_force);
  }
  auto client = cli::Client::Create();
  if (!client.ok()) return cli::ReportError(Cmd(), client.error().message());
  Client& c = **client;
  if (cmd->from_passive) c.set_from_passive(true);
  switch (cmd->verb) {
    case hcontrol::Verb::kShow:
      switch (cmd->entity) {
        case hcontrol::Entity::kJob:
          return WithNote(c, ShowJobs(c, *cmd));
        case hcontrol::Entity::kNode:
          return WithNote(c, ShowNodes(c, *cmd));
        case hcontrol::Entity::kPartition:
          return WithNote(c, ShowPartitions(c, *cmd));
        case hcontrol::Entity::kConfig:
          return ShowConfig(c);
        case hcontrol::Entity::kAudit:
          return WithNote(c, ShowAudit(c, *cmd));
        case hcontrol::Entity::kReservation:
          return WithNote(c, hcontrol::ShowReservations(c, Cmd(), cmd->name, cmd->oneliner));
        case hcontrol::Entity::kHostnames:
        case hcontrol::Entity::kHostlist:
        case hcontrol::Entity::kHostlistSorted:
          break;
      }
      break;
    case hcontrol::Verb::kUpdateNode: {
      auto r = c.Call<proto::StatusReply>(cmd->node_update);
      return r.ok() ? 0 : Fail(r.error());
    }
    case hcontrol::Verb::kUpdatePartition: {
      auto r = c.Call<proto::StatusReply>(cmd->partition_update);
      return r.ok() ? 0 : Fail(r.error());
    }
    case hcontrol::Verb::kUpdateJob: {
      auto r = c.Call<proto::StatusReply>(cmd->job_update);
      if (r.ok()) return 0;
      // As scontrol: "<why> for job <id>".
      const Status why = cli::DescribeCallError(r.error());
      const proto::UpdateJobRequest& u = cmd->job_update;
      if (u.array_task_id != proto::kNoArrayTask) {  // "13_9: Invalid job id specified"
        return JobError(std::to_string(u.job_id) + "_" + std::to_string(u.array_task_id) + ": " +
                        why.message());
      }
      return JobError(why.message() + " for job " + std::to_string(u.job_id));
    }
    case hcontrol::Verb::kHold:
      return HoldOrRelease(c, *cmd, true);
    case hcontrol::Verb::kRelease:
      return HoldOrRelease(c, *cmd, false);
    case hcontrol::Verb::kRequeue:
      return Requeue(c, *cmd);
    case hcontrol::Verb::kPing:
      return hcontrol::Ping(c);
    case hcontrol::Verb::kTakeover:
      return hcontrol::Takeover(c, Cmd(), cmd->takeover_to);
    case hcontrol::Verb::kWriteConfig:
      return WriteConfig(c, *cmd);
    case hcontrol::Verb::kReservation:
      return hcontrol::RunReservationCommand(c, Cmd(), cmd->resv_update);
    case hcontrol::Verb::kKeygen:
    case hcontrol::Verb::kNone:
      break;
  }
  return cli::ReportError(Cmd(), "no command given");
}
