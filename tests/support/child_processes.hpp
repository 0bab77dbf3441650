#pragma once
// Helpers for tests of code that starts child processes.
#include <sys/wait.h>

#include <cerrno>

namespace test {

// Whether this process has no child left, running or not yet reaped: code that
// starts children must wait for every one of them, on every path.
inline bool no_children_left() { return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD; }

}  // namespace test
