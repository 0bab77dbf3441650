// The client: run(), inside the platform. Connects to the peer, greets it on
// each connection, runs the mode's loop on `parallel` threads at once over one
// shared schedule (ramp, then runtime), and sums their figures.
#pragma once

#include "net_params.hpp"
#include "platbench/workload.hpp"

namespace platbench::net {

WorkloadResult run_client(const Settings& settings, const WorkloadRunRequest& request);

}  // namespace platbench::net
