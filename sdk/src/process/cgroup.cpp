#include "platbench/cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "platbench/names.hpp"

namespace platbench::cgroup {
namespace {

namespace fs = std::filesystem;

const fs::path kCgroupRoot = "/sys/fs/cgroup";
constexpr const char* kParentName = "platbench";
constexpr std::int64_t kCpuPeriodUs = 100000;
constexpr std::int64_t kMinCpuQuotaUs = 1000;  // the kernel refuses less than 1 ms

// Which controller directories this host offers; paths are the controller
// mounts (v1) or the unified root (v2).
struct Layout {
    bool v2 = false;
    std::optional<fs::path> memory;
    std::optional<fs::path> cpu;

    bool any() const { return v2 || memory || cpu; }
};

bool path_exists(const fs::path& path) {
    std::error_code ec;
    return fs::exists(path, ec);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream content;
    if (in) content << in.rdbuf();
    return content.str();
}

bool has_word(const std::string& text, const std::string& word) {
    std::istringstream in(text);
    for (std::string item; in >> item;)
        if (item == word) return true;
    return false;
}

Layout detect_layout() {
    Layout layout;
    if (path_exists(kCgroupRoot / "cgroup.controllers")) {
        layout.v2 = true;
        const std::string controllers = read_file(kCgroupRoot / "cgroup.controllers");
        if (has_word(controllers, "memory")) layout.memory = kCgroupRoot;
        if (has_word(controllers, "cpu")) layout.cpu = kCgroupRoot;
        return layout;
    }
    if (path_exists(kCgroupRoot / "memory" / "memory.limit_in_bytes")) layout.memory = kCgroupRoot / "memory";
    for (const char* name : {"cpu,cpuacct", "cpu"})
        if (!layout.cpu && path_exists(kCgroupRoot / name / "cpu.cfs_quota_us")) layout.cpu = kCgroupRoot / name;
    return layout;
}

std::string errno_text(int error) { return std::strerror(error); }

// Writes with one write(2) as the kernel's cgroup files expect; "" on success.
std::string write_file(const fs::path& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return "cannot open " + path.string() + ": " + errno_text(errno);
    const ssize_t written = ::write(fd, text.data(), text.size());
    const int error = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size()))
        return "cannot write '" + text + "' to " + path.string() + ": " + errno_text(written < 0 ? error : EIO);
    return {};
}

std::string make_directory(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0755) == 0 || errno == EEXIST) return {};
    return "cannot create " + dir.string() + ": " + errno_text(errno);
}

// A leaf of our own name: a leftover of a crashed run is removed first (it is
// empty then); one still in use is refused rather than shared.
std::string make_leaf(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0755) == 0) return {};
    if (errno != EEXIST) return "cannot create " + dir.string() + ": " + errno_text(errno);
    if (::rmdir(dir.c_str()) == 0 && ::mkdir(dir.c_str(), 0755) == 0) return {};
    return "cgroup " + dir.string() + " already exists and is in use: give the run another name";
}

std::string enable_v2_controllers(const fs::path& dir, const Limits& limits) {
    const fs::path control = dir / "cgroup.subtree_control";
    if (limits.memory_bytes)
        if (std::string error = write_file(control, "+memory"); !error.empty()) return error;
    if (limits.cpu_quota)
        if (std::string error = write_file(control, "+cpu"); !error.empty()) return error;
    return {};
}

std::int64_t quota_us(double cpus) {
    const double us = std::round(cpus * static_cast<double>(kCpuPeriodUs));
    if (!(us >= kMinCpuQuotaUs)) return kMinCpuQuotaUs;
    return us > 1e15 ? static_cast<std::int64_t>(1e15) : static_cast<std::int64_t>(us);
}

std::string write_v1_memory_limit(const fs::path& dir, std::uint64_t bytes) {
    const std::string value = std::to_string(bytes);
    if (std::string error = write_file(dir / "memory.limit_in_bytes", value); !error.empty()) return error;
    // Without swap accounting the limit could be dodged by swapping: when the
    // host offers memsw, memory + swap get the same limit, i.e. no swap.
    if (path_exists(dir / "memory.memsw.limit_in_bytes"))
        return write_file(dir / "memory.memsw.limit_in_bytes", value);
    write_file(dir / "memory.swappiness", "0");  // best effort where memsw is off
    return {};
}

std::string write_v1_cpu_quota(const fs::path& dir, double cpus) {
    if (std::string error = write_file(dir / "cpu.cfs_period_us", std::to_string(kCpuPeriodUs)); !error.empty())
        return error;
    return write_file(dir / "cpu.cfs_quota_us", std::to_string(quota_us(cpus)));
}

std::string write_v2_limits(const fs::path& dir, const Limits& limits) {
    if (limits.memory_bytes) {
        if (std::string error = write_file(dir / "memory.max", std::to_string(*limits.memory_bytes)); !error.empty())
            return error;
        if (path_exists(dir / "memory.swap.max"))
            if (std::string error = write_file(dir / "memory.swap.max", "0"); !error.empty()) return error;
    }
    if (limits.cpu_quota)
        return write_file(dir / "cpu.max", std::to_string(quota_us(*limits.cpu_quota)) + " " + std::to_string(kCpuPeriodUs));
    return {};
}

std::string what_is_limited(const Limits& limits) {
    if (limits.memory_bytes && limits.cpu_quota) return "the memory limit and CPU quota";
    return limits.memory_bytes ? "the memory limit" : "the CPU quota";
}

std::string advice(const Limits& limits) {
    return ". Run as root on a host with a writable cgroup filesystem (in a container: --privileged "
           "with --cgroupns=host), or run without " + what_is_limited(limits) + ".";
}

std::atomic<unsigned> unique_counter{0};

}  // namespace

std::vector<fs::path> run_parents() {
    const Layout layout = detect_layout();
    std::vector<fs::path> parents;
    if (layout.v2) {
        parents.push_back(kCgroupRoot / kParentName);
        return parents;
    }
    if (layout.memory) parents.push_back(*layout.memory / kParentName);
    if (layout.cpu) parents.push_back(*layout.cpu / kParentName);
    return parents;
}

std::string sanitise_name(const std::string& name) {
    std::string clean = with_safe_name_characters(name);
    if (clean.empty() || clean == "." || clean == "..")
        clean = "run-" + std::to_string(::getpid()) + "-" + std::to_string(unique_counter++);
    return clean;
}

std::unique_ptr<RunCgroup> RunCgroup::create(const std::string& raw_name, const Limits& limits, std::string& error) {
    const std::string name = sanitise_name(raw_name);
    const Layout layout = detect_layout();
    const std::string prefix = "cannot enforce " + what_is_limited(limits) + ": ";
    if (!layout.any()) {
        error = prefix + "no cgroup filesystem is mounted at " + kCgroupRoot.string() + advice(limits);
        return nullptr;
    }
    if (limits.memory_bytes && !layout.memory) {
        error = prefix + "the memory cgroup controller is not available (" +
                (layout.v2 ? "not in " + (kCgroupRoot / "cgroup.controllers").string()
                           : (kCgroupRoot / "memory").string() + " is not mounted") + ")" + advice(limits);
        return nullptr;
    }
    if (limits.cpu_quota && !layout.cpu) {
        error = prefix + "the cpu cgroup controller is not available (" +
                (layout.v2 ? "not in " + (kCgroupRoot / "cgroup.controllers").string()
                           : (kCgroupRoot / "cpu").string() + " is not mounted") + ")" + advice(limits);
        return nullptr;
    }

    std::unique_ptr<RunCgroup> run(new RunCgroup());
    run->v2_ = layout.v2;
    auto fail = [&](const std::string& why) {
        error = prefix + why + advice(limits);
        run->remove();
        return nullptr;
    };
    if (layout.v2) {
        const fs::path parent = kCgroupRoot / kParentName;
        if (std::string why = enable_v2_controllers(kCgroupRoot, limits); !why.empty()) return fail(why);
        if (std::string why = make_directory(parent); !why.empty()) return fail(why);
        if (std::string why = enable_v2_controllers(parent, limits); !why.empty()) return fail(why);
        const fs::path leaf = parent / name;
        if (std::string why = make_leaf(leaf); !why.empty()) return fail(why);
        run->directories_.push_back(leaf);
        if (limits.memory_bytes) run->memory_dir_ = leaf;
        if (std::string why = write_v2_limits(leaf, limits); !why.empty()) return fail(why);
        return run;
    }
    auto add_v1 = [&](const fs::path& mount) -> std::string {
        if (std::string why = make_directory(mount / kParentName); !why.empty()) return why;
        const fs::path leaf = mount / kParentName / name;
        if (std::string why = make_leaf(leaf); !why.empty()) return why;
        run->directories_.push_back(leaf);
        return {};
    };
    if (limits.memory_bytes) {
        if (std::string why = add_v1(*layout.memory); !why.empty()) return fail(why);
        run->memory_dir_ = run->directories_.back();
        if (std::string why = write_v1_memory_limit(*run->memory_dir_, *limits.memory_bytes); !why.empty())
            return fail(why);
    }
    if (limits.cpu_quota) {
        if (std::string why = add_v1(*layout.cpu); !why.empty()) return fail(why);
        if (std::string why = write_v1_cpu_quota(run->directories_.back(), *limits.cpu_quota); !why.empty())
            return fail(why);
    }
    return run;
}

RunCgroup::~RunCgroup() { remove(); }

std::string RunCgroup::add_process(pid_t pid) {
    for (const fs::path& dir : directories_)
        if (std::string error = write_file(dir / "cgroup.procs", std::to_string(pid)); !error.empty())
            return "cannot move the child into its cgroup: " + error;
    return {};
}

bool RunCgroup::oom_killed() const {
    if (!memory_dir_) return false;
    // memory.events (v2) and memory.oom_control (v1, kernel 4.13+) count OOM kills.
    std::istringstream events(read_file(*memory_dir_ / (v2_ ? "memory.events" : "memory.oom_control")));
    for (std::string key; events >> key;) {
        std::uint64_t count = 0;
        if (!(events >> count)) break;
        if (key == "oom_kill") return count > 0;
    }
    if (v2_) return false;
    // Older v1 kernels only say that the limit was hit.
    std::istringstream failcnt(read_file(*memory_dir_ / "memory.failcnt"));
    std::uint64_t failures = 0;
    return failcnt >> failures && failures > 0;
}

void RunCgroup::kill_remaining() {
    for (const fs::path& dir : directories_) {
        if (v2_ && path_exists(dir / "cgroup.kill")) {
            write_file(dir / "cgroup.kill", "1");
            continue;
        }
        std::istringstream procs(read_file(dir / "cgroup.procs"));
        for (pid_t pid = 0; procs >> pid;)
            if (pid > 0) ::kill(pid, SIGKILL);
    }
}

void RunCgroup::remove() {
    using namespace std::chrono;
    const auto give_up = steady_clock::now() + seconds(3);
    for (const fs::path& dir : directories_) {
        // A cgroup empties asynchronously after its last process is reaped.
        while (::rmdir(dir.c_str()) != 0 && errno == EBUSY && steady_clock::now() < give_up) {
            kill_remaining();
            std::this_thread::sleep_for(milliseconds(10));
        }
    }
    directories_.clear();
}

std::vector<std::string> remove_leftovers() {
    std::vector<std::string> removed;
    for (const fs::path& parent : run_parents()) {
        std::vector<fs::path> leaves;
        std::error_code ec;
        for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec)) {
            std::error_code type_ec;
            if (entry.is_directory(type_ec)) leaves.push_back(entry.path());
        }
        // A leaf still holding processes belongs to a live run: rmdir refuses it.
        for (const fs::path& leaf : leaves)
            if (::rmdir(leaf.c_str()) == 0) removed.push_back("removed cgroup " + leaf.string());
    }
    return removed;
}

}  // namespace platbench::cgroup
