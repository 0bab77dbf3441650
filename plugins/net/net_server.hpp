// The peer: serve(), on the host, outside the platform. It answers any number
// of clients until asked to stop: one thread per TCP connection, one for UDP.
#pragma once

#include "platbench/workload.hpp"

namespace platbench::net {

// At most this many TCP connections are served at once; more are refused with
// AckStatus::Busy (run() opens at most 64, parallel's bound).
inline constexpr int kMaxConnections = 256;

void serve(const WorkloadServeRequest& request);

}  // namespace platbench::net
