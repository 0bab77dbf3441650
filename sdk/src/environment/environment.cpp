// observe_environment(): what this process sees of its machine. Every probe is
// independent and best effort, so one unreadable file leaves one field empty.
#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "environment/environment_parsing.hpp"
#include "platbench/environment.hpp"

namespace platbench {
namespace {

namespace fs = std::filesystem;
using namespace environment_parsing;

// Whole small file ("" when missing or unreadable). /proc files report size 0,
// so read by stream rather than by size.
std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::vector<int> current_affinity() {
    // The set size must cover the kernel's CPU count: grow until it does.
    for (int cpus = 1024; cpus <= (1 << 20); cpus *= 4) {
        cpu_set_t* set = CPU_ALLOC(cpus);
        if (set == nullptr) return {};
        const std::size_t size = CPU_ALLOC_SIZE(cpus);
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) == 0) {
            std::vector<int> affinity;
            for (int cpu = 0; cpu < cpus; ++cpu)
                if (CPU_ISSET_S(cpu, size, set)) affinity.push_back(cpu);
            CPU_FREE(set);
            return affinity;
        }
        const bool too_small = errno == EINVAL;
        CPU_FREE(set);
        if (!too_small) break;
    }
    return {};
}

// The process's own cgroup directory under a mount, then each parent up to the
// mount's root: a limit anywhere on that chain binds the process. When the
// process's cgroup is not visible (container namespace), only the root.
std::vector<fs::path> cgroup_chain(const CgroupMount& mount, const std::optional<std::string>& cgroup_path) {
    const fs::path root = mount.mount_point;
    std::optional<std::string> below = cgroup_path ? path_below_mount(mount, *cgroup_path) : std::nullopt;
    std::error_code ec;
    if (!below || below->empty() || !fs::is_directory(root / *below, ec)) return {root};
    std::vector<fs::path> chain;
    for (fs::path dir = root / *below; dir != root && dir.has_relative_path(); dir = dir.parent_path())
        chain.push_back(dir);
    chain.push_back(root);
    return chain;
}

template <typename T>
void keep_smallest(std::optional<T>& smallest, std::optional<T> candidate) {
    if (candidate && (!smallest || *candidate < *smallest)) smallest = candidate;
}

void observe_cgroup_limits(ObservedEnvironment& env) {
    const std::vector<CgroupMount> mounts = parse_cgroup_mounts(read_file("/proc/self/mountinfo"));
    const CgroupMembership membership = parse_proc_cgroup(read_file("/proc/self/cgroup"));
    env.cgroup_version = cgroup_version(mounts);
    auto v1_path = [&](const std::string& controller) -> std::optional<std::string> {
        auto found = membership.v1_paths.find(controller);
        if (found == membership.v1_paths.end()) return std::nullopt;
        return found->second;
    };
    if (env.cgroup_version == "v1") {
        if (const CgroupMount* memory = find_v1_mount(mounts, "memory"))
            for (const fs::path& dir : cgroup_chain(*memory, v1_path("memory")))
                keep_smallest(env.memory_limit_bytes, parse_memory_limit_in_bytes(read_file(dir / "memory.limit_in_bytes")));
        if (const CgroupMount* cpu = find_v1_mount(mounts, "cpu"))
            for (const fs::path& dir : cgroup_chain(*cpu, v1_path("cpu")))
                keep_smallest(env.cpu_quota, parse_cfs_quota(read_file(dir / "cpu.cfs_quota_us"),
                                                             read_file(dir / "cpu.cfs_period_us")));
    } else if (env.cgroup_version == "v2") {
        if (const CgroupMount* unified = find_v2_mount(mounts))
            for (const fs::path& dir : cgroup_chain(*unified, membership.v2_path)) {
                keep_smallest(env.memory_limit_bytes, parse_memory_max(read_file(dir / "memory.max")));
                keep_smallest(env.cpu_quota, parse_cpu_max(read_file(dir / "cpu.max")));
            }
    }
}

std::string detect_container() {
    std::error_code ec;
    ContainerMarkers markers;
    markers.dockerenv = fs::exists("/.dockerenv", ec);
    markers.containerenv = fs::exists("/run/.containerenv", ec);
    markers.apptainer_variables =
        std::getenv("APPTAINER_CONTAINER") != nullptr || std::getenv("SINGULARITY_CONTAINER") != nullptr;
    if (const char* container = std::getenv("container")) markers.container_variable = container;
    return container_from_markers(markers);
}

void observe_host_identity(ObservedEnvironment& env) {
    struct utsname names {};
    if (uname(&names) == 0) env.kernel = names.release;
    char hostname[HOST_NAME_MAX + 1] = {};
    if (gethostname(hostname, sizeof hostname - 1) == 0) env.hostname = hostname;
    const std::string cpuinfo = read_file("/proc/cpuinfo");
    env.cpu_model = parse_cpu_model(cpuinfo);
    env.virtualization = has_hypervisor_flag(cpuinfo) ? "vm" : "none";
    env.container = detect_container();
}

// Runs one probe; a failure leaves its fields as they were.
template <typename Probe>
void best_effort(Probe probe) {
    try {
        probe();
    } catch (...) {
    }
}

}  // namespace

ObservedEnvironment observe_environment() {
    ObservedEnvironment env;
    best_effort([&] { env.online_cpus = std::max(0, static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))); });
    best_effort([&] { env.affinity = current_affinity(); });
    best_effort([&] {
        const MemInfo memory = parse_meminfo(read_file("/proc/meminfo"));
        env.memory_total_bytes = memory.total_bytes;
        env.memory_available_bytes = memory.available_bytes;
    });
    best_effort([&] { observe_cgroup_limits(env); });
    best_effort([&] { observe_host_identity(env); });
    return env;
}

}  // namespace platbench
