// Sizing shared by the HPC workloads (linpack, randomaccess, hpcc): a problem is
// given either outright (n, table_size) or as a fraction of the memory the
// runner sees inside the platform, and its threads default to the usable CPUs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "platbench/params.hpp"
#include "platbench/workload.hpp"

namespace platbench::hpc {

// The `memory_fraction` row, the same in every HPC workload's table.
ParamSpec memory_fraction_param(const std::string& what);
// The `threads` row: default the CPUs the run may use.
ParamSpec threads_param();

// Bytes `fraction` of the memory usable inside the platform stands for; throws
// WorkloadError when the runner cannot tell how much memory it may use.
std::uint64_t bytes_for_fraction(double fraction, const ObservedEnvironment& environment);

// Threads for the run: the parameter, else the usable CPUs. A warning (for
// WorkloadResult::warnings) when the threads outnumber the usable CPUs.
struct ThreadChoice {
    int threads = 1;
    std::optional<std::string> warning;
};
ThreadChoice choose_threads(const ParamValues& params, const ObservedEnvironment& environment);

// The error when `needed` bytes exceed `share` of the usable memory, naming the parameter to lower.
std::optional<std::string> memory_shortfall(double needed, double share, const ObservedEnvironment& environment,
                                            const std::string& what);

}  // namespace platbench::hpc
