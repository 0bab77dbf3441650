// Running a child process without a shell, with limits, a timeout and capped output.
//
// Support API for platform plugins: native runs the runner through it, and CLI-driven
// platforms (apptainer) run their tool through it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platbench/platform.hpp"

namespace platbench {

struct ChildRequest {
    std::vector<std::string> argv;                 // argv[0] is an absolute path or found in PATH; no shell
    std::optional<std::vector<int>> cpu_affinity;  // sched_setaffinity before exec
    std::optional<std::uint64_t> memory_limit_bytes;  // enforced through a cgroup; fails the spawn if impossible
    std::optional<double> cpu_quota;               // CPUs of bandwidth (cgroup cpu controller)
    std::string cgroup_name;                       // leaf name for the cgroup, e.g. "run-<id>" (under "platbench/")
    std::chrono::duration<double> timeout{600.0};  // SIGTERM, then SIGKILL after a short grace
    const std::atomic<bool>* cancel = nullptr;     // when it turns true: same as a timeout, marked cancelled
    std::size_t output_cap_bytes = 16u << 20;      // per stream; the rest is read and discarded
    std::optional<std::filesystem::path> working_directory;
    std::map<std::string, std::string> extra_environment;  // added to the inherited environment
};

struct ChildOutcome {
    bool started = false;
    std::string failure;      // why it could not start (exec failed, cgroup refused, ...)
    int exit_code = -1;       // when it exited normally
    int term_signal = 0;      // when a signal ended it
    bool timed_out = false;
    bool cancelled = false;
    bool output_truncated = false;
    std::string stdout_text;
    std::string stderr_text;
    double wall_seconds = 0;
};

// The executable `name` would run as: `name` itself when it holds a '/', else the
// first executable regular file of that name in $PATH (empty entries skipped).
std::optional<std::filesystem::path> find_program(const std::string& name);

// Runs the child to completion (or timeout / cancel) and reaps it; the whole
// process group is killed on timeout. Never throws for child failures.
ChildOutcome run_child(const ChildRequest& request);

// Whether this host lets run_child() enforce a memory limit / CPU quota, and if not, why.
struct LimitSupport {
    bool memory = false;
    bool cpu_quota = false;
    std::string reason;  // when one is unsupported
};
LimitSupport probe_limit_support();

// A platform that runs the runner (or its tool) as a child: the child's outcome as
// the platform's, before the platform adds what it knows (metadata).
inline PlatformRunOutcome platform_outcome_of(const ChildOutcome& child) {
    PlatformRunOutcome outcome;
    outcome.started = child.started;
    outcome.failure = child.failure;
    outcome.exit_code = child.exit_code;
    outcome.term_signal = child.term_signal;
    outcome.timed_out = child.timed_out;
    outcome.cancelled = child.cancelled;
    outcome.stdout_text = child.stdout_text;
    outcome.stderr_text = child.stderr_text;
    return outcome;
}

}  // namespace platbench
