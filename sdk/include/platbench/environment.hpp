// What a workload actually saw of its machine, from inside the platform.
//
// Recorded next to what the experiment requested, so a user can check that a
// container or VM really got the CPUs and memory intended.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platbench {

struct ObservedEnvironment {
    int online_cpus = 0;                         // sysconf(_SC_NPROCESSORS_ONLN)
    std::vector<int> affinity;                   // CPUs this process may run on
    std::optional<double> cpu_quota;             // cgroup CPU bandwidth limit in CPUs (e.g. 1.5), if any
    std::uint64_t memory_total_bytes = 0;        // MemTotal of /proc/meminfo
    std::uint64_t memory_available_bytes = 0;    // MemAvailable of /proc/meminfo
    std::optional<std::uint64_t> memory_limit_bytes;  // cgroup memory limit, if any
    std::string cgroup_version;                  // "v1", "v2" or "none"
    std::string kernel;                          // uname -r
    std::string hostname;
    std::string cpu_model;
    std::string virtualization;                  // "none", "vm" (CPU hypervisor flag), ...
    std::string container;                       // "none", "docker", "apptainer", "podman", ...

    // CPUs the workload can use: affinity size, reduced by a CPU quota.
    int usable_cpus() const;
    // Bytes the workload can use: min(MemAvailable, cgroup limit).
    std::uint64_t usable_memory_bytes() const;
};

// Reads the environment of the calling process. Never throws: unknown fields stay empty.
ObservedEnvironment observe_environment();

// Readers of the "key: value" lines of /proc/meminfo, /proc/cpuinfo and
// /proc/<pid>/status. They take the file's text, not its path, so tests can feed
// them other machines' files, and never throw.
//
// The value of the first line whose key is `key` exactly (spaces and tabs around
// either side dropped); nullopt when no line has that key.
std::optional<std::string> proc_field(std::string_view text, std::string_view key);
// A number of /proc/meminfo: an amount in kB as bytes ("MemTotal: 16384 kB"), a
// count as it stands ("HugePages_Free: 4"); nullopt when absent or not such a number.
std::optional<std::uint64_t> meminfo_field(std::string_view meminfo, std::string_view key);

}  // namespace platbench
