// herd commands — how times and durations are printed: timestamps as scontrol prints them
// ("2026-11-26T08:30:00", local time), run times as scontrol ("00:05:07", "1-02:03:04")
// and a job's elapsed time from the controller's clock. squeue-style short durations
// ("5:07") are FormatDuration in common/config.
#pragma once

#include <cstdint>
#include <string>

#include "common/proto/types.h"

namespace herd::cli {

// A timestamp in local time as SLURM_TIME_FORMAT asks (read once per process, as Slurm's
// commands do): unset, empty or "standard" is "YYYY-MM-DDTHH:MM:SS"; "relative" is
// FormatTimestampAs's; a strftime format otherwise ("%s", "%a %H:%M"). A value without '%'
// is reported once on stderr ("invalid SLURM_TIME_FORMAT = 'x'") and the standard one used.
// `unset` when t <= 0.
std::string FormatTimestamp(int64_t t, const std::string& unset = "Unknown");

// The same for a given SLURM_TIME_FORMAT value and the day `today` falls in. "relative":
// "HH:MM:SS" today, "Ystday HH:MM", "Tomorr HH:MM", "Wed HH:MM" within the week ahead,
// "7 Dec HH:MM" within a year, "7 Dec 2027" further. *valid is false for a format without
// '%' (the standard one is used then).
std::string FormatTimestampAs(int64_t t, const std::string& spec, int64_t today,
                              const std::string& unset, bool* valid);

// "HH:MM:SS", or "D-HH:MM:SS" from one day on; -1 -> "UNLIMITED".
std::string FormatRunTime(int64_t seconds);
// The line squeue -l and sinfo -l print above their header: "Mon Dec 07 08:42:21 2026",
// local time; 0 means now. Empty if the time cannot be formatted.
std::string LongHeaderDate(int64_t unix_seconds);

// Seconds the job has run: 0 while pending; up to its end once it has ended; else up to
// `now` (the controller's clock). Never negative.
int64_t JobElapsed(const proto::JobInfo& job, int64_t now);

}  // namespace herd::cli
