// The one spelling of a run's status, both ways.
#include "platbench/run_status.hpp"

#include <ostream>

namespace platbench {

const char* run_status_name(RunStatus status) {
    switch (status) {
        case RunStatus::Ok: return "ok";
        case RunStatus::Failed: return "failed";
        case RunStatus::Skipped: return "skipped";
    }
    return "unknown";  // not reached: every enumerator is named above
}

std::optional<RunStatus> parse_run_status(std::string_view text) {
    for (RunStatus status : {RunStatus::Ok, RunStatus::Failed, RunStatus::Skipped}) {
        if (text == run_status_name(status)) return status;
    }
    return std::nullopt;
}

std::ostream& operator<<(std::ostream& out, RunStatus status) { return out << run_status_name(status); }

}  // namespace platbench
