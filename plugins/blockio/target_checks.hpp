// The checks made before any I/O, each split into a probe of the machine and a
// pure function that turns the probe's answer into an error message with the
// fix. The pure halves are unit-tested with answers this machine cannot give
// (io_uring disabled, a filesystem without O_DIRECT, ...).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "io_job.hpp"

namespace platbench::blockio {

// The alignment direct I/O needs, and where it came from (for messages).
struct DirectAlignment {
    std::uint64_t bytes = 512;
    std::string source;  // "statx STATX_DIOALIGN", "BLKSSZGET", "st_blksize"
};

std::optional<std::string> block_size_error(std::uint64_t block_size, const DirectAlignment& alignment,
                                            const std::string& target);

std::optional<std::string> free_space_error(const std::filesystem::path& directory, std::uint64_t needed,
                                            std::uint64_t available);

// `error`: the errno of open(O_DIRECT) on a file of the target directory.
std::string direct_unsupported_error(const std::filesystem::path& directory, int error);

// `error`: the errno of io_setup / io_uring_queue_init; `io_uring_disabled`: the
// value of the sysctl kernel.io_uring_disabled, when the kernel has it.
std::string engine_unavailable_error(io_job::Engine engine, int error, std::optional<int> io_uring_disabled);
std::optional<int> read_io_uring_disabled();

// What stat() and the mount table say about a device path.
struct DeviceFacts {
    int stat_error = 0;  // errno of stat(), 0 when it exists
    bool block_device = false;
    unsigned major = 0, minor = 0;
    std::optional<std::string> mount_point;  // where it is mounted, if it is
    std::uint64_t size_bytes = 0;            // BLKGETSIZE64
};
DeviceFacts probe_device(const std::filesystem::path& device);
std::optional<std::string> device_error(const std::filesystem::path& device, const DeviceFacts& facts,
                                        std::uint64_t needed_bytes);

// The mount point of the device major:minor in /proc/self/mountinfo text.
std::optional<std::string> mount_point_of(unsigned major, unsigned minor, std::istream& mountinfo);

// Job files: ".platbench-blockio-<pid>-<job>", so a run that was killed
// (SIGKILL: no chance to clean up) can be recognised by a later one.
std::string job_file_name(pid_t pid, int job);
// The pid in such a name; nullopt for any other name.
std::optional<pid_t> job_file_pid(const std::string& name);
bool process_alive(pid_t pid);
// Removes the job files of processes that `alive` says are gone; returns them.
std::vector<std::filesystem::path> remove_stale_job_files(const std::filesystem::path& directory,
                                                          const std::function<bool(pid_t)>& alive);

}  // namespace platbench::blockio
