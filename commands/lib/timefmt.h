// herd commands — how times and durations are printed: timestamps as scontrol prints them
// ("2026-11-26T08:30:00", local time), run times as scontrol ("00:05:07", "1-02:03:04")
// and a job's elapsed time from the controller's clock. squeue-style short durations
// ("5:07") are FormatDuration in common/config.
#pragma once

#include <cstdint>
#include <string>

#include "common/proto/types.h"

namespace herd::cli {

// Local time "YYYY-MM-DDTHH:MM:SS"; `unset` when t <= 0.
std::string FormatTimestamp(int64_t t, const std::string& unset = "Unknown");

// "HH:MM:SS", or "D-HH:MM:SS" from one day on; -1 -> "UNLIMITED".
std::string FormatRunTime(int64_t seconds);
// The line squeue -l and sinfo -l print above their header: "Mon Dec 07 08:42:21 2026",
// local time; 0 means now. Empty if the time cannot be formatted.
std::string LongHeaderDate(int64_t unix_seconds);

// Seconds the job has run: 0 while pending; up to its end once it has ended; else up to
// `now` (the controller's clock). Never negative.
int64_t JobElapsed(const proto::JobInfo& job, int64_t now);

}  // namespace herd::cli
