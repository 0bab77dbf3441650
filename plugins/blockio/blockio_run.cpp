#include "blockio_run.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "job_worker.hpp"
#include "target_checks.hpp"

namespace platbench::blockio {
namespace {

namespace fs = std::filesystem;
using io_job::Job;

// The job files and descriptors of a run, closed and removed however it ends
// (success, a failure, or a stop request). A device is only closed.
class OpenTargets {
public:
    OpenTargets() = default;
    OpenTargets(const OpenTargets&) = delete;
    OpenTargets& operator=(const OpenTargets&) = delete;
    ~OpenTargets() {
        for (const JobTarget& target : jobs) {
            if (target.fd >= 0) ::close(target.fd);
        }
        for (const fs::path& path : files) ::unlink(path.c_str());
    }
    std::vector<JobTarget> jobs;
    std::vector<fs::path> files;  // to remove
    DirectAlignment alignment;
};

std::uint64_t region_bytes(const Job& job) { return job.file_size / job.block_size * job.block_size; }

void check_engine(const Job& job) {
    if (const int error = probe_engine(job.engine, job.iodepth); error != 0) {
        throw WorkloadError(engine_unavailable_error(job.engine, error, read_io_uring_disabled()));
    }
}

DirectAlignment direct_alignment(int fd, bool device) {
    struct statx sx {};
    if (::statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) == 0 && (sx.stx_mask & STATX_DIOALIGN) != 0 &&
        sx.stx_dio_offset_align > 0) {
        return {sx.stx_dio_offset_align, "statx STATX_DIOALIGN"};
    }
    int sector = 0;
    if (device && ::ioctl(fd, BLKSSZGET, &sector) == 0 && sector > 0) {
        return {static_cast<std::uint64_t>(sector), "BLKSSZGET"};
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_blksize > 0) return {static_cast<std::uint64_t>(st.st_blksize), "st_blksize"};
    return {512, "the 512-byte default"};
}

void check_directory(const fs::path& directory) {
    std::error_code ec;
    if (!fs::exists(directory, ec)) {
        throw WorkloadError("directory " + directory.string() + " does not exist: create it, or give another directory");
    }
    if (!fs::is_directory(directory, ec)) {
        throw WorkloadError(directory.string() + " is not a directory: give a directory for the job files");
    }
}

void check_free_space(const Job& job, const fs::path& directory) {
    struct statvfs vfs {};
    if (::statvfs(directory.c_str(), &vfs) != 0) return;  // unknown: the layout will report ENOSPC
    const std::uint64_t available = static_cast<std::uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const std::uint64_t needed = region_bytes(job) * static_cast<std::uint64_t>(job.jobs);
    if (auto error = free_space_error(directory, needed, available)) throw WorkloadError(*error);
}

void check_block_size(const Job& job, const DirectAlignment& alignment, const std::string& target) {
    if (!job.direct) return;
    if (auto error = block_size_error(job.block_size, alignment, target)) throw WorkloadError(*error);
}

void open_job_files(const Job& job, const fs::path& directory, OpenTargets& targets) {
    const int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | (job.direct ? O_DIRECT : 0);
    for (int i = 0; i < job.jobs; ++i) {
        const fs::path path = directory / job_file_name(::getpid(), i);
        targets.files.push_back(path);  // before open: a file created by a failing open is removed too
        const int fd = ::open(path.c_str(), flags, 0600);
        if (fd < 0 && errno == EINVAL && job.direct) throw WorkloadError(direct_unsupported_error(directory, EINVAL));
        if (fd < 0) throw WorkloadError("cannot create " + path.string() + ": " + std::strerror(errno));
        JobTarget target;
        target.fd = fd;
        target.name = path.string();
        target.blocks = job.file_size / job.block_size;
        target.lay_out = true;
        target.file = true;
        targets.jobs.push_back(target);
    }
}

void prepare_files(const Job& job, const fs::path& directory, OpenTargets& targets, const RunOptions& options) {
    check_directory(directory);
    for (const fs::path& stale : remove_stale_job_files(directory, process_alive)) {
        if (options.log) options.log("blockio: removed " + stale.string() + ", left by a run that no longer exists");
    }
    check_free_space(job, directory);
    check_engine(job);
    open_job_files(job, directory, targets);
    targets.alignment = direct_alignment(targets.jobs.front().fd, false);
    check_block_size(job, targets.alignment, directory.string());
}

void prepare_device(const Job& job, OpenTargets& targets) {
    const fs::path device = job.device;
    const std::uint64_t needed = region_bytes(job) * static_cast<std::uint64_t>(job.jobs);
    if (auto error = device_error(device, probe_device(device), needed)) throw WorkloadError(*error);
    check_engine(job);
    // Reads must meet real data: a fresh or sparse image returns holes without any
    // storage I/O. Verify needs known data too. layout: false measures what it holds.
    const bool lay_out = job.lays_out();
    const int flags = (job.writes() || lay_out ? O_RDWR : O_RDONLY) | O_CLOEXEC | (job.direct ? O_DIRECT : 0);
    for (int i = 0; i < job.jobs; ++i) {
        const int fd = ::open(device.c_str(), flags);
        if (fd < 0 && errno == EACCES) {
            throw WorkloadError("cannot open device " + device.string() +
                                ": permission denied; run as a user with access to it (root, or the group disk)");
        }
        if (fd < 0) throw WorkloadError("cannot open device " + device.string() + ": " + std::strerror(errno));
        JobTarget target;
        target.fd = fd;
        target.base = static_cast<std::uint64_t>(i) * region_bytes(job);
        target.blocks = job.file_size / job.block_size;
        target.name = device.string() + " (job " + std::to_string(i) + "'s region from byte " +
                      std::to_string(target.base) + ")";
        target.lay_out = lay_out;
        targets.jobs.push_back(target);
    }
    targets.alignment = direct_alignment(targets.jobs.front().fd, true);
    check_block_size(job, targets.alignment, device.string());
}

// The figures of every job, and the first failure among them.
struct JobsOutcome {
    std::vector<JobFigures> figures;
    double layout_seconds = 0;  // the slowest job's layout
    std::exception_ptr failure;
    bool stopped = false;
};

JobsOutcome run_jobs(const Job& job, OpenTargets& targets, const RunOptions& options, const std::atomic<bool>& stop) {
    JobsOutcome outcome;
    outcome.figures.resize(static_cast<std::size_t>(job.jobs));
    std::atomic<bool> abort{false};
    std::atomic<bool> stopped{false};
    std::mutex failure_mutex;
    std::vector<double> layout_seconds(static_cast<std::size_t>(job.jobs), 0.0);
    // Every job starts measuring once all layouts are done, so no job's layout
    // competes with another job's measured I/O.
    std::barrier ready(job.jobs);
    auto body = [&](int i) {
        bool arrived = false;
        try {
            JobWorker worker(job, i, targets.jobs[static_cast<std::size_t>(i)], StopFlags{&stop, &abort},
                             options.huge_page_buffers);
            const auto layout_start = std::chrono::steady_clock::now();
            bool finished = worker.lay_out();
            layout_seconds[static_cast<std::size_t>(i)] =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - layout_start).count();
            if (finished && options.after_layout) options.after_layout(i);
            ready.arrive_and_wait();
            arrived = true;
            if (finished) finished = worker.run(outcome.figures[static_cast<std::size_t>(i)]);
            if (!finished) stopped = true;
        } catch (...) {
            const std::lock_guard lock(failure_mutex);
            if (!outcome.failure) outcome.failure = std::current_exception();
            abort = true;
            if (!arrived) ready.arrive_and_drop();
        }
    };
    std::vector<std::jthread> threads;
    threads.reserve(static_cast<std::size_t>(job.jobs));
    for (int i = 0; i < job.jobs; ++i) threads.emplace_back(body, i);
    threads.clear();  // joins
    outcome.stopped = stopped || stop.load();
    outcome.layout_seconds = *std::max_element(layout_seconds.begin(), layout_seconds.end());
    return outcome;
}

io_job::DirectionFigures direction_figures(const std::vector<JobFigures>& figures, int direction, double seconds) {
    LatencyHistogram latency;
    io_job::DirectionFigures f;
    for (const JobFigures& job : figures) {
        latency.merge(job.latency[direction]);
        f.ios += job.ios[direction];
        f.bytes += job.bytes[direction];
    }
    f.seconds = seconds;
    f.lat_mean_us = latency.mean_ns() / 1e3;
    f.lat_stddev_us = latency.stddev_ns() / 1e3;
    f.lat_min_us = static_cast<double>(latency.min_ns()) / 1e3;
    f.lat_max_us = static_cast<double>(latency.max_ns()) / 1e3;
    f.lat_p50_us = latency.percentile_ns(50) / 1e3;
    f.lat_p90_us = latency.percentile_ns(90) / 1e3;
    f.lat_p99_us = latency.percentile_ns(99) / 1e3;
    f.lat_p999_us = latency.percentile_ns(99.9) / 1e3;
    return f;
}

WorkloadResult make_result(const Job& job, const JobsOutcome& outcome, const OpenTargets& targets,
                           const RunOptions& options) {
    const std::vector<JobFigures>& figures = outcome.figures;
    double runtime = 0, user = 0, system = 0;
    for (const JobFigures& f : figures) {
        // As fio: rates over the longest job, CPU summed over all of them.
        runtime = std::max(runtime, f.seconds);
        user += f.cpu_user_seconds;
        system += f.cpu_system_seconds;
    }
    WorkloadResult result;
    std::uint64_t total_ios = 0;
    for (int direction = 0; direction < 2; ++direction) {
        if (direction == 0 ? !job.reads() : !job.writes()) continue;
        const io_job::DirectionFigures f = direction_figures(figures, direction, runtime);
        io_job::append_direction_metrics(direction == 0 ? "read" : "write", f, result.metrics);
        total_ios += f.ios;
    }
    io_job::append_job_metrics(runtime, user, system, total_ios, result.metrics);
    if (auto warning = io_job::page_cache_warning(job, options.usable_memory_bytes); !warning.empty()) {
        result.warnings.push_back(warning);
    }
    result.info["engine"] = io_job::engine_name(job.engine);
    result.info["pattern"] = io_job::pattern_name(job.pattern);
    result.info["target"] = job.device.empty() ? (job.directory.empty() ? options.work_dir.string() : job.directory)
                                               : job.device;
    result.info["direct_alignment"] = std::to_string(targets.alignment.bytes) + " (" + targets.alignment.source + ")";
    result.info["bytes_per_job"] = std::to_string(region_bytes(job));
    if (job.verify) result.info["verified"] = "true";
    if (job.ramp_seconds > 0) {
        std::uint64_t ramp_ios = 0;
        for (const JobFigures& f : figures) ramp_ios += f.ramp_ios;
        result.info["ramp_ios"] = std::to_string(ramp_ios);  // done during the ramp, in no metric
    }
    std::uint64_t buffer_bytes = 0, huge_bytes = 0;
    for (const JobFigures& f : figures) {
        buffer_bytes += f.buffer_bytes;
        huge_bytes += f.buffer_huge_bytes;
    }
    // Direct I/O pins the buffer's pages per request: huge pages make large blocks cheaper.
    result.info["io_buffers"] = std::to_string(buffer_bytes) + " bytes, " + std::to_string(huge_bytes) +
                                " of them on huge pages";
    result.info["random_map"] = job.random() ? (job.norandommap ? "off (norandommap)" : "on") : "sequential";
    io_job::record_layout(job, outcome.layout_seconds, result);
    return result;
}

}  // namespace

WorkloadResult run_blockio(const Job& job, const RunOptions& options, const std::atomic<bool>& stop) {
    OpenTargets targets;
    if (job.device.empty()) {
        prepare_files(job, job.directory.empty() ? options.work_dir : fs::path(job.directory), targets, options);
    } else {
        prepare_device(job, targets);
    }
    if (options.log) {
        options.log(std::string("blockio: ") + std::to_string(job.jobs) + " job(s), " + io_job::pattern_name(job.pattern) +
                    ", " + io_job::engine_name(job.engine) + ", block " + std::to_string(job.block_size) +
                    " bytes, iodepth " + std::to_string(job.iodepth) + ", on " + targets.jobs.front().name);
    }
    JobsOutcome outcome = run_jobs(job, targets, options, stop);
    if (stop.load()) throw WorkloadError("interrupted: asked to stop before the job finished; its files are removed");
    if (outcome.failure) std::rethrow_exception(outcome.failure);
    if (outcome.stopped) throw WorkloadError("interrupted: the job stopped before it finished");
    return make_result(job, outcome, targets, options);
}

}  // namespace platbench::blockio
