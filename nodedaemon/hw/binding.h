// herd — where each local task of a step runs within its node: from the node's topology,
// the step's cpus on the node, the task count, cpus per task, the second part of the
// distribution (-m *:block|cyclic) and the binding (--cpu-bind) to one set of logical cpus
// per task. Which ranks land on which node is the controller's decision (the step layout);
// this is only the placement inside one node.
//
//   block  — a task takes the next free cores (or threads) in order, filling a socket first;
//   cyclic — task i starts on the socket after task i-1's and takes consecutive free units
//            there (the default, as in Slurm's block:cyclic).
// cores (default) binds a task to the whole cores it was given, threads to its threads,
// sockets to the sockets it touches, none to all the step's cpus on the node; map_cpu and
// mask_cpu give explicit cpus per local task (cycled). When a step has fewer cores than
// tasks, tasks are placed by thread and bound to the cores of their threads (cores are
// shared then). When even threads run out, placement starts over (oversubscription).
//
// Pure apart from LoadCpuTopology; logical cpu ids are hwloc's logical PU indexes of the
// node (of the synthetic topology for HardwareSource=config; see CpuMap for the real PUs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/base/status.h"

namespace herd::noded {

struct CpuTopology {
  struct Pu {
    uint32_t core = 0;    // logical core index on the node
    uint32_t socket = 0;  // logical package index
  };
  std::vector<Pu> pus;  // indexed by logical cpu id
};

// This host's topology (`synthetic` empty) or a synthetic one ("package:2 core:4 pu:2").
Result<CpuTopology> LoadCpuTopology(const std::string& synthetic);

enum class CpuBindType { kNone, kThreads, kCores, kSockets, kMapCpu, kMaskCpu };

struct CpuBind {
  CpuBindType type = CpuBindType::kCores;
  std::vector<std::vector<uint32_t>> lists;  // map_cpu: one cpu each; mask_cpu: each mask's cpus
  bool verbose = false;
};

// "none|no|cores|threads|sockets|map_cpu:<ids>|mask_cpu:<hex masks>" with optional
// "verbose"/"quiet" items, comma-separated ("cores,verbose", "map_cpu:0,2,verbose").
// Empty = cores.
Result<CpuBind> ParseCpuBind(const std::string& text);

enum class CpuDistribution { kBlock, kCyclic };

// The within-node part of a -m value: "block" -> cyclic (the default), "block:block" ->
// block, "cyclic:cyclic" / "*:fcyclic" -> cyclic. A third part (cores) is accepted and
// ignored.
Result<CpuDistribution> ParseCpuDistribution(const std::string& distribution);

struct BindRequest {
  std::vector<uint32_t> step_cpus;  // the step's logical cpus here (empty = the whole node)
  uint32_t num_tasks = 0;           // local tasks, in local id order
  uint32_t cpus_per_task = 1;
  CpuDistribution distribution = CpuDistribution::kCyclic;
  CpuBind bind;
};

// One ascending set of logical cpus per local task. Errors: cpus the topology does not
// have, and map_cpu/mask_cpu cpus outside the step's cpus.
Result<std::vector<std::vector<uint32_t>>> ComputeBinding(const CpuTopology& topo,
                                                          const BindRequest& req);

// "0x3" for {0, 1}; "0x0" for none.
std::string FormatCpuMask(const std::vector<uint32_t>& cpus);

// The line --cpu-bind=verbose prints on the task's stderr, with its newline:
// "cpu-bind=CORES task 3 on n1: mask 0x30 set".
std::string VerboseBindLine(const CpuBind& bind, uint32_t rank, const std::string& node,
                            const std::vector<uint32_t>& cpus);

}  // namespace herd::noded
