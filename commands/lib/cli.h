// herd commands — the command-line plumbing every command shares: option parsing through
// getopt_long with Slurm-style messages, the one-line error printer ("<cmd>: error: ..."),
// the version string and small list/number parsers for option values.
#pragma once

#include <getopt.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/proto/messages.h"

namespace herd::cli {

inline constexpr char kVersionString[] = "herd 0.1.0";

// A usage error (unknown option, missing argument): printed as
// "<cmd>: <message>" + "Try \"<cmd> --help\" for more information". Every other error is
// printed as "<cmd>: error: <message>". Usage errors travel as kUnsupported.
Status UsageError(std::string message);
bool IsUsageError(const Status& st);

// Prints "<cmd>: error: <message>" on stderr (each line of a message of several lines so
// prefixed, as Slurm's commands do); returns the exit code 1.
int ReportError(const std::string& cmd, const std::string& message);
// An answer of the controller that a query found nothing, as Slurm's commands print it
// under Slurm's names: "<api> error: <message>" (api: "slurm_load_jobs") on stderr; under
// herd's names "<cmd>: error: <message>". Returns 1.
int ReportLoadError(const std::string& cmd, const std::string& api, const std::string& message);
// A named entity that does not exist ("Node n9 not found"): under Slurm's names printed
// alone on stdout, as scontrol does; under herd's as an error. Returns 1.
int ReportNotFound(const std::string& cmd, const std::string& message);

// Prints a usage error or a plain error, as its kind asks; returns the exit code: 1, or
// UsageExitCode() for a usage error and, under Slurm's names, for an "Invalid --<option>
// specification" (sbatch, salloc and srun exit 255 on those).
int ReportStatus(const std::string& cmd, const Status& st);

// A user name, or a uid turned into its name (squeue -u, scancel -u); kNotFound when no
// such user exists.
Result<std::string> ResolveUserName(const std::string& text);

// Called once per option with getopt's return value and its argument (nullptr when the
// option takes none or an optional one was not given).
using OptionHandler = std::function<Status(int opt, const char* arg)>;

// The configuration file a command reads: the last --conf FILE given (every command takes
// it: RunGetopt handles it), else $HERD_CONF, else /etc/herd/herd.conf.
std::string ConfigPath();
// What --conf sets; an empty path goes back to the default.
void SetConfigPath(std::string path);

// Runs getopt_long over `args` (argv without argv[0]), with `--conf FILE` added to
// `longopts` and handled here (SetConfigPath), so that every command takes it.
// `shortopts` is a plain optstring ("J:p:N:"); with `stop_at_positional` parsing ends at
// the first non-option (the rest, e.g. a script and its arguments, go to `positional`
// untouched); otherwise options and positional arguments may be mixed. Not reentrant
// (getopt's globals), like getopt itself.
Status RunGetopt(const std::string& cmd, const std::vector<std::string>& args,
                 const std::string& shortopts, const struct option* longopts,
                 bool stop_at_positional, const OptionHandler& handler,
                 std::vector<std::string>* positional);

// This process's umask (sent with a job, which creates its files with it).
int32_t CurrentUmask();

// argv[1..argc) as strings.
std::vector<std::string> Args(int argc, char** argv);

// sacct's SubmitLine: the command line's words (argv[0..argc)) joined by spaces.
std::string SubmitLine(int argc, char** argv);

// "a,b,,c" -> {"a","b","c"} (blanks trimmed, empties dropped).
std::vector<std::string> SplitList(const std::string& text);
// Account and QOS names as Slurm keeps and compares them: SplitList, lower case, appended.
void AddLowerCaseNames(const std::string& text, std::vector<std::string>* out);

// A whole-string decimal count for option `option` ("--nodes"); zero refused unless
// allowed. Errors read "invalid numeric value 'x' for --nodes".
Result<uint32_t> ParseCount(const std::string& option, const std::string& value, bool allow_zero);

// A value of `option` ("--time") that does not parse: "--time: <why>" under herd's names,
// "Invalid --time specification" under Slurm's.
Status BadOptionValue(const std::string& option, const Status& st);

// A parsed --time in seconds as the job keeps it: zero and UNLIMITED (-1) both mean no
// limit (-1). Under Slurm's names (sbatch...) whole minutes, seconds rounded up as Slurm
// does ("5:30" is 6 minutes); under herd's names the seconds are kept (a herd extension).
int64_t OptionTimeLimit(int64_t seconds);

// A job id "123" (step and array forms are refused): "Invalid job id <text>".
Result<uint64_t> ParseJobId(const std::string& text);

// The user name of `uid`; "" when it has none.
std::string UserNameOf(uint32_t uid);
// "1,2 3" style lists, already split by the shell into `words`.
Result<std::vector<uint64_t>> ParseJobIdList(const std::vector<std::string>& words);

// Job ids and array task ids: "123", "123_4", "123_[1-5,7]" (a range may have a step),
// listed as ParseJobIdList's (commas inside brackets belong to the task list). Errors read
// "Invalid job id <word>", as scancel's.
struct JobSelection {
  std::vector<uint64_t> job_ids;
  std::vector<proto::ArrayTaskIds> task_ids;
};
Result<JobSelection> ParseJobSelection(const std::vector<std::string>& words);
// "123_4" of a result that named a task, else its job id.
std::string ResultId(const proto::JobActionResult& r);

}  // namespace herd::cli
