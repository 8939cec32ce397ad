// herd commands — times as users type them: the pieces hacct's -S/-E and the submission
// commands' --begin share (local calendar time, "HH:MM[:SS]"), and --begin itself.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "common/base/status.h"

namespace herd::cli {

// The local calendar time of `t`, and back (DST decided by mktime).
std::tm LocalTm(int64_t t);
int64_t FromTm(std::tm tm);

// "HH:MM[:SS]" into tm's hour, minute and second; false when it is not one.
bool ParseClock(const std::string& s, std::tm* tm);

// "yyyy-mm-dd[thh:mm[:ss]]" (lower case), local time: kNotDate when `t` does not start as
// a date, kBad when it does but is not a valid one, else kDate with *out set.
enum class DateParse { kNotDate, kBad, kDate };
DateParse ParseIsoDate(const std::string& t, int64_t* out);

// Slurm's --begin forms, as sbatch reads them (its parse_time): now[+N[seconds|minutes|
// hours|days|weeks]], today, tomorrow (next 00:00), midnight, noon, fika (15:00), teatime
// (16:00) and HH:MM[:SS] (each the next such time: tomorrow's when today's has passed),
// YYYY-MM-DD[THH:MM[:SS]] and MM/DD[/YY] (local time). Returns a wall-clock time; errors
// read "Invalid --begin specification: ...".
Result<int64_t> ParseBeginTime(const std::string& text, int64_t now);

}  // namespace herd::cli
