// herd — output file name patterns of batch jobs (-o/-e), as Slurm users know them:
//   %j job id   %x job name   %u user name   %N node name   %A job id (array master)
//   %a array index ("0": no arrays yet)   %s step ("batch")   %n node index   %t task
//   %% a literal '%'.  A number between '%' and the letter zero-pads numeric fields
//   ("%5j" -> "00042"). Unknown letters are kept as written.
#pragma once

#include <cstdint>
#include <string>

namespace herd::proto {

struct OutputFields {
  uint64_t job_id = 0;
  std::string job_name;
  std::string user;
  std::string node;
};

inline constexpr char kDefaultOutputPattern[] = "herd-%j.out";

std::string ExpandOutputPattern(const std::string& pattern, const OutputFields& f);

// The file a stream goes to: the pattern (or the default; stderr falls back to the stdout
// pattern) expanded, relative to `work_dir` unless absolute.
std::string ResolveOutputPath(const std::string& pattern, const std::string& fallback_pattern,
                              const std::string& work_dir, const OutputFields& f);

}  // namespace herd::proto
