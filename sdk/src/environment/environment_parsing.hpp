// Pure parsers for the files observe_environment() reads (/proc/meminfo,
// /proc/cpuinfo, /proc/self/cgroup, /proc/self/mountinfo, cgroup limit files).
//
// They take file contents, not paths, so tests can feed them samples of every
// layout (cgroup v1, v2, hybrid, containers) and of garbage. None of them throws:
// text they do not understand gives an empty answer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace platbench::environment_parsing {

struct MemInfo {
    std::uint64_t total_bytes = 0;      // MemTotal
    std::uint64_t available_bytes = 0;  // MemAvailable
};
MemInfo parse_meminfo(std::string_view meminfo);

// The first "model name" of /proc/cpuinfo ("" when absent).
std::string parse_cpu_model(std::string_view cpuinfo);
// Whether the "flags" line carries "hypervisor": the kernel runs in a VM.
bool has_hypervisor_flag(std::string_view cpuinfo);

// /proc/self/cgroup: the path of each v1 hierarchy by controller, and the v2 path.
struct CgroupMembership {
    std::map<std::string, std::string> v1_paths;  // "memory" -> "/user.slice", "cpu" -> ...
    std::optional<std::string> v2_path;           // the "0::<path>" line
};
CgroupMembership parse_proc_cgroup(std::string_view proc_self_cgroup);

// One cgroup mount of /proc/self/mountinfo.
struct CgroupMount {
    std::string mount_point;               // "/sys/fs/cgroup/memory"
    std::string root;                      // the cgroup the mount shows as its root ("/" usually)
    bool v2 = false;                       // cgroup2 filesystem
    std::vector<std::string> controllers;  // v1 only: "memory", "cpu", "cpuacct", "name=systemd"
};
std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo);

// "v1" when a v1 hierarchy holds a resource controller (hybrid hosts count as
// v1: their unified tree holds none), else "v2" when cgroup2 is mounted, else "none".
std::string cgroup_version(const std::vector<CgroupMount>& mounts);

// The mount of a v1 controller, or the v2 mount; nullptr when absent.
const CgroupMount* find_v1_mount(const std::vector<CgroupMount>& mounts, const std::string& controller);
const CgroupMount* find_v2_mount(const std::vector<CgroupMount>& mounts);

// Where a process's cgroup lies below a mount: the cgroup path made relative to
// the mount's root ("" for the root itself). nullopt when the path is outside
// what the mount shows (a container's cgroup namespace): use the mount's root.
std::optional<std::string> path_below_mount(const CgroupMount& mount, const std::string& cgroup_path);

// CPU bandwidth in CPUs. v1: cpu.cfs_quota_us ("-1" = none) over cpu.cfs_period_us.
std::optional<double> parse_cfs_quota(std::string_view quota_us, std::string_view period_us);
// v2: cpu.max, "max 100000" = none, "150000 100000" = 1.5.
std::optional<double> parse_cpu_max(std::string_view cpu_max);

// A v1 memory.limit_in_bytes below this is a real limit; "unlimited" reads as
// the page-rounded maximum page count (9223372036854771712 on x86-64).
inline constexpr std::uint64_t kUnlimitedMemoryThreshold = std::uint64_t{1} << 60;
std::optional<std::uint64_t> parse_memory_limit_in_bytes(std::string_view text);
// v2: memory.max, "max" = none.
std::optional<std::uint64_t> parse_memory_max(std::string_view text);

// What container engines leave in a container for its processes to find.
struct ContainerMarkers {
    bool dockerenv = false;            // /.dockerenv (Docker)
    bool containerenv = false;         // /run/.containerenv (Podman)
    bool apptainer_variables = false;  // $APPTAINER_CONTAINER or $SINGULARITY_CONTAINER
    std::string container_variable;    // $container: "podman", "lxc", ... (systemd's convention)
};
// "docker", "podman", "apptainer", $container's value, or "none" without any sign.
// $container counts too because Podman's /run/.containerenv is hidden under the tmpfs
// its Docker-compatible API mounts on /run of a read-only container; Podman sets
// container=podman in every container's environment.
std::string container_from_markers(const ContainerMarkers& markers);

}  // namespace platbench::environment_parsing
