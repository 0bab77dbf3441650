#include "target_checks.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace platbench::blockio {
namespace {

constexpr const char* kJobFilePrefix = ".platbench-blockio-";

std::string mib(std::uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

}  // namespace

std::optional<std::string> block_size_error(std::uint64_t block_size, const DirectAlignment& alignment,
                                            const std::string& target) {
    if (alignment.bytes == 0 || block_size % alignment.bytes == 0) return std::nullopt;
    const std::uint64_t lower = block_size / alignment.bytes * alignment.bytes;
    const std::uint64_t upper = lower + alignment.bytes;
    return "block_size " + std::to_string(block_size) + " is not a multiple of " + std::to_string(alignment.bytes) +
           " bytes, the alignment direct I/O needs on " + target + " (from " + alignment.source +
           "): use block_size " + (lower > 0 ? std::to_string(lower) + " or " : "") + std::to_string(upper) +
           ", or direct: false";
}

std::optional<std::string> free_space_error(const std::filesystem::path& directory, std::uint64_t needed,
                                            std::uint64_t available) {
    if (needed <= available) return std::nullopt;
    return "not enough free space in " + directory.string() + ": the job files need " + mib(needed) +
           " (jobs x file_size) but only " + mib(available) +
           " are free; lower file_size or jobs, or use a directory on a larger filesystem";
}

std::string direct_unsupported_error(const std::filesystem::path& directory, int error) {
    return "the filesystem of " + directory.string() + " does not support direct I/O (open with O_DIRECT failed: " +
           std::strerror(error) + "): use direct: false (the page cache will then take part), or a directory "
           "on a filesystem that supports O_DIRECT (ext4, xfs, btrfs)";
}

std::string engine_unavailable_error(io_job::Engine engine, int error, std::optional<int> io_uring_disabled) {
    const std::string why = std::strerror(error);
    if (engine == io_job::Engine::IoUring) {
        std::string text = "engine io_uring is not available: io_uring_queue_init failed (" + why + ")";
        if (error == ENOSYS) return text + ": this kernel is built without io_uring (CONFIG_IO_URING); use engine libaio or psync";
        if (io_uring_disabled && *io_uring_disabled > 0) {
            return text + ": the sysctl kernel.io_uring_disabled is " + std::to_string(*io_uring_disabled) +
                   " (1: only for the group kernel.io_uring_group, 2: for everyone); set it to 0 "
                   "(sysctl -w kernel.io_uring_disabled=0) or use engine libaio or psync";
        }
        if (error == EPERM) return text + ": a seccomp filter or security policy forbids io_uring here (common in containers); use engine libaio or psync";
        if (error == ENOMEM) return text + ": kernels before 5.12 charge rings to the locked-memory limit; raise it (ulimit -l), lower iodepth or jobs, or use engine libaio";
        return text + "; use engine libaio or psync";
    }
    std::string text = "engine libaio is not available: io_setup failed (" + why + ")";
    if (error == ENOSYS) return text + ": this kernel is built without native AIO (CONFIG_AIO); use engine io_uring or psync";
    if (error == EAGAIN) return text + ": the system-wide limit fs.aio-max-nr is reached (see fs.aio-nr); raise it with sysctl -w fs.aio-max-nr=N, or lower iodepth or jobs";
    if (error == EPERM) return text + ": a seccomp filter or security policy forbids io_setup here; use engine io_uring or psync";
    return text + "; use engine io_uring or psync";
}

std::optional<int> read_io_uring_disabled() {
    std::ifstream in("/proc/sys/kernel/io_uring_disabled");
    int value = 0;
    if (in >> value) return value;
    return std::nullopt;
}

std::optional<std::string> mount_point_of(unsigned major, unsigned minor, std::istream& mountinfo) {
    // Fields: mount-id parent-id major:minor root mount-point options ...
    const std::string wanted = std::to_string(major) + ":" + std::to_string(minor);
    std::string line;
    while (std::getline(mountinfo, line)) {
        std::istringstream fields(line);
        std::string id, parent, device, root, mount_point;
        if (!(fields >> id >> parent >> device >> root >> mount_point)) continue;
        if (device == wanted) return mount_point;
    }
    return std::nullopt;
}

DeviceFacts probe_device(const std::filesystem::path& device) {
    DeviceFacts facts;
    struct stat st {};
    if (::stat(device.c_str(), &st) != 0) {
        facts.stat_error = errno;
        return facts;
    }
    facts.block_device = S_ISBLK(st.st_mode);
    if (!facts.block_device) return facts;
    facts.major = ::major(st.st_rdev);
    facts.minor = ::minor(st.st_rdev);
    std::ifstream mountinfo("/proc/self/mountinfo");
    facts.mount_point = mount_point_of(facts.major, facts.minor, mountinfo);
    // Writing to a whole disk also destroys the filesystems of its partitions.
    const std::filesystem::path sys = "/sys/dev/block/" + std::to_string(facts.major) + ":" + std::to_string(facts.minor);
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(sys, ec)) {
        if (facts.mount_point) break;
        std::ifstream dev(entry.path() / "dev");
        unsigned major = 0, minor = 0;
        char colon = 0;
        if (!std::filesystem::exists(entry.path() / "partition", ec) || !(dev >> major >> colon >> minor)) continue;
        mountinfo.clear();
        mountinfo.seekg(0);
        if (auto mounted = mount_point_of(major, minor, mountinfo)) {
            facts.mount_point = *mounted + " (partition " + entry.path().filename().string() + ")";
        }
    }
    const int fd = ::open(device.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        std::uint64_t size = 0;
        if (::ioctl(fd, BLKGETSIZE64, &size) == 0) facts.size_bytes = size;
        ::close(fd);
    }
    return facts;
}

std::optional<std::string> device_error(const std::filesystem::path& device, const DeviceFacts& facts,
                                        std::uint64_t needed_bytes) {
    const std::string name = device.string();
    if (facts.stat_error == ENOENT) return "device " + name + " does not exist: check the path (lsblk lists the block devices)";
    if (facts.stat_error != 0) return "device " + name + " cannot be examined: " + std::strerror(facts.stat_error);
    if (!facts.block_device) return name + " is not a block device: give a block device (lsblk lists them) as device, or use directory for files";
    if (facts.mount_point) {
        return "device " + name + " is mounted on " + *facts.mount_point +
               ": writes would corrupt that filesystem; unmount it, or use directory: " + *facts.mount_point;
    }
    if (facts.size_bytes > 0 && facts.size_bytes < needed_bytes) {
        return "device " + name + " holds " + mib(facts.size_bytes) + " but the jobs need " + mib(needed_bytes) +
               " (jobs x file_size): lower file_size or jobs";
    }
    return std::nullopt;
}

std::string job_file_name(pid_t pid, int job) {
    return kJobFilePrefix + std::to_string(pid) + "-" + std::to_string(job);
}

std::optional<pid_t> job_file_pid(const std::string& name) {
    const std::string prefix = kJobFilePrefix;
    if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || dash + 1 == rest.size()) return std::nullopt;
    const std::string pid = rest.substr(0, dash), job = rest.substr(dash + 1);
    auto digits = [](const std::string& s) { return s.find_first_not_of("0123456789") == std::string::npos; };
    if (!digits(pid) || !digits(job) || pid.size() > 9) return std::nullopt;
    return static_cast<pid_t>(std::stol(pid));
}

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

std::vector<std::filesystem::path> remove_stale_job_files(const std::filesystem::path& directory,
                                                          const std::function<bool(pid_t)>& alive) {
    std::vector<std::filesystem::path> removed;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        const std::optional<pid_t> pid = job_file_pid(entry.path().filename().string());
        if (!pid || alive(*pid)) continue;
        std::error_code remove_ec;
        if (std::filesystem::remove(entry.path(), remove_ec)) removed.push_back(entry.path());
    }
    return removed;
}

}  // namespace platbench::blockio
