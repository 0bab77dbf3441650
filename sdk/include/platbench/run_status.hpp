// What became of one run, and its one spelling as text.
#pragma once

#include <iosfwd>
#include <optional>
#include <string_view>

namespace platbench {

// Ok: measured. Failed: tried, and it went wrong (the reason says how).
// Skipped: not tried, because the platform or the workload is not usable on
// this host (the reason says why).
enum class RunStatus { Ok, Failed, Skipped };

// "ok", "failed", "skipped": the status as results databases, Slurm spool
// files and exports hold it.
const char* run_status_name(RunStatus status);
// The status that `text` names, or nullopt when it is none of the three names;
// the caller says which file or run held it.
std::optional<RunStatus> parse_run_status(std::string_view text);
std::ostream& operator<<(std::ostream& out, RunStatus status);

}  // namespace platbench
