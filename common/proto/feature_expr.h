// herd — `--constraint` feature expressions as Slurm 22.05 documents them: names joined
// by `&` (or `,`) and `|`, parentheses, a node count `name*N`, one bracket per expression:
// `[a|b|c]` (every node of the job has the same one of them) or `[a*2&b*4]` (so many
// nodes of each). `&` binds tighter than `|`. Both the commands (syntax check at submit)
// and the controller's placement read them through this.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/base/status.h"

namespace herd::proto {

// A test of one node's features: a name, or an AND / OR of tests (an AND of none holds).
struct FeaturePred {
  enum class Op : uint8_t { kName, kAnd, kOr };
  Op op = Op::kAnd;
  std::string name;  // kName
  std::vector<FeaturePred> kids;

  bool Matches(const std::vector<std::string>& features) const;
};

// One way of satisfying the expression: every node passes `all`, and for each counted
// term at least `count` of the job's nodes pass its test.
struct FeatureAlternative {
  FeaturePred all;
  std::vector<std::pair<FeaturePred, uint32_t>> counted;
  uint32_t CountedNodes() const;
};

// The alternatives, tried in order (more than one only for a matching OR `[a|b]`).
struct FeatureRequest {
  std::vector<FeatureAlternative> alternatives;
  std::vector<std::string> names;  // every feature the expression names, in order
};

// kInvalidArgument "Invalid feature specification: ..." on a syntax error.
Result<FeatureRequest> ParseFeatures(const std::string& text);

// True when `text` uses more than names joined by '&' or ',' (the form every herd
// release has read as a list of required features).
bool IsFeatureExpression(const std::string& text);

}  // namespace herd::proto
