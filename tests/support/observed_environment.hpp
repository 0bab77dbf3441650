// A plain host as a workload test's runner would observe it: 2 CPUs, 8 GiB of
// memory (4 GiB available unless said otherwise), no cgroup limits.
#pragma once

#include <cstdint>

#include "platbench/environment.hpp"

namespace test {

inline platbench::ObservedEnvironment two_cpu_environment(std::uint64_t available_bytes = 4ull << 30) {
    platbench::ObservedEnvironment env;
    env.online_cpus = 2;
    env.affinity = {0, 1};
    env.memory_total_bytes = 8ull << 30;
    env.memory_available_bytes = available_bytes;
    env.cgroup_version = "none";
    return env;
}

}  // namespace test
