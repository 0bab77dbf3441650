#include <doctest/doctest.h>

#include "environment/environment_parsing.hpp"
#include "platbench/environment.hpp"

using namespace platbench;
using namespace platbench::environment_parsing;

namespace {

const char* const kMeminfo =
    "MemTotal:       24683620 kB\n"
    "MemFree:        23895592 kB\n"
    "MemAvailable:   23885316 kB\n"
    "Buffers:            2456 kB\n";

const char* const kCpuinfo =
    "processor\t: 0\n"
    "vendor_id\t: AuthenticAMD\n"
    "model name\t: AMD EPYC 7B13 64-Core Processor\n"
    "flags\t\t: fpu vme de pse tsc msr hypervisor lahf_lm\n"
    "\n"
    "processor\t: 1\n"
    "model name\t: AMD EPYC 7B13 64-Core Processor\n"
    "flags\t\t: fpu vme de pse tsc msr hypervisor lahf_lm\n";

// A cgroup v1 host with the v2 tree mounted empty beside it (hybrid).
const char* const kMountinfoV1 =
    "25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
    "31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
    "32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
    "36 30 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:15 - cgroup cgroup rw,cpu,cpuacct\n"
    "37 30 0:33 / /sys/fs/cgroup/memory rw,nosuid shared:16 - cgroup cgroup rw,memory\n";

const char* const kProcCgroupV1 =
    "12:memory:/user.slice/session-1.scope\n"
    "4:cpu,cpuacct:/user.slice\n"
    "1:name=systemd:/user.slice/session-1.scope\n"
    "0::/user.slice/session-1.scope\n";

const char* const kMountinfoV2 =
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

// Inside a docker container with its own cgroup namespace: the mount shows the
// container's cgroup as "/", and so does /proc/self/cgroup.
const char* const kMountinfoContainerV1 =
    "700 690 0:50 /docker/0123abcd /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory\n";

}  // namespace

TEST_CASE("meminfo gives total and available memory in bytes") {
    const MemInfo info = parse_meminfo(kMeminfo);
    CHECK(info.total_bytes == 24683620ull * 1024);
    CHECK(info.available_bytes == 23885316ull * 1024);
}

TEST_CASE("meminfo garbage, truncation and emptiness leave zeros") {
    CHECK(parse_meminfo("").total_bytes == 0);
    CHECK(parse_meminfo("MemTotal: lots kB\nMemAvailable: -5 kB\n").total_bytes == 0);
    CHECK(parse_meminfo("MemTotal: 99999999999999999999999 kB\n").total_bytes == 0);
    CHECK(parse_meminfo("MemTotal:       1024 kB").total_bytes == 1024ull * 1024);  // no final newline
    CHECK(parse_meminfo("MemTotalX: 5 kB\n").total_bytes == 0);
    CHECK(parse_meminfo("\x01\x02:\n::::\n").available_bytes == 0);
}

TEST_CASE("cpuinfo gives the model name and the hypervisor flag") {
    CHECK(parse_cpu_model(kCpuinfo) == "AMD EPYC 7B13 64-Core Processor");
    CHECK(has_hypervisor_flag(kCpuinfo));
    CHECK_FALSE(has_hypervisor_flag("flags\t: fpu vme hypervisorx\n"));
    CHECK(parse_cpu_model("processor : 0\n") == "");
    CHECK_FALSE(has_hypervisor_flag(""));
}

TEST_CASE("proc_field reads the value of a key: value line of /proc text") {
    CHECK(proc_field(kCpuinfo, "model name") == "AMD EPYC 7B13 64-Core Processor");
    CHECK(proc_field(kCpuinfo, "processor") == "0");  // the first of several
    CHECK(proc_field(kMeminfo, "MemFree") == "23895592 kB");
    CHECK(proc_field("Name:\tbash\nState:\tS (sleeping)\nCpus_allowed_list:\t0-3\n", "Cpus_allowed_list") == "0-3");
    CHECK(proc_field("model name\t:\n", "model name") == "");
    CHECK_FALSE(proc_field(kCpuinfo, "model"));       // keys match whole
    CHECK_FALSE(proc_field(kMeminfo, "MemTotalX"));
    CHECK_FALSE(proc_field("", "MemTotal"));
    CHECK_FALSE(proc_field("MemTotal 5 kB\n", "MemTotal"));  // no colon: no field
}

TEST_CASE("meminfo_field gives kB amounts in bytes and counts as they stand") {
    CHECK(meminfo_field(kMeminfo, "MemTotal") == 24683620ull * 1024);
    CHECK(meminfo_field(kMeminfo, "Buffers") == 2456ull * 1024);
    CHECK(meminfo_field("HugePages_Free:       4\nHugepagesize:       2048 kB\n", "HugePages_Free") == 4u);
    CHECK(meminfo_field("HugePages_Free:       4\nHugepagesize:       2048 kB\n", "Hugepagesize") == 2048u * 1024);
    CHECK_FALSE(meminfo_field(kMeminfo, "SwapTotal"));
    CHECK_FALSE(meminfo_field("MemTotal: lots kB\n", "MemTotal"));
    CHECK_FALSE(meminfo_field("MemTotal: 12 parsecs\n", "MemTotal"));
    CHECK_FALSE(meminfo_field("MemTotal: 99999999999999999999999 kB\n", "MemTotal"));
}

TEST_CASE("/proc/self/cgroup of a v1 host maps controllers to paths") {
    const CgroupMembership membership = parse_proc_cgroup(kProcCgroupV1);
    CHECK(membership.v1_paths.at("memory") == "/user.slice/session-1.scope");
    CHECK(membership.v1_paths.at("cpu") == "/user.slice");
    CHECK(membership.v1_paths.at("cpuacct") == "/user.slice");
    CHECK(membership.v1_paths.at("name=systemd") == "/user.slice/session-1.scope");
    REQUIRE(membership.v2_path);
    CHECK(*membership.v2_path == "/user.slice/session-1.scope");
}

TEST_CASE("/proc/self/cgroup of a v2 host has only the unified path") {
    const CgroupMembership membership = parse_proc_cgroup("0::/system.slice/ssh.service\n");
    CHECK(membership.v1_paths.empty());
    REQUIRE(membership.v2_path);
    CHECK(*membership.v2_path == "/system.slice/ssh.service");
}

TEST_CASE("/proc/self/cgroup garbage is skipped") {
    const CgroupMembership membership = parse_proc_cgroup("nonsense\nx:memory:/a\n3:memory:relative\n::\n");
    CHECK(membership.v1_paths.empty());
    CHECK_FALSE(membership.v2_path);
}

TEST_CASE("mountinfo of a hybrid v1 host") {
    const std::vector<CgroupMount> mounts = parse_cgroup_mounts(kMountinfoV1);
    REQUIRE(mounts.size() == 4);
    CHECK(cgroup_version(mounts) == "v1");
    const CgroupMount* memory = find_v1_mount(mounts, "memory");
    REQUIRE(memory != nullptr);
    CHECK(memory->mount_point == "/sys/fs/cgroup/memory");
    CHECK(memory->root == "/");
    const CgroupMount* cpu = find_v1_mount(mounts, "cpu");
    REQUIRE(cpu != nullptr);
    CHECK(cpu->mount_point == "/sys/fs/cgroup/cpu,cpuacct");
    CHECK(find_v1_mount(mounts, "cpuset") == nullptr);
    REQUIRE(find_v2_mount(mounts) != nullptr);
    CHECK(find_v2_mount(mounts)->mount_point == "/sys/fs/cgroup/unified");
}

TEST_CASE("mountinfo of a v2 host") {
    const std::vector<CgroupMount> mounts = parse_cgroup_mounts(kMountinfoV2);
    REQUIRE(mounts.size() == 1);
    CHECK(mounts[0].v2);
    CHECK(cgroup_version(mounts) == "v2");
    CHECK(find_v1_mount(mounts, "memory") == nullptr);
}

TEST_CASE("mountinfo without cgroups, or garbage, means no cgroup version") {
    CHECK(cgroup_version(parse_cgroup_mounts("")) == "none");
    CHECK(cgroup_version(parse_cgroup_mounts("1 2 3\n - cgroup\n- - - - - - -\n")) == "none");
    // Only a named hierarchy (systemd's) holds no resource controller.
    CHECK(cgroup_version(parse_cgroup_mounts(
              "32 30 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n")) == "none");
}

TEST_CASE("mount points with escaped spaces are unescaped") {
    const auto mounts = parse_cgroup_mounts("40 30 0:33 / /mnt/my\\040cgroups rw - cgroup cgroup rw,memory\n");
    REQUIRE(mounts.size() == 1);
    CHECK(mounts[0].mount_point == "/mnt/my cgroups");
}

TEST_CASE("a cgroup path is placed below its mount's root") {
    CgroupMount host{"/sys/fs/cgroup/memory", "/", false, {"memory"}};
    CHECK(path_below_mount(host, "/user.slice/a.scope") == std::optional<std::string>("user.slice/a.scope"));
    CHECK(path_below_mount(host, "/") == std::optional<std::string>(""));

    // A container without its own cgroup namespace: the mount shows only its own subtree.
    const auto container = parse_cgroup_mounts(kMountinfoContainerV1);
    REQUIRE(container.size() == 1);
    CHECK(container[0].root == "/docker/0123abcd");
    CHECK(path_below_mount(container[0], "/docker/0123abcd") == std::optional<std::string>(""));
    CHECK(path_below_mount(container[0], "/docker/0123abcd/inner") == std::optional<std::string>("inner"));
    // Outside what the mount shows: fall back to the mount's root.
    CHECK_FALSE(path_below_mount(container[0], "/system.slice"));
    CHECK_FALSE(path_below_mount(host, "/../../outside"));
    CHECK_FALSE(path_below_mount(host, "relative"));
}

TEST_CASE("v1 CPU quota from cfs_quota_us and cfs_period_us") {
    CHECK(parse_cfs_quota("150000\n", "100000\n") == doctest::Approx(1.5));
    CHECK_FALSE(parse_cfs_quota("-1\n", "100000\n"));
    CHECK_FALSE(parse_cfs_quota("", "100000"));
    CHECK_FALSE(parse_cfs_quota("50000", "0"));
    CHECK_FALSE(parse_cfs_quota("fifty", "100000"));
}

TEST_CASE("v2 CPU quota from cpu.max") {
    CHECK(parse_cpu_max("200000 100000\n") == doctest::Approx(2.0));
    CHECK(parse_cpu_max("50000 100000") == doctest::Approx(0.5));
    CHECK_FALSE(parse_cpu_max("max 100000\n"));
    CHECK_FALSE(parse_cpu_max(""));
    CHECK_FALSE(parse_cpu_max("1 2 3"));
    CHECK_FALSE(parse_cpu_max("abc 100000"));
}

TEST_CASE("v1 memory.limit_in_bytes: the unlimited value is no limit") {
    CHECK(parse_memory_limit_in_bytes("536870912\n") == std::optional<std::uint64_t>(536870912));
    CHECK_FALSE(parse_memory_limit_in_bytes("9223372036854771712\n"));  // x86-64 "unlimited"
    CHECK_FALSE(parse_memory_limit_in_bytes("9223372036854775807"));
    CHECK_FALSE(parse_memory_limit_in_bytes("18446744073709551615"));
    CHECK_FALSE(parse_memory_limit_in_bytes(""));
    CHECK_FALSE(parse_memory_limit_in_bytes("-1"));
    CHECK_FALSE(parse_memory_limit_in_bytes("12 MB"));
}

TEST_CASE("v2 memory.max: max is no limit") {
    CHECK(parse_memory_max("1073741824\n") == std::optional<std::uint64_t>(1073741824));
    CHECK_FALSE(parse_memory_max("max\n"));
    CHECK_FALSE(parse_memory_max("garbage"));
}

TEST_CASE("the container engine from the marks engines leave: files first, then the variables") {
    const auto engine = [](bool dockerenv, bool containerenv, bool apptainer, std::string variable) {
        ContainerMarkers markers;
        markers.dockerenv = dockerenv;
        markers.containerenv = containerenv;
        markers.apptainer_variables = apptainer;
        markers.container_variable = std::move(variable);
        return container_from_markers(markers);
    };
    CHECK(engine(false, false, false, "") == "none");
    CHECK(engine(true, false, false, "") == "docker");
    CHECK(engine(false, true, false, "") == "podman");
    CHECK(engine(false, false, true, "") == "apptainer");
    // Podman's read-only containers: /run/.containerenv hidden under a tmpfs, container=podman set.
    CHECK(engine(false, false, false, "podman") == "podman");
    CHECK(engine(true, false, false, "podman") == "docker");
    CHECK(engine(false, false, false, "lxc 5/x") == "lxc_5_x");
}

TEST_CASE("observe_environment reads this machine") {
    const ObservedEnvironment env = observe_environment();
    CHECK(env.online_cpus >= 1);
    CHECK_FALSE(env.affinity.empty());
    CHECK(static_cast<int>(env.affinity.size()) <= env.online_cpus);
    CHECK(env.memory_total_bytes > 0);
    CHECK(env.memory_available_bytes <= env.memory_total_bytes);
    CHECK_FALSE(env.kernel.empty());
    CHECK((env.cgroup_version == "v1" || env.cgroup_version == "v2" || env.cgroup_version == "none"));
    CHECK((env.virtualization == "vm" || env.virtualization == "none"));
    CHECK_FALSE(env.container.empty());
    if (env.memory_limit_bytes) CHECK(*env.memory_limit_bytes < kUnlimitedMemoryThreshold);
    if (env.cpu_quota) CHECK(*env.cpu_quota > 0);
    CHECK(env.usable_cpus() >= 1);
}
