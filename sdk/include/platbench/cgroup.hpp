// The cgroup of one child run: created under "platbench/" in each controller
// the run's limits need, holding the child from before its exec, removed after.
//
// Layouts: cgroup v1 (one mount per controller: /sys/fs/cgroup/memory,
// /sys/fs/cgroup/cpu,cpuacct or /sys/fs/cgroup/cpu) and cgroup v2 (one tree at
// /sys/fs/cgroup). A hybrid host (v1 controllers, empty v2 tree) counts as v1.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace platbench::cgroup {

struct Limits {
    std::optional<std::uint64_t> memory_bytes;
    std::optional<double> cpu_quota;  // in CPUs
};

// The parent directories ("<controller mount>/platbench") runs are created in,
// for the layout of this host; empty when no cgroup filesystem is mounted.
std::vector<std::filesystem::path> run_parents();

// Leaf names must stay one path element: anything outside [A-Za-z0-9_.-] becomes
// '_', and "", "." and ".." are replaced by a name unique to this process.
std::string sanitise_name(const std::string& name);

class RunCgroup {
public:
    // Creates the cgroup(s) and writes the limits. On failure returns null with
    // `error` saying why and what to do.
    static std::unique_ptr<RunCgroup> create(const std::string& name, const Limits& limits, std::string& error);

    RunCgroup(const RunCgroup&) = delete;
    RunCgroup& operator=(const RunCgroup&) = delete;
    ~RunCgroup();  // remove()

    // Moves a process into every directory of the run; "" on success.
    std::string add_process(pid_t pid);
    // Whether the memory controller killed a process of the run.
    bool oom_killed() const;
    // SIGKILLs whatever is still inside (processes that left the child's group).
    void kill_remaining();
    // Removes the directories, retrying briefly while the kernel drains them.
    void remove();

    const std::vector<std::filesystem::path>& directories() const { return directories_; }

private:
    RunCgroup() = default;
    std::vector<std::filesystem::path> directories_;
    std::optional<std::filesystem::path> memory_dir_;
    bool v2_ = false;
};

// Removes empty directories left below the run parents by runs that never
// cleaned up (a crashed engine). Returns one line per directory removed.
std::vector<std::string> remove_leftovers();

}  // namespace platbench::cgroup
