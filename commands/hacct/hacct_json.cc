// herd hacct --json — the document, written with cli::JsonWriter. Values that sacct's
// table shows (state, exit code, node list) come from the same field getters, so the two
// outputs never disagree.
#include "commands/hacct/hacct_json.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "commands/hacct/hacct_fields.h"
#include "commands/lib/cli.h"
#include "commands/lib/json.h"
#include "common/base/hostlist.h"
#include "common/proto/types.h"

namespace herd::hacct {
namespace {

using ctld::acct::JobRow;
using ctld::acct::StepRow;

void Null(cli::JsonWriter* w, const char* key) {
  w->Key(key);
  w->Null();
}
void Int(cli::JsonWriter* w, const char* key, int64_t v) {
  w->Key(key);
  w->Int(v);
}
void Str(cli::JsonWriter* w, const char* key, const std::string& v) {
  w->Key(key);
  w->String(v);
}
void Object(cli::JsonWriter* w, const char* key, const std::function<void()>& body) {
  w->Key(key);
  w->BeginObject();
  body();
  w->EndObject();
}
void Array(cli::JsonWriter* w, const char* key, const std::function<void()>& body) {
  w->Key(key);
  w->BeginArray();
  body();
  w->EndArray();
}

// A numeric field's value (empty: 0).
int64_t NumField(const char* name, const RowView& r) {
  const std::string v = FieldValue(name, r);
  return v.empty() ? 0 : std::atoll(v.c_str());
}

// {"seconds": s, "microseconds": us} of a CPU time (unknown: zeros, as sacct).
void CpuTime(cli::JsonWriter* w, const char* key, int64_t us) {
  us = std::max<int64_t>(us, 0);
  Object(w, key, [&] {
    Int(w, "seconds", us / 1000000);
    Int(w, "microseconds", us % 1000000);
  });
}

void ExitCode(cli::JsonWriter* w, const char* key, const std::string& code_signal) {
  const JsonExit e = JsonExitOf(code_signal);
  Object(w, key, [&] {
    Str(w, "status", e.status);
    w->Key("return_code");
    if (e.signal != 0) {
      w->Null();
      Object(w, "signal", [&] {
        Int(w, "signal_id", e.signal);
        Str(w, "name", strsignal(e.signal));
      });
    } else {
      w->Int(e.return_code);
    }
  });
}

// One TRES entry: {"type": "cpu", "name": null, "id": 1, "count": n}, Slurm's ids.
void Tres(cli::JsonWriter* w, const char* type, int id, int64_t count) {
  w->BeginObject();
  Str(w, "type", type);
  Null(w, "name");
  Int(w, "id", id);
  Int(w, "count", count);
  w->EndObject();
}

void JobTres(cli::JsonWriter* w, const JobRow& j) {
  Object(w, "tres", [&] {
    Array(w, "allocated", [&] {
      if (j.start_time <= 0) return;
      Tres(w, "cpu", 1, j.alloc_cpus);
      if (j.alloc_mem_mb > 0) Tres(w, "mem", 2, static_cast<int64_t>(j.alloc_mem_mb));
      Tres(w, "node", 4, j.nnodes);
      Tres(w, "billing", 5, j.alloc_cpus);
    });
    Array(w, "requested", [&] {
      Tres(w, "cpu", 1, j.req_cpus);
      const uint64_t mem = j.req_mem_per_cpu ? j.req_mem_mb * j.req_cpus : j.req_mem_mb * j.nnodes;
      if (mem > 0) Tres(w, "mem", 2, static_cast<int64_t>(mem));
      Tres(w, "node", 4, j.req_nodes);
      Tres(w, "billing", 5, j.req_cpus);
    });
  });
}

// A step's usage TRES: memory in bytes (max: the highest node's peak; average: per task).
void UsageTres(cli::JsonWriter* w, const char* key, const StepRow* u) {
  auto mem = [&](int64_t kb) {
    if (u != nullptr && kb >= 0) Tres(w, "mem", 2, kb * 1024);
  };
  Object(w, key, [&] {
    Array(w, "max", [&] { mem(u != nullptr ? u->max_rss_kb : -1); });
    Array(w, "min", [] {});
    Array(w, "average", [&] { mem(u != nullptr ? u->ave_rss_kb : -1); });
    Array(w, "total", [] {});
  });
}

void Step(cli::JsonWriter* w, const RowView& r) {
  const StepRow* u = r.usage;
  w->BeginObject();
  const std::string nodes = FieldValue("NodeList", r);
  Object(w, "nodes", [&] {
    auto names = ExpandHostlist(nodes);
    Array(w, "list", [&] {
      if (!names.ok()) return;
      for (const std::string& n : *names) w->String(n);
    });
    Int(w, "count", names.ok() ? static_cast<int64_t>(names->size()) : 0);
    Str(w, "range", nodes);
  });
  Object(w, "tres", [&] {
    UsageTres(w, "requested", u);
    UsageTres(w, "consumed", nullptr);
    Array(w, "allocated", [&] {
      Tres(w, "cpu", 1, NumField("AllocCPUS", r));
      Tres(w, "node", 4, NumField("NNodes", r));
    });
  });
  const int64_t user = u != nullptr ? u->user_cpu_us : 0, sys = u != nullptr ? u->sys_cpu_us : 0;
  Object(w, "time", [&] {
    Int(w, "elapsed", NumField("ElapsedRaw", r));
    Int(w, "end", r.step != nullptr ? r.step->end_time : r.job->end_time);
    Int(w, "start", r.step != nullptr ? r.step->start_time : r.job->start_time);
    Int(w, "suspended", 0);
    CpuTime(w, "system", sys);
    CpuTime(w, "total", std::max<int64_t>(user, 0) + std::max<int64_t>(sys, 0));
    CpuTime(w, "user", user);
  });
  ExitCode(w, "exit_code", FieldValue("ExitCode", r));
  Object(w, "tasks", [&] { Int(w, "count", NumField("NTasks", r)); });
  Null(w, "pid");
  Object(w, "CPU", [&] {
    Object(w, "requested_frequency", [&] {
      Int(w, "min", 0);
      Int(w, "max", 0);
    });
    Array(w, "governor", [] {});
  });
  Null(w, "kill_request_user");
  Str(w, "state", FieldValue("State", r));
  Object(w, "statistics", [&] {
    Object(w, "CPU", [&] { Int(w, "actual_frequency", 0); });
    Object(w, "energy",
           [&] { Int(w, "consumed", u != nullptr ? std::max<int64_t>(u->energy_j, 0) : 0); });
  });
  Object(w, "step", [&] {
    Int(w, "job_id", static_cast<int64_t>(r.job->job_id));
    Object(w, "het", [&] { Null(w, "component"); });
    w->Key("id");
    if (r.step != nullptr) {
      w->Int(r.step->step_id);
    } else {
      w->String("batch");
    }
    Str(w, "name", FieldValue("JobName", r));
  });
  Object(w, "task", [&] { Str(w, "distribution", "Unknown"); });
  w->EndObject();
}

void Job(cli::JsonWriter* w, const std::vector<RowView>& rows, const std::string& cluster) {
  const RowView& r = rows.front();
  const JobRow& j = *r.job;
  int64_t user = 0, sys = 0;
  for (const StepRow& s : j.steps) {
    user += std::max<int64_t>(s.user_cpu_us, 0);
    sys += std::max<int64_t>(s.sys_cpu_us, 0);
  }
  w->BeginObject();
  Str(w, "account", j.account);
  Object(w, "comment", [&] {
    Null(w, "administrator");
    Null(w, "job");
    Null(w, "system");
  });
  Int(w, "allocation_nodes", j.start_time > 0 ? j.nnodes : 0);
  Object(w, "array", [&] {
    Int(w, "job_id", j.array_task_id >= 0 ? j.array_job_id : 0);
    Object(w, "limits",
           [&] { Object(w, "max", [&] { Object(w, "running", [&] { Int(w, "tasks", 0); }); }); });
    Null(w, "task");
    w->Key("task_id");
    if (j.array_task_id >= 0) {
      w->Int(j.array_task_id);
    } else {
      w->Null();
    }
  });
  Object(w, "association", [&] {
    Str(w, "account", j.account);
    Str(w, "cluster", cluster);
    Null(w, "partition");
    Str(w, "user", j.user);
  });
  Str(w, "cluster", cluster);
  Str(w, "constraints", "");
  Null(w, "container");
  ExitCode(w, "derived_exit_code", FieldValue("DerivedExitCode", r));
  Object(w, "time", [&] {
    Int(w, "elapsed", NumField("ElapsedRaw", r));
    Int(w, "eligible", j.eligible_time);
    Int(w, "end", j.end_time);
    Int(w, "start", j.start_time);
    Int(w, "submission", j.submit_time);
    Int(w, "suspended", 0);
    CpuTime(w, "system", sys);
    w->Key("limit");
    if (j.time_limit_s < 0) {
      w->Null();
    } else {
      w->Int(j.time_limit_s / 60);
    }
    CpuTime(w, "total", user + sys);
    CpuTime(w, "user", user);
  });
  ExitCode(w, "exit_code", FieldValue("ExitCode", r));
  Array(w, "flags", [] {});
  Str(w, "group", GroupName(j.gid));
  Object(w, "het", [&] {
    Int(w, "job_id", 0);
    Null(w, "job_offset");
  });
  Int(w, "job_id", static_cast<int64_t>(j.job_id));
  Str(w, "name", j.name);
  Object(w, "mcs", [&] { Str(w, "label", ""); });
  Str(w, "nodes", FieldValue("NodeList", r));
  Str(w, "partition", j.partition);
  Int(w, "priority", j.priority);
  Str(w, "qos", j.qos);
  Object(w, "required", [&] {
    Int(w, "CPUs", j.req_cpus);
    Int(w, "memory", static_cast<int64_t>(j.req_mem_mb));
  });
  Null(w, "kill_request_user");
  Object(w, "reservation", [&] {
    Int(w, "id", 0);
    Int(w, "name", 0);
  });
  Object(w, "state", [&] {
    Str(w, "current", FieldValue("State", r));
    Str(w, "reason", FieldValue("Reason", r));
  });
  Array(w, "steps", [&] {
    for (size_t i = 1; i < rows.size(); ++i) Step(w, rows[i]);
  });
  JobTres(w, j);
  Str(w, "user", j.user);
  Object(w, "wckey", [&] {
    Str(w, "wckey", "");
    Array(w, "flags", [] {});
  });
  Str(w, "working_directory", j.work_dir);
  w->EndObject();
}

}  // namespace

JsonExit JsonExitOf(const std::string& code_signal) {
  JsonExit e;
  const size_t colon = code_signal.find(':');
  e.return_code = std::atoi(code_signal.substr(0, colon).c_str());
  e.signal = colon == std::string::npos ? 0 : std::atoi(code_signal.c_str() + colon + 1);
  e.status = e.signal != 0 ? "SIGNALED" : e.return_code != 0 ? "FAILED" : "SUCCESS";
  return e;
}

std::string RenderJson(const std::vector<JobRow>& jobs, const std::string& cluster,
                       bool allocations, int64_t now) {
  cli::JsonWriter w;
  w.BeginObject();
  Object(&w, "meta", [&] {
    Object(&w, "plugin", [&] {
      Str(&w, "type", "openapi/dbv0.0.38");
      Str(&w, "name", "herd accounting (sacct's dbv0.0.38 shape)");
    });
    Object(&w, "Slurm", [&] {
      Object(&w, "version", [&] {
        Int(&w, "major", 22);
        Int(&w, "micro", 8);
        Int(&w, "minor", 5);
      });
      Str(&w, "release", cli::kVersionString);
    });
  });
  Array(&w, "errors", [] {});
  Array(&w, "jobs", [&] {
    // RowsOf gives each job's line followed by its batch script's and steps' lines.
    const std::vector<RowView> rows = RowsOf(jobs, allocations, now);
    size_t at = 0;
    while (at < rows.size()) {
      size_t next = at + 1;
      while (next < rows.size() && rows[next].job == rows[at].job) ++next;
      Job(&w,
          {rows.begin() + static_cast<ptrdiff_t>(at), rows.begin() + static_cast<ptrdiff_t>(next)},
          cluster);
      at = next;
    }
  });
  w.EndObject();
  return w.str();
}

}  // namespace herd::hacct
