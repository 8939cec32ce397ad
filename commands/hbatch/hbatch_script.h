// herd hbatch — everything between the command line and the JobSpec: the script checks,
// the "#HERD"/"#SBATCH" directives, --wrap scripts, the --export environment and the
// final JobSpec. Pure functions: no file, no environment and no clock is read here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "commands/hbatch/hbatch_options.h"
#include "common/base/status.h"
#include "common/proto/types.h"

namespace herd::hbatch {

// The command line, parsed.
struct HbatchCommandLine {
  HbatchOptions options;
  std::optional<std::string> script_path;  // none: --wrap, or the script comes from stdin
  std::vector<std::string> script_args;
};

Result<HbatchCommandLine> ParseHbatchCommandLine(const std::vector<std::string>& args);

// "#!/bin/sh\n<command>\n".
std::string WrapScript(const std::string& command);

// Refuses what cannot be a batch script: empty, DOS line breaks, NUL bytes, no "#!".
Status CheckScript(const std::string& script);

struct Directive {
  int line = 0;                    // 1-based line number in the script
  std::vector<std::string> words;  // the option words, quotes removed
};

// The directive lines ("#HERD ..." or "#SBATCH ...") before the first command line of the
// script. Blank lines and other comments may sit between them; text after an unquoted '#'
// on a directive line is a comment.
Result<std::vector<Directive>> ExtractDirectives(const std::string& script);

// The job environment, "K=V" entries, for --export `spec` given the submitting process's
// environment `env`: ALL (default, empty spec) = all of env; NONE = nothing; otherwise a
// list of names (value from env, skipped if unset) and NAME=value entries, plus all of env
// only when the list holds ALL. A name given twice keeps its last value.
Result<std::vector<std::string>> ExportEnvironment(const std::string& spec,
                                                   const std::vector<std::string>& env);

// What hbatch sends and how it reports the result.
struct Submission {
  proto::JobSpec spec;
  bool parsable = false;
  bool quiet = false;
  std::vector<std::string> ignored_options;  // accepted Slurm options herd does not act on
};

// Directives of `script` first, then the command line over them. Under Slurm's name
// (sbatch) the defaults are Slurm's: output slurm-%j.out, a script from stdin named sbatch.
// `cwd` is where hbatch runs (absolute). `script` is the text to submit (the file's, stdin's or the
// wrap).
Result<Submission> BuildSubmission(const HbatchCommandLine& cmdline, const std::string& script,
                                   const std::vector<std::string>& env, const std::string& cwd);

}  // namespace herd::hbatch
