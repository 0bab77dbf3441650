// Sizing shared by the HPC workloads (linpack, randomaccess, hpcc): a problem is
// given either outright (n, table_size) or as a fraction of the memory the
// runner sees inside the platform, and its threads default to the usable CPUs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platbench/params.hpp"
#include "platbench/workload.hpp"

namespace platbench::hpc {

// The `memory_fraction` row, the same in every HPC workload's table.
ParamSpec memory_fraction_param(const std::string& what);
// The `threads` row (default: the CPUs the run may use), `help` saying what runs on them.
ParamSpec threads_param(const std::string& help = "worker threads (default: the CPUs the run may use)");

// The `n` row of a problem sized as HPL's (linpack, hpcc): the order of an n x n
// matrix of doubles. `help` says what n is for the workload.
inline constexpr int kMaxOrder = 1'000'000;
ParamSpec order_param(const std::string& help);

// The order from the parameters: `n`, else the largest whose matrix (8 n^2 bytes)
// fits in `memory_fraction` of the usable memory, else `default_order`.
int order_of(const WorkloadRunRequest& request, int default_order);

// The error when both of two parameters that set the same size are given.
std::vector<std::string> exclusive_errors(const ParamValues& params, const std::string& first, const std::string& second,
                                          const std::string& what);

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
