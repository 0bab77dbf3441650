#include "util/fault_injection.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>

namespace platbench {
namespace {

struct KillPlan {
    std::string point;   // empty: no fault injection
    long occurrence = 0; // kill at this passage of `point`
};

// Read once: "store-before-commit:3". A malformed value is reported and ignored,
// so a typo in a test shows up rather than silently testing nothing.
KillPlan read_kill_plan() {
    const char* value = std::getenv("PLATBENCH_FAULT_KILL_AT");
    if (value == nullptr || *value == '\0') return {};
    const std::string text = value;
    const auto colon = text.rfind(':');
    KillPlan plan;
    if (colon != std::string::npos) {
        plan.point = text.substr(0, colon);
        plan.occurrence = std::strtol(text.c_str() + colon + 1, nullptr, 10);
    }
    const auto& names = fault_point_names();
    if (plan.occurrence < 1 || std::find(names.begin(), names.end(), plan.point) == names.end()) {
        std::cerr << "platbench: ignoring PLATBENCH_FAULT_KILL_AT='" << text << "': expected <point>:<n>, n >= 1, "
                  << "point one of the fault points\n";
        return {};
    }
    return plan;
}

}  // namespace

const std::vector<std::string>& fault_point_names() {
    static const std::vector<std::string> names = {
        "database-made",        // a new database is whole under its temporary name, not yet renamed
        "experiment-created",   // the experiment's row is committed, no run yet
        "run-starting",         // before the platform is asked to run
        "run-finished",         // the platform returned, the run is not stored yet
        "store-begin",          // inside the run's transaction, nothing written
        "store-run-written",    // the run row is written, its metrics not yet
        "store-before-commit",  // everything written, COMMIT not yet issued
        "store-committed",      // the transaction is committed
    };
    return names;
}

void fault_point(const char* point) {
    static const KillPlan plan = read_kill_plan();
    static std::atomic<long> passages{0};
    if (plan.point.empty() || plan.point != point) return;
    if (passages.fetch_add(1) + 1 == plan.occurrence) ::kill(::getpid(), SIGKILL);
}

}  // namespace platbench
