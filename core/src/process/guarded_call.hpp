// guarded_call(): runs a piece of this process's own code in a forked child with a
// time limit and a memory limit, for parsers of untrusted text whose library may
// hang or grow without bound on some input (yaml-cpp 0.7.0 loops forever on a
// document that starts with ','). The child's answer comes back as text; a child
// that runs too long or grows too large is killed, and the caller gets a clear
// status instead of a hung or out-of-memory process.
//
// The child only runs `work` and exits (no exec), so `work` must not depend on
// other threads: call it where the process is effectively single-threaded (the
// start of a command). glibc's fork keeps the allocator usable in the child.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace platbench {

struct GuardLimits {
    std::chrono::milliseconds time{10'000};
    // Growth of the child's resident memory over what it shared with its parent at fork.
    std::size_t memory_bytes = std::size_t{1} << 30;
    std::size_t answer_bytes = std::size_t{16} << 20;  // what `work` may return
};

enum class GuardStatus {
    Finished,     // `work` returned; `answer` holds its text
    Threw,        // `work` threw; `answer` holds what()
    TimedOut,     // killed after limits.time
    OutOfMemory,  // killed when it grew past limits.memory_bytes
    Crashed,      // ended by a signal or an unexpected exit status
    NotStarted,   // fork failed: `detail` says why (the caller may run `work` unguarded)
};

struct GuardedOutcome {
    GuardStatus status = GuardStatus::NotStarted;
    std::string answer;
    std::string detail;                    // for Crashed / NotStarted
    double seconds = 0;                    // the child's wall time
    std::size_t peak_growth_bytes = 0;     // largest growth of resident memory seen
};

// Runs `work` in a forked child within `limits` and waits for it. Never throws
// for the child's failures.
GuardedOutcome guarded_call(const std::function<std::string()>& work, const GuardLimits& limits = {});

// "did not finish within 10 s", "grew past 1024 MiB", ... for messages.
std::string describe_guard_failure(const GuardedOutcome& outcome, const GuardLimits& limits);

}  // namespace platbench
